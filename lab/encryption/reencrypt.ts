// Reencryption as upstream's supervisor runs it: every Secret is read and written back with the active key
// (the lab's pace: ~5 secrets/s as the docs say, divided by the lab speed), a Node event every N secrets
// (`SecretsProgress` "reencrypted N secrets", also logged by klog), then `SecretsUpdateComplete` (worded per release,
// see upstream-versions.ts); after that the
// old key leaves the config and the stage becomes reencrypt_finished — or, with --skip, the key stays and the
// annotation falls back to the state file.
import type { LabNode } from '../lab-node.js';
import type { LabRuntime } from '../lab-runtime.js';
import { reencryptCompleteMessage, reencryptEventEvery, secretsEventLogForm } from '../upstream-versions.js';
import { encryptionConfigText } from './config.js';
import { publishStage, readNodeEncryption, readStateFile, writeNodeConfig } from './node-encryption.js';

const SECRETS_PER_SECOND = 5;
/** How often (simulated) the rewrite loop looks at the clock; short enough for events to come in order. */
const TICK_MS = 100;

export type ReencryptResult = { kind: 'finished'; secrets: number } | { kind: 'interrupted'; reason: string };

export interface ReencryptOptions {
  /** Remove the old key and move to reencrypt_finished (upstream's reencryptAndRemoveKey without skip). */
  removeOldKey: boolean;
}

/** Never rejects: it runs after the request was answered, where upstream can only log a failure. */
export async function reencryptSecrets(
  lab: LabRuntime,
  node: LabNode,
  options: ReencryptOptions,
): Promise<ReencryptResult> {
  try {
    return await reencryptAndRemoveKey(lab, node, options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    node.journal.service(node.prog, node.service.mainPid, 'error', `secrets reencryption failed: ${reason}`);
    return { kind: 'interrupted', reason };
  }
}

async function reencryptAndRemoveKey(
  lab: LabRuntime,
  node: LabNode,
  options: ReencryptOptions,
): Promise<ReencryptResult> {
  const pid = node.service.mainPid;
  node.journal.service(node.prog, pid, 'info', 'Creating secrets-reencrypt event broadcaster');
  const rewritten = await rewriteEverySecret(lab, node, pid);
  if (rewritten.kind === 'interrupted') return rewritten;
  if (options.removeOldKey) await removeOldKey(lab, node, pid);
  else {
    // --skip: the annotation goes back to what the state file says (the stage before reencrypt_active).
    node.encryptionHash = (await readStateFile(node)) ?? node.encryptionHash;
  }
  return rewritten;
}

async function rewriteEverySecret(lab: LabRuntime, node: LabNode, pid: number): Promise<ReencryptResult> {
  const total = lab.options.secrets;
  const every = reencryptEventEvery(lab.options.version);
  const startedAt = Date.now();
  let nextEvent = every;
  let done = 0;
  while (done < total) {
    if (!(await lab.clock.sleep(TICK_MS, lab.lifetime.signal))) return { kind: 'interrupted', reason: 'lab stopped' };
    // The goroutine dies with the process: a stopped or restarted server leaves the work half done.
    if (node.service.state !== 'active' || node.service.mainPid !== pid)
      return { kind: 'interrupted', reason: `${node.unit} stopped` };
    const simulatedSeconds = ((Date.now() - startedAt) * lab.options.speed) / 1000;
    done = Math.min(total, Math.floor(simulatedSeconds * SECRETS_PER_SECOND));
    // Upstream reports after each multiple of N it has passed, never for the last secret (the completion does).
    for (; nextEvent <= done && nextEvent < total; nextEvent += every) {
      recordEvent(lab, node, pid, 'SecretsProgress', `reencrypted ${nextEvent} secrets`);
    }
  }
  recordEvent(lab, node, pid, 'SecretsUpdateComplete', reencryptCompleteMessage(lab.options.version, total));
  return { kind: 'finished', secrets: total };
}

async function removeOldKey(lab: LabRuntime, node: LabNode, pid: number): Promise<void> {
  const current = await readNodeEncryption(node);
  if (!current) return;
  const { layout } = current;
  const keys = layout.keys.length > 1 ? layout.keys.slice(0, -1) : layout.keys;
  if (layout.keys.length > 1)
    node.journal.service(
      node.prog,
      pid,
      'info',
      `Removing ${layout.provider} key: ${layout.keys[layout.keys.length - 1].name}`,
    );
  const text = encryptionConfigText({ ...layout, keys });
  await writeNodeConfig(node, text);
  await publishStage(node, 'reencrypt_finished', text, true);
  lab.datastore.saveEncryption(text, 'reencrypt_finished');
  node.syncedEncryptionRevision = lab.datastore.encryption.revision;
}

function recordEvent(lab: LabRuntime, node: LabNode, pid: number, reason: string, message: string): void {
  lab.emitEvent(node.spec.name, reason, message);
  if (secretsEventLogForm(lab.options.version) === 'logrus-object-reference') {
    // client-go's StartLogging format: "Event(%#v): type: '%v' reason: '%v' %v" with the Node's ObjectReference.
    const name = node.spec.name;
    const ref = `v1.ObjectReference{Kind:"Node", Namespace:"", Name:"${name}", UID:"${name}", APIVersion:"", ResourceVersion:"", FieldPath:""}`;
    node.journal.service(node.prog, pid, 'info', `Event(${ref}): type: 'Normal' reason: '${reason}' ${message}`);
    return;
  }
  node.journal.klog(
    node.prog,
    pid,
    'event.go:389',
    `"Event occurred" object="${node.spec.name}" fieldPath="" kind="Node" apiVersion="" type="Normal" reason="${reason}" message="${message}"`,
  );
}
