// The dashboard inside a small terminal: the header, the API banner, the node table and the failing checks stay on
// screen, the rest gives way; a terminal resize redraws without a key press.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink';
import { App } from '../../src/screens/App.js';
import type { StatusReport } from '../../src/model/status.js';
import { stripAnsi, waitForFrame } from '../components/frames.js';
import { node, splitReport } from '../components/sample-report.js';

class Terminal extends EventEmitter {
  isTTY = true;
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (data: string) => {
    this.frames.push(data);
    return true;
  };
  last = () => stripAnsi(this.frames.at(-1) ?? '');
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

class Keyboard extends EventEmitter {
  isTTY = true;
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  private data: string | null = null;
  read() {
    const d = this.data;
    this.data = null;
    return d;
  }
  write(data: string) {
    this.data = data;
    this.emit('readable');
  }
}

/** API down, every node listed from the inventory, several nodes with diagnoses. */
function apiDownReport(): StatusReport {
  const report = splitReport();
  report.cluster = { ...report.cluster, apiReachable: false, source: 'inventory' };
  const diag = report.nodes.find((n) => n.name === 'cp-1')!.diagnoses[0];
  for (const n of report.nodes) if (n.name !== 'cp-1') n.diagnoses = [{ ...diag, code: `loop-${n.name}` }];
  report.checks[0] = { id: 'api', status: 'fail', detail: 'connect ECONNREFUSED 127.0.0.1:6443' };
  return report;
}

function start(report: StatusReport, columns: number, rows: number) {
  const stdout = new Terminal(columns, rows);
  const stdin = new Keyboard();
  const app = render(<App discover={async () => report} onExit={() => {}} />, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
    // Every write is a whole frame (no cursor moves to replay): the tmux test checks the real terminal.
    debug: true,
  });
  return { stdout, stdin, app };
}

const lines = (frame: string) => frame.replace(/\n$/, '').split('\n');

describe('dashboard layout', () => {
  it('at 80×24 with the API down: header, banner, node table, failing checks and the help bar fit; a resize redraws', async () => {
    const { stdout, app } = start(apiDownReport(), 80, 24);
    try {
      const frame = await waitForFrame(stdout.last, (f) => f.includes('scanned at'));
      expect(lines(frame).length).toBeLessThanOrEqual(23);
      expect(lines(frame)[0]).toMatch(/^rke2 v1\.32\.5\+rke2r1 · 7 nodes · source: inventory/);
      expect(frame).toContain('KUBERNETES API UNREACHABLE');
      expect(frame).toMatch(/NODE\s+ROLES/);
      for (const n of ['etcd-1', 'etcd-2', 'etcd-3', 'cp-1', 'cp-2', 'agent-1', 'agent-2'])
        expect(frame).toMatch(new RegExp(`^[› ] ${n}\\s`, 'm'));
      expect(frame).toContain('✗ api');
      expect(frame).toMatch(/q quit/);
      // The lower part gave way.
      expect(frame).not.toContain('Earliest leaf expiry');

      // Taller: the lower part comes back without a key press.
      stdout.resize(100, 60);
      const tall = await waitForFrame(stdout.last, (f) => f.includes('Earliest leaf expiry'));
      expect(lines(tall)[0]).toMatch(/^rke2 /);
      // And shorter again: the header is still the first line.
      stdout.resize(80, 24);
      const short = await waitForFrame(stdout.last, (f) => !f.includes('Earliest leaf expiry'));
      expect(lines(short)[0]).toMatch(/^rke2 /);
      expect(lines(short).length).toBeLessThanOrEqual(23);
    } finally {
      app.unmount();
    }
  });

  it('at 80×24 with a healthy cluster the timeline shows under the table, and pgdn scrolls it', async () => {
    const report = splitReport();
    for (const n of report.nodes) n.diagnoses = [];
    report.checks = report.checks.map((c) => ({ ...c, status: 'pass' as const }));
    const { stdout, stdin, app } = start(report, 80, 24);
    try {
      const frame = await waitForFrame(stdout.last, (f) => f.includes('scanned at'));
      expect(lines(frame)[0]).toMatch(/^rke2 /);
      expect(frame).toContain('Earliest leaf expiry');
      expect(frame).not.toMatch(/^Checks$/m);
      expect(lines(frame).length).toBeLessThanOrEqual(23);
      await new Promise((r) => setImmediate(r));
      stdin.write('\x1b[6~'); // page down
      const scrolled = await waitForFrame(stdout.last, (f) => f.includes('expired 3d ago'));
      expect(scrolled).not.toContain('Earliest leaf expiry');
      stdin.write('\x1b[6~');
      await waitForFrame(stdout.last, (f) => /^Checks$/m.test(f));
      // The help overlay takes its rows from the dashboard, not from the header.
      stdin.write('?');
      const help = await waitForFrame(stdout.last, (f) => f.includes('Keys on this screen'));
      expect(lines(help)[0]).toMatch(/^rke2 /);
      expect(lines(help).length).toBeLessThanOrEqual(23);
      expect(help).toContain('ctrl-c quits from anywhere');
      expect(lines(scrolled)[0]).toMatch(/^rke2 /);
    } finally {
      app.unmount();
    }
  });

  it('a 40-node cluster at 80×24 with the API down: the table scrolls inside the screen, the selected row and the banner stay', async () => {
    const report = apiDownReport();
    for (let i = 1; i <= 33; i++) report.nodes.push(node(`agent-${String(i + 2).padStart(2, '0')}`, ['worker']));
    const { stdout, stdin, app } = start(report, 80, 24);
    try {
      const frame = await waitForFrame(stdout.last, (f) => f.includes('scanned at'));
      expect(lines(frame).length).toBeLessThanOrEqual(23);
      expect(lines(frame)[0]).toMatch(/^rke2 .* 40 nodes/);
      expect(frame).toContain('KUBERNETES API UNREACHABLE');
      expect(frame).toMatch(/^› etcd-1\s/m);
      expect(frame).toMatch(/↓ \d+ more/);
      expect(frame).toContain('q quit');
      await new Promise((r) => setImmediate(r));
      stdin.write('j'.repeat(20));
      const moved = await waitForFrame(stdout.last, (f) => /^› \S+/m.exec(f)?.[0] !== '› etcd-1');
      expect(moved).toMatch(/^› agent-/m);
      expect(moved).toMatch(/↑ \d+ more/);
      expect(lines(moved)[0]).toMatch(/^rke2 /);
      expect(lines(moved).length).toBeLessThanOrEqual(23);
    } finally {
      app.unmount();
    }
  });
});
