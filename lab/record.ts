// DIR/record.jsonl: the lab's own audit trail (every node command, service transition and fault), one JSON
// object per line. Written synchronously so a test that saw a command return also sees its entry.
import { appendFileSync } from 'node:fs';
import type { RecordEntry } from './contract.js';

type WithoutTime<T> = T extends unknown ? Omit<T, 't'> : never;

export class LabRecord {
  constructor(private readonly file: string) {}

  append(entry: WithoutTime<RecordEntry>): void {
    const line = JSON.stringify({ t: new Date().toISOString(), ...entry });
    appendFileSync(this.file, line + '\n');
  }
}
