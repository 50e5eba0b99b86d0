// `keyturn run` end to end through real SSH: a split rke2 lab whose every node is reached through the system `ssh`
// and its own real sshd on 127.0.0.1 (its own host key, host-key checking on), with the node's env applied on the
// far side, driven in tmux as a person does. rotate-certs, then (same lab) recover-restart-loop after a parallel
// restart; the lab's record proves the order, each sshd's log proves the commands came over ssh, `status --json`
// over the same inventory passes every check. Then every output of those runs (each screen seen, the full
// scrollback, the journals, the reports, status output) is searched for the lab's secrets.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordEntry } from '../../lab/contract.js';
import type { StatusReport } from '../../src/model/status.js';
import { runCli, type CliResult } from '../reliability/support.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { collectSecrets, filesUnder, leakFinder, pemBody, WINDOW, type Secret } from '../support/secrets.js';
import { sshInventoryFor, startSshdPerNode, type TestSshd } from '../support/sshd.js';
import {
  TmuxDriver,
  ascending,
  exitedWith,
  maxServersDown,
  serverNames,
  serversLostDuringBringUp,
  startOrder,
  stopOrder,
  tiersOf,
} from './run-tmux.js';

const ok = haveBinaries('tmux', 'ssh', 'sshd', 'ssh-keygen');

/** A TmuxDriver that keeps every distinct screen it captured, for the secrets scan. */
class KeepingTmuxDriver extends TmuxDriver {
  readonly screens = new Set<string>();
  override async screen(session: string): Promise<string> {
    const text = await super.screen(session);
    this.screens.add(text);
    return text;
  }
  /** Everything the pane printed, scrolled-off lines included. */
  scrollback(session: string): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', session);
  }
}

interface RunOutcome {
  recipe: string;
  runId: string;
  asked: string[];
  since: string;
}

