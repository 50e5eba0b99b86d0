// The supervisor's /encrypt/config handler: one function per request, each checking what upstream checks in
// upstream's order and changing what upstream changes — the answering server's own config, state file and
// annotation at once, the datastore for every other server to take on its next start.
import type { EncryptionStage } from '../datastore.js';
import type { LabNode } from '../lab-node.js';
import type { LabRuntime } from '../lab-runtime.js';
import { newEncryptionKey } from '../pki/index.js';
import { reencryptReturnsImmediately, rotateKeysWaitsForReencrypt } from '../upstream-versions.js';
import { addedKeyName, encryptionConfigText, type EncryptionLayout } from './config.js';
import {
  publishStage,
  readNodeEncryption,
  verifyEncryptionHashes,
  writeNodeConfig,
  type NodeEncryption,
} from './node-encryption.js';
import { reencryptSecrets, type ReencryptResult } from './reencrypt.js';
import { waitForEncryptionConfigReload } from './reload.js';

export type StageRequest =
  | { kind: 'prepare'; force: boolean }
  | { kind: 'rotate'; force: boolean }
  | { kind: 'reencrypt'; force: boolean; skip: boolean }
  | { kind: 'rotate-keys' }
  | { kind: 'enable' }
  | { kind: 'disable' };

export type StageResult =
  /** The handler answered 200. */
  | { kind: 'done' }
  /** The handler answered an error (logged with an ID on the server). */
  | { kind: 'refused'; error: string }
  /** The handler holds the request until reencryption ends; the CLI gives up after its client timeout. */
  | { kind: 'working'; finished: Promise<ReencryptResult>; clientTimeoutMs: number };

/** The CLI's client timeout for a request, and the one rotate-keys sets since it waits for the re-encryption (90 s). */
export const CLIENT_TIMEOUT_MS = 10_000;
const ROTATE_KEYS_TIMEOUT_MS = 90_000;
/** How soon the old secrets controller saw a reencrypt_request annotation (it watches Nodes). */
const CONTROLLER_PICKUP_MS = 1_000;

const AFTER_REENCRYPT: EncryptionStage[] = ['start', 'reencrypt_finished'];

export async function handleStageRequest(lab: LabRuntime, node: LabNode, request: StageRequest): Promise<StageResult> {
  const current = await readNodeEncryption(node);
  if (!current) return { kind: 'refused', error: 'open encryption-config.json: no such file or directory' };
  switch (request.kind) {
    case 'prepare':
      return prepare(lab, node, current, request.force);
    case 'rotate':
      return rotate(lab, node, current, request.force);
    case 'reencrypt':
      return reencrypt(lab, node, current, request.force, request.skip);
    case 'rotate-keys':
      return rotateKeys(lab, node, current);
    case 'enable':
    case 'disable':
      return setEnabled(lab, node, current, request.kind === 'enable');
    default: {
      const never: never = request;
      throw new Error(`unknown stage request ${JSON.stringify(never)}`);
    }
  }
}

function refusal(
  lab: LabRuntime,
  node: LabNode,
  current: NodeEncryption,
  allowed: EncryptionStage[],
  force: boolean,
): StageResult | null {
  const problem = verifyEncryptionHashes(lab, node, allowed, current.text);
  return problem && !force ? { kind: 'refused', error: problem } : null;
}

function secretboxRefusal(request: string, current: NodeEncryption): StageResult | null {
  return current.layout.provider === 'secretbox'
    ? { kind: 'refused', error: `${request} does not support secretbox key type, use rotate-keys instead` }
    : null;
}

async function prepare(lab: LabRuntime, node: LabNode, current: NodeEncryption, force: boolean): Promise<StageResult> {
  const refused = refusal(lab, node, current, AFTER_REENCRYPT, force) ?? secretboxRefusal('prepare', current);
  if (refused) return refused;
  const key = newEncryptionKey(addedKeyName(current.layout.provider, lab.clock.now()));
  node.journal.service(node.prog, node.service.mainPid, 'info', `Adding secrets-encryption key: ${key.name}`);
  await saveStage(lab, node, { ...current.layout, keys: [...current.layout.keys, key] }, 'prepare');
  return { kind: 'done' };
}

