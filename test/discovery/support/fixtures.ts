import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturesDir } from '../../support/paths.js';

/** A fixture's bytes without its first "# source:" line (not part of the sample). */
export function fixture(name: string): string {
  const text = readFileSync(path.join(fixturesDir, name), 'utf8');
  return text.startsWith('# source:') ? text.slice(text.indexOf('\n') + 1) : text;
}

export function fixtureBytes(name: string): Buffer {
  const bytes = readFileSync(path.join(fixturesDir, name));
  return bytes.subarray(bytes.indexOf(0x0a) + 1);
}
