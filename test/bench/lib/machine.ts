// The machine the numbers came from: CPU model, cores, memory, Node version, load, and the tool versions used.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { runTimed } from './proc.js';

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: string;
  node: string;
  os: string;
  loadBefore: string;
  tools: Record<string, string>;
}

function cpuModel(): string {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

async function versionOf(command: string, args: string[]): Promise<string> {
  const r = await runTimed(command, args, { timeoutMs: 10_000 }).catch(() => null);
  if (!r || r.code !== 0) return 'not installed';
  return (
    (r.stdout || r.stderr)
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? 'unknown'
  );
}

export async function describeMachine(): Promise<Machine> {
  const [etcd, kubectl, tmux, openssl] = await Promise.all([
    versionOf('etcd', ['--version']),
    versionOf('kubectl', ['version', '--client']),
    versionOf('tmux', ['-V']),
    versionOf('openssl', ['version']),
  ]);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpuModel(),
    cores: os.cpus().length,
    memoryGiB: (os.totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadBefore: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
    tools: { etcd, kubectl, tmux, openssl },
  };
}

export function loadNow(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}
