// Reading a lab's secrets-encryption state the way the tests check it: files, journal, status and error causes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { sha256Hex } from '../../../lab/pki/index.js';
import type { LabHandle } from '../../support/lab.js';

export function stateOf(lab: LabHandle, node: string): string {
  return readFileSync(path.join(lab.dir, 'nodes', node, 'data/server/cred/encryption-state.json'), 'utf8');
}

export function configHash(lab: LabHandle, node: string): string {
  return sha256Hex(readFileSync(path.join(lab.dir, 'nodes', node, 'data/server/cred/encryption-config.json')));
}

export function journalOf(lab: LabHandle, node: string): string {
  return readFileSync(path.join(lab.dir, 'nodes', node, 'journal.log'), 'utf8');
}

export async function statusJson(lab: LabHandle, node: string, prog = 'k3s'): Promise<Record<string, unknown>> {
  const result = await lab.run(node, `${prog} secrets-encrypt status -o json`);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

export async function restart(lab: LabHandle, nodes: string[], unit = 'k3s'): Promise<void> {
  for (const node of nodes) {
    const result = await lab.run(node, `systemctl restart ${unit}`);
    expect(result.code, `${node}: ${result.stderr}`).toBe(0);
  }
}

/** The cause the server logged for the error ID the CLI printed. */
export function causeOf(lab: LabHandle, node: string, stderr: string): string {
  const id = /error ID (\d{5})/.exec(stderr)?.[1];
  expect(id, stderr).toBeDefined();
  const line = journalOf(lab, node)
    .split('\n')
    .find((l) => l.includes(`error ID ${id}:`));
  return /error ID \d{5}: (.*)"$/.exec(line ?? '')?.[1] ?? `no journal line for ${id}`;
}
