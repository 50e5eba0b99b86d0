// Secrets-encryption files on a server: server/cred/encryption-config.json and encryption-state.json, which holds
// `<stage>-<sha256 of the config's raw bytes>` (plain text despite the name), rewritten on every start.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ENCRYPTION_CONFIG, ENCRYPTION_STATE } from '../src/model/cert-files.js';
import { sha256Hex } from './pki/index.js';

export async function writeEncryptionFiles(dataDir: string, configText: string, stage = 'start'): Promise<string> {
  await mkdir(path.join(dataDir, 'server', 'cred'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(dataDir, ENCRYPTION_CONFIG), configText, { mode: 0o600 });
  const state = `${stage}-${sha256Hex(configText)}`;
  await writeFile(path.join(dataDir, ENCRYPTION_STATE), state, { mode: 0o600 });
  return state;
}

export async function readEncryptionConfig(dataDir: string): Promise<string | null> {
  return readOptional(path.join(dataDir, ENCRYPTION_CONFIG));
}

export async function readEncryptionState(dataDir: string): Promise<string | null> {
  const text = await readOptional(path.join(dataDir, ENCRYPTION_STATE));
  return text === null ? null : text.trim();
}

/** `reencrypt_finished-<hex>` → `reencrypt_finished` (stages use underscores, so the last dash splits). */
export function stageOf(state: string): string {
  const dash = state.lastIndexOf('-');
  return dash < 0 ? state : state.slice(0, dash);
}

/**
 * What a server does on start: keep the stage, recompute the hash of the config as it is now. Returns the new
 * state, or null when the node has no encryption config.
 */
export async function refreshEncryptionState(dataDir: string): Promise<string | null> {
  const config = await readOptional(path.join(dataDir, ENCRYPTION_CONFIG));
  if (config === null) return null;
  const previous = await readEncryptionState(dataDir);
  const state = `${previous ? stageOf(previous) : 'start'}-${sha256Hex(config)}`;
  await writeFile(path.join(dataDir, ENCRYPTION_STATE), state, { mode: 0o600 });
  return state;
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