async function rotate(lab: LabRuntime, node: LabNode, current: NodeEncryption, force: boolean): Promise<StageResult> {
  const refused = refusal(lab, node, current, ['prepare'], force) ?? secretboxRefusal('rotate', current);
  if (refused) return refused;
  // Right-rotate: the key prepare appended (last) becomes the first, i.e. the one that encrypts.
  const { keys } = current.layout;
  await saveStage(lab, node, { ...current.layout, keys: [...keys.slice(-1), ...keys.slice(0, -1)] }, 'rotate');
  node.journal.service(
    node.prog,
    node.service.mainPid,
    'info',
    `Encryption ${current.layout.provider} keys right rotated`,
  );
  return { kind: 'done' };
}

async function reencrypt(
  lab: LabRuntime,
  node: LabNode,
  current: NodeEncryption,
  force: boolean,
  skip: boolean,
): Promise<StageResult> {
  const refused = refusal(lab, node, current, ['rotate'], force) ?? secretboxRefusal('reencrypt', current);
  if (refused) return refused;
  await publishStage(node, 'reencrypt_active', current.text, false);
  const finished = reencryptSecrets(lab, node, { removeOldKey: !skip });
  // Since k3s#11384 the rewrite runs after the answer; before it, inside the request.
  if (reencryptReturnsImmediately(lab.options.version)) return { kind: 'done' };
  return { kind: 'working', finished, clientTimeoutMs: CLIENT_TIMEOUT_MS };
}

async function rotateKeys(lab: LabRuntime, node: LabNode, current: NodeEncryption): Promise<StageResult> {
  // No --force here upstream: the hashes must match.
  const refused = refusal(lab, node, current, AFTER_REENCRYPT, false);
  if (refused) return refused;
  const waits = rotateKeysWaitsForReencrypt(lab.options.version);
  // Since k3s#10612 the node announces reencrypt_active (annotation only, hash of the config it holds) first.
  if (waits) await publishStage(node, 'reencrypt_active', current.text, false);
  const { layout } = current;
  const key = newEncryptionKey(addedKeyName(layout.provider, lab.clock.now()));
  const keys = [key, ...layout.keys];
  node.journal.service(node.prog, node.service.mainPid, 'info', `Adding secrets-encryption key: ${key.name}`);
  node.journal.service(node.prog, node.service.mainPid, 'info', `Rotating secrets-encryption ${layout.provider} keys`);
  await writeNodeConfig(node, encryptionConfigText({ ...layout, keys }));
  const reload = await waitForEncryptionConfigReload(lab, node);
  // k3s#12373: the handler gives up; the new key stays in this server's config, nothing is re-encrypted, the
  // datastore keeps the old config.
  if (!reload.ok) return { kind: 'refused', error: reload.error };
  if (waits)
    return {
      kind: 'working',
      finished: reencryptSecrets(lab, node, { removeOldKey: true }),
      clientTimeoutMs: ROTATE_KEYS_TIMEOUT_MS,
    };
  // Before: the request ends with the node at reencrypt_request (a hash of the key list, not of the file); the
  // secrets controller then moves it to reencrypt_active and re-encrypts.
  await publishStage(node, 'reencrypt_request', JSON.stringify(keys.map((k) => k.name)), false);
  void (async () => {
    await lab.clock.sleep(CONTROLLER_PICKUP_MS);
    const now = await readNodeEncryption(node);
    if (!now || node.service.state !== 'active') return;
    await publishStage(node, 'reencrypt_active', now.text, false);
    await reencryptSecrets(lab, node, { removeOldKey: true });
  })();
  return { kind: 'done' };
}

async function setEnabled(
  lab: LabRuntime,
  node: LabNode,
  current: NodeEncryption,
  enable: boolean,
): Promise<StageResult> {
  const log = (msg: string) => node.journal.service(node.prog, node.service.mainPid, 'info', msg);
  if (current.layout.enabled === enable) {
    log(`Secrets encryption already ${enable ? 'enabled' : 'disabled'}`);
    return { kind: 'done' };
  }
  log(`${enable ? 'Enabling' : 'Disabling'} secrets encryption`);
  const stage = lab.datastore.encryption.stage;
  await saveStage(lab, node, { ...current.layout, enabled: enable }, stage);
  // Every secret is written again (to or from plain text); the keys stay.
  void reencryptSecrets(lab, node, { removeOldKey: false });
  return { kind: 'done' };
}

/** The answering server writes its own files and annotation now; the datastore carries them to the others. */
async function saveStage(
  lab: LabRuntime,
  node: LabNode,
  layout: EncryptionLayout,
  stage: EncryptionStage,
): Promise<void> {
  const text = encryptionConfigText(layout);
  await writeNodeConfig(node, text);
  await publishStage(node, stage, text, true);
  lab.datastore.saveEncryption(text, stage);
  node.syncedEncryptionRevision = lab.datastore.encryption.revision;
}
