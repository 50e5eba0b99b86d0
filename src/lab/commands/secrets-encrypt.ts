// `<prog> secrets-encrypt status [-o json]`, formatted like upstream (text with a tabwriter key table, or JSON
// with tab indentation). The stage is the answering node's; hashes are compared across control-plane servers.
import { isControlPlane, isServerNode } from '../lab-node.js';
import type { LabRuntime } from '../lab-runtime.js';
import { readEncryptionConfig, readEncryptionState, stageOf } from '../encryption-files.js';
import { readEncryptionKeys } from '../pki/index.js';
import { takeOption, type CommandContext } from './io.js';
import { connectionRefused, logLine } from './logrus.js';

export async function runSecretsEncrypt(context: CommandContext): Promise<number> {
  const { lab, node, io, argv } = context;
  const [sub, ...rest] = argv;
  const now = lab.clock.now();
  if (sub !== 'status') {
    io.stderr(`Incorrect Usage: ${node.prog} secrets-encrypt: the lab answers only "status" (got "${sub ?? ''}")\n`);
    return 1;
  }
  if (!isServerNode(node) || node.service.state !== 'active') {
    io.stderr(connectionRefused(node.prog, `/v1-${node.prog}/encrypt/status`, now));
    return 1;
  }
  const output = takeOption(rest, ['--output', '-o']).value ?? 'text';
  const config = await readEncryptionConfig(node.paths.dataDir);
  const state = await readEncryptionState(node.paths.dataDir);
  if (config === null || state === null) {
    io.stdout('Encryption Status: Disabled\n');
    return 0;
  }
  const keys = readEncryptionKeys(config).map((k) => k.name);
  const hashError = compareHashes(lab);
  const stage = stageOf(state);
  if (output === 'json') {
    const status: Record<string, unknown> = { stage, activekey: keys[0] ?? '', enable: true };
    if (!hashError) status.hashmatch = true;
    if (hashError) status.hasherror = hashError;
    if (keys.length > 1) status.inactivekeys = keys.slice(1);
    io.stdout(JSON.stringify(status, null, '\t') + '\n');
    return 0;
  }
  if (output !== 'text') {
    io.stderr(logLine('fatal', `invalid output format ${output}`, now));
    return 1;
  }
  const rows = [['Active', 'Key Type', 'Name'], ['------', '--------', '----'], ...keys.map((k, i) => [i === 0 ? ' *' : '', 'AES-CBC', k])];
  io.stdout(
    [
      'Encryption Status: Enabled',
      `Current Rotation Stage: ${stage}`,
      `Server Encryption Hashes: ${hashError ?? 'All hashes match'}`,
      '',
      tabwrite(rows, 2),
    ].join('\n') + '\n\n',
  );
  return 0;
}

/** null when every control-plane server publishes the same hash; otherwise upstream's message naming two nodes. */
export function compareHashes(lab: LabRuntime): string | null {
  const published = lab.nodes.filter((n) => isControlPlane(n) && n.encryptionHash !== null);
  const first = published[0];
  const other = published.find((n) => n.encryptionHash !== first?.encryptionHash);
  return first && other ? `hash does not match between ${first.spec.name} and ${other.spec.name}` : null;
}

/** Go's text/tabwriter with minwidth 0 and the given padding: every cell but the last is padded to its column. */
function tabwrite(rows: string[][], padding: number): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)) + padding);
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]))).join('')).join('\n');
}