describe.skipIf(!ok)('keyturn run over real SSH, one sshd per node (split rke2)', () => {
  let lab: LabHandle;
  /** The lab as keyturn sees it here: the same cluster, reached through the ssh inventory. */
  let sshLab: LabHandle;
  let sshds: Map<string, TestSshd>;
  let sandbox = '';
  const t = new KeepingTmuxDriver();
  /** Everything keyturn printed or wrote, by where it came from: searched for secrets at the end. */
  const outputs: { name: string; text: string }[] = [];
  const secrets: Secret[] = [];
  const seen = new Set<string>();
  const runs: RunOutcome[] = [];

  // keyturn's ssh control sockets go under TMPDIR: keep them in this test's sandbox (a short path: unix sockets).
  const env = () => ({ TMPDIR: sandbox, KEYTURN_STATE_DIR: t.stateDir, KEYTURN_CONFIG_DIR: t.configDir });

  beforeAll(async () => {
    sandbox = mkdtempSync('/tmp/kt-e2e-ssh-');
    [lab] = await Promise.all([startLab({ topology: 'split', distro: 'rke2', speed: 120 }), t.setup()]);
    sshds = await startSshdPerNode(lab);
    const inventory = path.join(sandbox, 'inventory-ssh.yaml');
    writeFileSync(inventory, sshInventoryFor(lab, sshds));
    sshLab = { ...lab, inventory };
    collect();
  }, 180_000);

  afterAll(async () => {
    await t.teardown();
    await Promise.allSettled([lab?.stop(), ...[...(sshds?.values() ?? [])].map((d) => d.stop())]);
    if (sandbox) rmSync(sandbox, { recursive: true, force: true });
  });

  /** Adds the lab's secrets now and the ssh identities: each form once (its first name), none under 8 chars. */
  function collect(): void {
    for (const { what, forms } of collectSecrets(lab, sshds)) {
      const fresh = forms.filter((f) => f.length >= 8 && !seen.has(f));
      for (const f of fresh) seen.add(f);
      if (fresh.length > 0) secrets.push({ what, forms: fresh });
    }
  }

  /** `keyturn run <recipe> --settle 1` over the ssh inventory: enter at the preview, y at every node, q at the end. */
  async function runOverSsh(session: string, recipe: string): Promise<RunOutcome> {
    const since = new Date().toISOString();
    await t.start(session, sshLab, ['run', recipe, '--settle', '1'], env());
    const preview = await t.waitFor(
      session,
      'the plan preview',
      (s) => s.includes('Press enter to start') || exitedWith(s) !== null,
      90_000,
    );
    expect(preview).toContain('Press enter to start');
    await t.send(session, 'Enter');
    const { screen, asked } = await t.answerAll(
      session,
      (s) => s.includes('press q to exit') || exitedWith(s) !== null,
    );
    expect(screen).toContain(`${recipe} succeeded on every node`);
    await t.send(session, 'q');
    const end = await t.waitFor(session, 'keyturn to exit', (s) => exitedWith(s) !== null);
    expect(exitedWith(end)).toBe(0);
    const scrollback = await t.scrollback(session);
    outputs.push({ name: `${recipe}: the whole pane`, text: scrollback });
    // No ssh trouble reached the operator: no node unreachable, no multiplexing noise.
    expect(scrollback).not.toMatch(
      /unreachable over SSH|mux_client|control master|disabling multiplexing|kex_exchange_identification/,
    );
    const runId = new RegExp(`keyturn report (\\S+-${recipe}-\\S+)`).exec(end)?.[1];
    expect(runId, end).toBeDefined();
    const outcome = { recipe, runId: runId!, asked, since };
    runs.push(outcome);
    return outcome;
  }

  const accepted = () =>
    new Map(
      [...sshds].map(([name, sshd]) => [
        name,
        sshd
          .log()
          .split('\n')
          .filter((l) => l.startsWith('Accepted publickey')).length,
      ]),
    );

  /** Every node's sshd accepted a connection since `before`: keyturn's commands for that node came through it. */
  function expectEveryNodeReachedOverSsh(before: Map<string, number>, record: RecordEntry[], since: string): void {
    const after = accepted();
    for (const node of lab.nodes)
      expect(after.get(node.name)! - before.get(node.name)!, `${node.name}: ssh connections`).toBeGreaterThan(0);
    const commanded = new Set(
      record.filter((e) => e.t >= since && e.type === 'command').map((e) => (e.type === 'command' ? e.node : '')),
    );
    expect([...commanded].sort()).toEqual(lab.nodes.map((n) => n.name).sort());
  }

  async function statusOverSsh(label: string): Promise<StatusReport> {
    const result = await runCli(['status', '--json', '--kubeconfig', lab.kubeconfig, '--inventory', sshLab.inventory], {
      ...process.env,
      ...env(),
    } as Record<string, string>);
    keep(`status --json after ${label}`, result);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as StatusReport;
    expect(report.cluster).toMatchObject({ source: 'api', apiReachable: true });
    expect(
      report.nodes
        .filter((n) => n.reachable)
        .map((n) => n.name)
        .sort(),
    ).toEqual(lab.nodes.map((n) => n.name).sort());
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(result.code).toBe(0);
    return report;
  }

  function keep(name: string, result: CliResult): void {
    outputs.push({ name: `${name} (stdout)`, text: result.stdout }, { name: `${name} (stderr)`, text: result.stderr });
  }

  it('rotate-certs: asked node by node, etcd → control-plane → agents, one server down at a time, all over ssh', async () => {
    const before = accepted();
    const { asked, since } = await runOverSsh('rotate', 'rotate-certs');
    expect(asked).toHaveLength(lab.nodes.length);
    expect(tiersOf(lab, asked)).toEqual(ascending(tiersOf(lab, asked)));

    const record = await lab.record();
    const order = stopOrder(record, since);
    expect(order).toEqual(asked);
    expect(maxServersDown(record, serverNames(lab), since)).toBe(1);
    expectEveryNodeReachedOverSsh(before, record, since);

    await statusOverSsh('rotate-certs');
    collect(); // the rotated keys too
  }, 300_000);

  it('recover-restart-loop after a parallel restart: stop all, start etcd → control-plane → agents, servers stay up once back', async () => {
    await lab.fault('parallel-restart');
    const before = accepted();
    const { asked, since } = await runOverSsh('recover', 'recover-restart-loop');
    // Asked to stop every node (agents first), then to start each one (etcd servers first).
    const [stopAsked, startAsked] = [asked.slice(0, lab.nodes.length), asked.slice(lab.nodes.length)];
    expect(tiersOf(lab, stopAsked)).toEqual(ascending(tiersOf(lab, stopAsked)).reverse());
    expect(tiersOf(lab, startAsked)).toEqual(ascending(tiersOf(lab, startAsked)));

    const record = await lab.record();
    expect(stopOrder(record, since)).toEqual(stopAsked);
    expect(startOrder(record, since)).toEqual(startAsked);
    // Once the bring-up began, no server that was back went down again.
    expect(serversLostDuringBringUp(record, serverNames(lab), since)).toEqual([]);
    expectEveryNodeReachedOverSsh(before, record, since);

    await statusOverSsh('recover-restart-loop');
    collect();
  }, 300_000);

  it('no secret of the lab in anything those runs printed or wrote: screens, scrollback, journals, reports, status', async () => {
    expect(runs.map((r) => r.runId)).toHaveLength(2);
    for (const { recipe, runId } of runs) {
      const report = await runCli(['report', runId], { ...process.env, ...env() } as Record<string, string>);
      keep(`report ${runId}`, report);
      expect(report.code, report.stderr).toBe(0);
      expect(report.stdout).toContain(recipe);
      for (const node of lab.nodes) expect(report.stdout).toContain(node.name);
    }
    const journals = filesUnder(path.join(t.stateDir, 'runs'), (n) => n.endsWith('.jsonl'));
    expect(journals.length).toBeGreaterThanOrEqual(2);
    for (const file of [...filesUnder(t.stateDir, () => true), ...filesUnder(t.configDir, () => true)]) {
      outputs.push({ name: path.relative(os.tmpdir(), file), text: readFileSync(file, 'utf8') });
    }
    expect(t.screens.size).toBeGreaterThan(20);
    outputs.push({ name: `${t.screens.size} screens captured while driving`, text: [...t.screens].join('\0') });

    // The scan is worth something: there are secrets of every kind to look for, and a planted one is found.
    const whats = new Set(secrets.map((s) => s.what));
    for (const node of lab.nodes)
      expect(
        [...whats].filter((w) => w.startsWith(`${node.name} `) && w.endsWith('.key')).length,
        node.name,
      ).toBeGreaterThan(3);
    expect([...whats].some((w) => w.endsWith('encryption key'))).toBe(true);
    expect([...whats].some((w) => w.includes('token'))).toBe(true);
    expect(whats).toContain('kubeconfig client-key-data');
    expect([...whats].filter((w) => w.startsWith('ssh identity ')).length).toBe(lab.nodes.length);
    const findLeak = leakFinder(secrets);
    const screen = [...t.screens].find((s) => s.includes('succeeded on every node'))!;
    const keyFile = filesUnder(lab.nodes[0].dataDir, (n) => n.endsWith('.key'))[0];
    const key = readFileSync(keyFile, 'utf8');
    const body = pemBody(key);
    expect(findLeak(screen)).toBeNull();
    expect(findLeak(`${screen}\n${key}`)).not.toBeNull();
    expect(findLeak(`${screen}\n│ ${body.slice(100, 100 + WINDOW)} │`)).not.toBeNull();
    expect(findLeak(JSON.stringify({ evidence: key }))).not.toBeNull();
    expect(findLeak(Buffer.from(key).toString('base64'))).not.toBeNull();
    const encryption = secrets.find((s) => s.what.endsWith('encryption key'))!.forms[0];
    expect(findLeak(`secret=${encryption}`)).not.toBeNull();

    expect(outputs.filter((o) => o.text.length > 0).length).toBeGreaterThanOrEqual(9);
    const leaks = outputs.map((o) => [o.name, findLeak(o.text)] as const).filter(([, leak]) => leak !== null);
    expect(leaks).toEqual([]);
  }, 120_000);
});
