// One control-plane server's side of secrets encryption: its config file, its state file and the Node
// annotation it publishes, and upstream's check that every control-plane server agrees before a stage moves.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ENCRYPTION_CONFIG, ENCRYPTION_STATE } from '../../src/model/cert-files.js';
import type { EncryptionStage } from '../datastore.js';
import { isControlPlane, type LabNode } from '../lab-node.js';
import type { LabRuntime } from '../lab-runtime.js';
import { sha256Hex } from '../pki/index.js';
import { readEncryptionLayout, type EncryptionLayout } from './config.js';

export interface NodeEncryption {
  text: string;
  layout: EncryptionLayout;
}

/** The server's encryption-config.json and its layout; null when it has none the lab can read. */
export async function readNodeEncryption(node: LabNode): Promise<NodeEncryption | null> {
  const text = await readFile(path.join(node.paths.dataDir, ENCRYPTION_CONFIG), 'utf8').catch(() => null);
  const layout = text === null ? null : readEncryptionLayout(text);
  return text === null || layout === null ? null : { text, layout };
}

export async function writeNodeConfig(node: LabNode, text: string): Promise<void> {
  await writeFile(path.join(node.paths.dataDir, ENCRYPTION_CONFIG), text, { mode: 0o600 });
}

/**
 * Publishes `<stage>-<sha256 of config>` as the node's annotation, and also in its state file when `persist`
 * (upstream never persists reencrypt_active: a restart mid-reencryption falls back to the stage before).
 */
export async function publishStage(
  node: LabNode,
  stage: EncryptionStage,
  configText: string,
  persist: boolean,
): Promise<string> {
  const state = `${stage}-${sha256Hex(configText)}`;
  node.encryptionHash = state;
  if (persist) await writeFile(path.join(node.paths.dataDir, ENCRYPTION_STATE), state, { mode: 0o600 });
  return state;
}

/** The state file's text: what a restart (or `--skip`) brings the annotation back to. */
export async function readStateFile(node: LabNode): Promise<string | null> {
  const text = await readFile(path.join(node.paths.dataDir, ENCRYPTION_STATE), 'utf8').catch(() => null);
  return text === null ? null : text.trim();
}

/**
 * Upstream's verifyEncryptionHashAnnotation: every control-plane Node annotation must be equal ("hash does not
 * match between <first> and <other>", nodes in API list order); then, when `allowed` is given, the answering
 * node must be at one of those stages with the hash of the config it holds. Returns the error text, or null.
 * Like upstream, the stage and hash errors name the first control-plane node, not necessarily this one.
 */
export function verifyEncryptionHashes(
  lab: LabRuntime,
  node: LabNode,
  allowed: EncryptionStage[] | null,
  configText: string,
): string | null {
  const controlPlane = lab.nodes.filter(isControlPlane).sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  const published = controlPlane.filter((n) => n.encryptionHash !== null);
  const first = published[0];
  const other = published.find((n) => n.encryptionHash !== first?.encryptionHash);
  if (first && other) return `hash does not match between ${first.spec.name} and ${other.spec.name}`;
  if (allowed === null) return null;
  const annotation = node.encryptionHash;
  if (annotation === null) return `missing annotation on node ${node.spec.name}`;
  const parts = annotation.split('-');
  if (parts.length !== 2) return `invalid annotation ${annotation} found on node ${node.spec.name}`;
  const [stage, hash] = parts;
  const named = controlPlane[0]?.spec.name ?? node.spec.name;
  if (!(allowed as string[]).includes(stage)) return `incorrect stage: ${stage} found on node ${named}`;
  if (hash !== sha256Hex(configText)) return `invalid hash: ${hash} found on node ${named}`;
  return null;
}
