// `<prog> secrets-encrypt status [-o json]`, formatted like upstream: text with a tabwriter key table, or JSON
// with tab indentation. The stage is the answering node's annotation; hashes are compared across control-plane
// servers; keys come from the answering node's own config file.
import { readNodeEncryption, verifyEncryptionHashes } from '../encryption/node-encryption.js';
import { keyTypeLabel } from '../encryption/config.js';
import type { LabNode } from '../lab-node.js';
import type { LabRuntime } from '../lab-runtime.js';
import { statusKeysCarryType } from '../upstream-versions.js';
import { takeOption, type CommandContext } from './io.js';
import { logLine } from './logrus.js';
import { failWithServerError } from './server-error.js';

export async function printEncryptionStatus({ lab, node, io }: CommandContext, argv: string[]): Promise<number> {
  const output = takeOption(argv, ['--output', '-o']).value ?? 'text';
  if (output !== 'text' && output !== 'json') {
    io.stderr(logLine('fatal', `invalid output format ${output}`, lab.clock.now()));
    return 1;
  }
  const current = await readNodeEncryption(node);
  if (current === null) {
    io.stdout(
      output === 'json'
        ? '{\n\t"stage": "",\n\t"activekey": ""\n}\n'
        : 'Encryption Status: Disabled, no configuration file found\n',
    );
    return 0;
  }
  const { layout } = current;
  // With identity first (disabled) no key encrypts: every key is listed as inactive.
  const active = layout.enabled ? (layout.keys[0]?.name ?? '') : '';
  const inactive = layout.enabled ? layout.keys.slice(1).map((k) => k.name) : layout.keys.map((k) => k.name);
  const hashError = compareHashes(lab);
  // Upstream reads this node's stage from its Node annotation and answers 500 when it is not `<stage>-<hash>`.
  const annotation = readOwnAnnotation(node);
  if (!annotation.ok) {
    const request = {
      path: `/v1-${node.prog}/encrypt/status`,
      status: '500 Internal Server Error',
      component: 'secret-encrypt',
    };
    return failWithServerError(lab, node, io, request, annotation.error);
  }
  const stage = annotation.stage;
  const type = keyTypeLabel(layout.provider);
  if (output === 'json') {
    // The server names keys `<type> <name>` since secretbox support; older releases sent the bare name.
    const typed = statusKeysCarryType(lab.options.version);
    const named = (name: string) => (typed ? `${type} ${name}` : name);
    const status: Record<string, unknown> = { stage, activekey: active ? named(active) : '', enable: layout.enabled };
    if (!hashError) status.hashmatch = true;
    if (hashError) status.hasherror = hashError;
    if (inactive.length > 0) status.inactivekeys = inactive.map(named);
    io.stdout(JSON.stringify(status, null, '\t') + '\n');
    return 0;
  }
  const rows = [
    ['Active', 'Key Type', 'Name'],
    ['------', '--------', '----'],
    ...(active ? [[' *', type, active]] : []),
    ...inactive.map((name) => ['', type, name]),
  ];
  io.stdout(
    [
      `Encryption Status: ${layout.enabled ? 'Enabled' : 'Disabled'}`,
      `Current Rotation Stage: ${stage}`,
      `Server Encryption Hashes: ${hashError ?? 'All hashes match'}`,
      '',
      tabwrite(rows, 2),
    ].join('\n') + '\n\n',
  );
  return 0;
}

/**
 * Upstream's getEncryptionHashAnnotation (k3s pkg/server/handlers/secrets-encrypt.go): the annotation split on "-"
 * must give exactly two parts (an empty one gives "invalid annotation  found", two spaces); none at all is "missing".
 */
function readOwnAnnotation(node: LabNode): { ok: true; stage: string } | { ok: false; error: string } {
  const annotation = node.encryptionHash;
  if (annotation === null) return { ok: false, error: `missing annotation on node ${node.spec.name}` };
  const parts = annotation.split('-');
  if (parts.length !== 2)
    return { ok: false, error: `invalid annotation ${annotation} found on node ${node.spec.name}` };
  return { ok: true, stage: parts[0] };
}

/** null when every control-plane server publishes the same hash; otherwise upstream's message naming two nodes. */
export function compareHashes(lab: LabRuntime): string | null {
  const anyNode = lab.nodes[0];
  return anyNode ? verifyEncryptionHashes(lab, anyNode, null, '') : null;
}

/** Go's text/tabwriter with minwidth 0 and the given padding: every cell but the last is padded to its column. */
function tabwrite(rows: string[][], padding: number): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)) + padding);
  return rows
    .map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]))).join(''))
    .join('\n');
}
