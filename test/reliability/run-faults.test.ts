// Run-time faults on a split rke2 lab, driven through the engine's API with the real transports (and, where the
// terminal is the point, `keyturn run` in tmux): a node that does not come back, an etcd member lost while the run
// is on a later node, the API disappearing mid-run, a stale run lock, a node unreachable at discovery. Each time:
// the run stops or carries on as designed, the journal reads back and folds, and the lab's record shows no
// disruptive command (systemctl stop/start/restart, `rke2 certificate rotate`) repeated or skipped.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { rotateCerts } from '../../recipes/rotate-certs.js';
import { openClusterSession } from '../../src/commands/cluster-session.js';
import { nodeFactsFrom } from '../../src/run/node-facts.js';
import { planRun } from '../../src/engine/plan.js';
import type { GateCheckResult } from '../../src/engine/events.js';
import { acquireRunLock, LEASE_NAME, LEASE_NAMESPACE } from '../../src/engine/lock.js';
import { renderReport } from '../../src/engine/report.js';
import { readJournal } from '../../src/journal/index.js';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import type { LabHandle } from '../support/lab.js';
import { cliArgs, repoRoot } from '../support/paths.js';
import { TmuxDriver, exitedWith } from '../e2e/run-tmux.js';
import type { RunHooks } from './support-lab-run.js';
import {
  ALL_ONCE,
  disruptiveCounts,
  disruptiveKind,
  finishes,
  labFault,
  newStateDir,
  planLabRun,
  readBack,
  realClock,
  resumeLabRun,
  startLabRun,
} from './support-lab-run.js';
import { shareFaultLab } from './support-fault-lab.js';

const exec = promisify(execFile);
const haveTmux = haveBinaries('tmux');
/** Short, so a gate that cannot pass gives up quickly; the lab's healthy gates pass within ~2 s at --speed 30. */
const GATE_TIMEOUT = 8;

let lab: LabHandle;
const t = new TmuxDriver();
shareFaultLab(t, (l) => (lab = l));

const key = (node: string, step: string, phase = node.startsWith('agent') ? 'agents' : 'servers') =>
  `rotate-certs/${node}/${phase}.${step}`;

/** Runs `act` once, before the first node command of step `stepKey`. */
function beforeStep(stepKey: string, act: () => Promise<void>): RunHooks {
  let done = false;
  return {
    beforeExec: async ({ step }) => {
      if (done || step?.key !== stepKey) return;
      done = true;
      await act();
    },
  };
}

const commandsAfter = async (since: string) => (await lab.record()).filter((e) => e.type === 'command' && e.t >= since);

describe('gates that cannot pass stop the run at that node', () => {
  it('a node that never comes back, then an etcd member lost on a later node: each stops at its gate naming the node; resume finishes with nothing repeated', async () => {
    const since = new Date().toISOString();
    const stateDir = newStateDir(lab.dir);
    const plan = await planLabRun(lab, rotateCerts, 'faults-gates', { gateTimeoutSeconds: GATE_TIMEOUT });

    // (a) etcd-2 is restarted by keyturn, then its service dies and stays failed as its gate begins.
    let downAt = '';
    const a = await startLabRun(
      lab,
      plan,
      stateDir,
      beforeStep(key('etcd-2', 'gate'), async () => {
        downAt = new Date().toISOString();
        await labFault(lab.dir, 'stop-service', 'etcd-2');
      }),
    );
    expect(downAt).not.toBe('');
    const fa = a.state.outcome.status === 'failed' ? a.state.outcome.failure : null;
    expect(fa, renderReport(a.state)).toMatchObject({
      node: 'etcd-2',
      key: key('etcd-2', 'gate'),
      check: 'unit-active',
    });
    expect(fa!.message).toMatch(
      new RegExp(
        `^unit-active failed on etcd-2: rke2-server is failed \\(still failing after \\d+s; gate timeout ${GATE_TIMEOUT}s\\)$`,
      ),
    );
    expect(fa!.fix).toContain('journalctl -u rke2-server -n 200` on etcd-2');
    expect(fa!.fix).toContain('keyturn resume');
    expect(fa!.evidence.join('\n')).toMatch(/etcd-2 systemd\[1\]: rke2-server.service: .*(killed|Failed)/);
    // Nothing after etcd-2 ran: no step of a later node started, no command on any other node since the fault.
    const laterNodes = plan.nodes.slice(plan.nodes.findIndex((n) => n.name === 'etcd-2') + 1).map((n) => n.name);
    expect(
      a.events.filter((e) => e.type === 'step-started' && laterNodes.some((n) => e.key.includes(`/${n}/`))),
    ).toEqual([]);
    expect((await commandsAfter(downAt)).filter((e) => e.type === 'command' && e.node !== 'etcd-2')).toEqual([]);
    const afterA = await readBack(stateDir, plan.runId);
    expect(afterA.read.skipped).toEqual([]);
    expect(afterA.state.outcome).toEqual(a.state.outcome);

    // The operator brings etcd-2 back; resume re-runs its failed gate, then goes on. (b) When the run is on cp-1,
    // etcd-1's service dies: cp-1's etcd gate fails and names the member.
    expect((await lab.run('etcd-2', 'systemctl start rke2-server')).code).toBe(0);
    let lostAt = '';
    const b = await resumeLabRun(
      lab,
      stateDir,
      plan.runId,
      beforeStep(key('cp-1', 'gate'), async () => {
        // Killing rke2-server alone leaves the etcd static pod running (KillMode=process): the killall script takes
        // the member down (the operator's own command, before the moment from which no command may run).
        expect((await lab.run('etcd-1', 'rke2-killall.sh')).code).toBe(0);
        lostAt = new Date().toISOString();
      }),
    );
    expect(b.asked[0]).toMatchObject({ node: 'etcd-2', resumed: true });
    expect(b.events.find((e) => e.type === 'step-checked')).toMatchObject({
      key: key('etcd-2', 'gate'),
      verdict: 'not-done',
    });
    const fb = b.state.outcome.status === 'failed' ? b.state.outcome.failure : null;
    expect(fb, renderReport(b.state)).toMatchObject({ node: 'cp-1', key: key('cp-1', 'gate'), check: 'etcd-quorum' });
    expect(fb!.message).toMatch(
      /^etcd-quorum failed on cp-1: 1 of 3 etcd members unhealthy: etcd-1 \(asked etcd-\d\) \(still failing after \d+s/,
    );
    // Read on etcd-1 itself: nothing listens on its loopback 2381 (since k3s#8402 no peer can read its health).
    expect(fb!.evidence.join('\n')).toMatch(/etcd-1 127\.0\.0\.1:2381.*not running.*(Couldn't connect|refused)/);
    expect(fb!.fix).toContain('keyturn resume');
    expect((await commandsAfter(lostAt)).filter((e) => e.type === 'command' && e.node !== 'cp-1')).toEqual([]);
    expect((await readBack(stateDir, plan.runId)).state.outcome).toEqual(b.state.outcome);

    // etcd-1 back: the run finishes.
    expect((await lab.run('etcd-1', 'systemctl start rke2-server')).code).toBe(0);
    const c = await resumeLabRun(lab, stateDir, plan.runId);
    expect(c.state.outcome.status, renderReport(c.state)).toBe('succeeded');

    const { read, state } = await readBack(stateDir, plan.runId);
    expect(read.skipped).toEqual([]);
    expect(state.outcome.status).toBe('succeeded');
    expect(state.sessions).toBe(3);
    expect(Object.entries(state.steps).filter(([, s]) => s.status !== 'done')).toEqual([]);
    const twice = [...finishes(read.events)].filter(([, r]) => r.length > 1);
    expect(twice).toEqual([
      [key('etcd-2', 'gate'), ['failed', 'done']],
      [key('cp-1', 'gate'), ['failed', 'done']],
    ]);
    // One stop, one rotate, one start per node from keyturn; etcd-1 and etcd-2 have the operator's start too.
    const counts = disruptiveCounts(await lab.record(), since);
    expect(counts).toEqual(
      Object.fromEntries(
        plan.nodes.map((n) => [n.name, ['etcd-1', 'etcd-2'].includes(n.name) ? { ...ALL_ONCE, start: 2 } : ALL_ONCE]),
      ),
    );
  }, 240_000);
});

describe('the API disappearing mid-run', () => {
  it('Ready is recorded as skipped ("API unreachable") while the checks over the node shells go on; the run finishes', async () => {
    const since = new Date().toISOString();
    const stateDir = newStateDir(lab.dir);
    const plan = await planLabRun(lab, rotateCerts, 'faults-api', { gateTimeoutSeconds: 30 });
    // Both control-plane servers die just before keyturn takes etcd-1 down: the API answers 503 from then on,
    // until keyturn itself restarts cp-1.
    const run = await startLabRun(
      lab,
      plan,
      stateDir,
      beforeStep(key('etcd-1', 'stop'), async () => {
        // Their apiserver static pods outlive a killed rke2-server: the killall script takes them down.
        await Promise.all(
          ['cp-1', 'cp-2'].map(async (n) => expect((await lab.run(n, 'rke2-killall.sh')).code).toBe(0)),
        );
      }),
    );
    expect(run.state.outcome.status, renderReport(run.state)).toBe('succeeded');
    const gate = (node: string): { summary: string; checks: GateCheckResult[] } => {
      const r = run.state.steps[key(node, 'gate')].result;
      if (r?.status !== 'done') throw new Error(`${node} gate: ${JSON.stringify(r)}`);
      return { summary: r.summary, checks: r.data?.gate ?? [] };
    };
    for (const node of ['etcd-1', 'etcd-2', 'etcd-3']) {
      const g = gate(node);
      expect(
        g.checks.map((c) => [c.check, c.status]),
        node,
      ).toEqual([
        ['unit-active', 'pass'],
        ['node-ready', 'skipped'],
        ['etcd-quorum', 'pass'],
        ['certs-fresh', 'pass'],
        ['cas-unchanged', 'pass'],
      ]);
      expect(g.checks[1].detail).toMatch(
        /^API unreachable \(unavailable 503: .+\): Ready not checked; the checks over the node's shell still apply$/,
      );
      expect(g.summary).toContain('node-ready: skipped (API unreachable (unavailable 503');
    }
    // Once keyturn restarted cp-1 the API was back, and Ready was checked again.
    for (const node of ['cp-1', 'cp-2', 'agent-1', 'agent-2'])
      expect(gate(node).checks.find((c) => c.check === 'node-ready')?.status, node).toBe('pass');
    expect(renderReport(run.state)).toContain('node-ready: skipped — API unreachable (unavailable 503');

    const { read, state } = await readBack(stateDir, plan.runId);
    expect(read.skipped).toEqual([]);
    expect(state.outcome.status).toBe('succeeded');
    expect([...finishes(read.events)].filter(([, r]) => r.join() !== 'done')).toEqual([]);
    expect(disruptiveCounts(await lab.record(), since)).toEqual(
      Object.fromEntries(plan.nodes.map((n) => [n.name, ALL_ONCE])),
    );
  }, 180_000);
});

describe.skipIf(!haveTmux)('a run lock left by a dead run (keyturn run in tmux)', () => {
  it('once its TTL expired, is taken over only after the operator says y; n leaves it in place', async () => {
    const since = new Date().toISOString();
    const dead = { holder: 'alice@old-laptop', runId: '20260101T000000Z-rotate-certs-dead' };
    const session = await openClusterSession({ kubeconfig: lab.kubeconfig, inventory: lab.inventory });
    try {
      const planned = planRun(rotateCerts, await session.discover(), {
        runId: dead.runId,
        nodeFacts: nodeFactsFrom(session.targets()),
      });
      if (!planned.ok) throw new Error(planned.refusal.reason);
      const { plan } = planned;
      const plant = (lastRenewedMsAgo: number) =>
        acquireRunLock(
          {
            kube: session.gateway,
            shell: (n) => session.shell(n),
            clock: { ...realClock, now: () => Date.now() - lastRenewedMsAgo },
            confirmTakeover: async () => false,
          },
          plan,
          dead,
          60,
        );
      // The workstation lock of a keyturn process that is gone (stale: taken without a question).
      const { stdout: gonePid } = await exec('sh', ['-c', 'sh -c "echo \\$\\$"']);
      await writeFile(
        path.join(t.stateDir, 'keyturn.lock'),
        JSON.stringify({ pid: Number(gonePid.trim()), runId: dead.runId, holder: dead.holder, since }),
      );

      // Its last renewal was two minutes ago (TTL 60 s): a new run asks before taking it over; n leaves it. (A lock
      // whose TTL still runs is refused naming the holder: test/e2e/run-rotate.test.ts.)
      expect((await plant(120_000)).ok).toBe(true);
      const question =
        /The run lock at Lease kube-system\/keyturn is held by alice@old-laptop \(run 20260101T000000Z-rotate-certs-dead\); it expired at \S+/;
      await t.start('declined', lab, ['run', 'rotate-certs', '--settle', '1']);
      await t.waitFor('declined', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
      await t.send('declined', 'Enter');
      expect(await t.waitFor('declined', 'the takeover question', (s) => question.test(s), 60_000)).toMatch(question);
      await t.send('declined', 'n');
      const declined = await t.waitFor('declined', 'keyturn to exit', (s) => exitedWith(s) !== null);
      expect(exitedWith(declined)).toBe(1);
      expect(declined).toMatch(
        /refusing to start: the run lock \(Lease kube-system\/keyturn\) is held by alice@old-laptop .* — takeover declined/,
      );
      const stillHeld = await session.gateway!.getLease(LEASE_NAMESPACE, LEASE_NAME);
      expect(stillHeld.ok && stillHeld.value.holderIdentity).toBe(`${dead.holder} run=${dead.runId}`);

      // y takes it over: the journal records whose lock was taken, where; then q at the first node.
      await t.start('takeover', lab, ['run', 'rotate-certs', '--settle', '1']);
      await t.waitFor('takeover', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
      await t.send('takeover', 'Enter');
      await t.waitFor('takeover', 'the takeover question', (s) => question.test(s), 60_000);
      await t.send('takeover', 'y');
      await t.waitFor('takeover', 'the first node question', (s) => /These steps will run on etcd-1/.test(s), 60_000);
      await t.send('takeover', 'q');
      const quit = await t.waitFor('takeover', 'keyturn to exit', (s) => exitedWith(s) !== null);
      expect(exitedWith(quit)).toBe(1);
      expect(quit).toMatch(
        /■ quit \(operator quit at rotate-certs\/etcd-1\/servers\): resume with `keyturn resume --kubeconfig \S+ --inventory \S+`/,
      );

      const runId = /run (\S+-rotate-certs-\S+);/.exec(quit)?.[1] ?? /keyturn report (\S+)/.exec(quit)?.[1];
      expect(runId).toBeTruthy();
      const { events, skipped } = await readJournal(t.stateDir, runId!);
      expect(skipped).toEqual([]);
      const takeovers = events.filter((e) => e.type === 'lock' && e.action === 'taken-over');
      const servers = plan.nodes.filter((n) => n.server);
      expect(takeovers.map((e) => e.type === 'lock' && e.where)).toEqual([
        'Lease kube-system/keyturn',
        ...servers.map((n) => `${n.name}:${n.dataDir}/keyturn.lock`),
      ]);
      for (const e of takeovers) expect(e.type === 'lock' && e.previous).toMatchObject(dead);
      expect(events.map((e) => e.type)).toEqual([
        'run-created',
        ...takeovers.map(() => 'lock'),
        'session-started',
        'run-quit',
        'lock',
      ]);
      // Released on the way out: no lease, no lock file, and nothing disruptive ran.
      expect((await session.gateway!.getLease(LEASE_NAMESPACE, LEASE_NAME)).ok).toBe(false);
      for (const n of servers)
        expect((await lab.run(n.name, `cat ${n.dataDir}/keyturn.lock 2>&1 || true`)).stdout, n.name).toMatch(
          /No such file/,
        );
      expect((await lab.record()).filter((e) => e.t >= since && disruptiveKind(e) !== null)).toEqual([]);
    } finally {
      await session.dispose();
    }
  }, 240_000);
});

describe('a node unreachable at discovery', () => {
  /** The lab's inventory with `node` reached over ssh at a port nobody listens on. */
  async function inventoryWithUnreachable(node: string): Promise<string> {
    const doc = parse(await readFile(lab.inventory, 'utf8')) as { nodes: Record<string, unknown>[] };
    const entry = doc.nodes.find((n) => n.name === node)!;
    const port = await closedPort(String(entry.address));
    Object.assign(entry, { transport: 'ssh', ssh: { user: 'keyturn', port } });
    const file = path.join(lab.dir, `inventory-${node}-unreachable.yaml`);
    await writeFile(file, stringify(doc));
    return file;
  }

  const cli = async (args: string[], inventory: string) => {
    const env = {
      ...process.env,
      KEYTURN_CONFIG_DIR: path.join(lab.dir, 'config'),
      KEYTURN_STATE_DIR: path.join(lab.dir, 'state'),
    };
    return exec(process.execPath, [...cliArgs, ...args, '--kubeconfig', lab.kubeconfig, '--inventory', inventory], {
      cwd: repoRoot,
      env,
      maxBuffer: 64 << 20,
    }).then(
      (ok) => ({ code: 0, ...ok }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  };

  it('status names it unreachable; plan leaves an agent out with a warning; run refuses without an etcd server', async () => {
    const since = new Date().toISOString();
    const [agentGone, etcdGone] = [await inventoryWithUnreachable('agent-2'), await inventoryWithUnreachable('etcd-2')];
    // An etcd server unreachable: `run` refuses before its screen (the planner's refusal, as `plan` prints it).
    if (haveTmux) await t.start('run-etcd-gone', { ...lab, inventory: etcdGone }, ['run', 'rotate-certs']);
    const [status, planned] = await Promise.all([
      cli(['status', '--json'], agentGone),
      cli(['plan', 'rotate-certs'], agentGone),
    ]);
    expect(status.code).toBe(1);
    const report = JSON.parse(status.stdout) as StatusReport;
    expect(report.nodes.find((n) => n.name === 'agent-2')).toMatchObject({ reachable: false });
    expect(report.nodes.filter((n) => n.name !== 'agent-2').every((n) => n.reachable)).toBe(true);
    expect(report.checks.find((c) => c.id === 'nodes')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/agent-2 \(\S+\) unreachable over SSH: .*Connection refused/),
    });

    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('! agent-2 is not reachable: left out of the plan');
    expect(planned.stdout).toContain('-- agent-1 [');
    expect(planned.stdout).not.toContain('-- agent-2 [');

    if (haveTmux) {
      const refused = await t.waitFor('run-etcd-gone', 'keyturn to exit', (s) => exitedWith(s) !== null, 90_000);
      expect(exitedWith(refused)).toBe(1);
      expect(refused).toContain(
        'keyturn: cannot plan rotate-certs: etcd server(s) etcd-2 not reachable — make every etcd server reachable (ssh, inventory) before changing servers',
      );
    }
    expect((await lab.record()).filter((e) => e.t >= since && disruptiveKind(e) !== null)).toEqual([]);
  }, 180_000);
});

/** A TCP port on `host` that nothing listens on (bound, then released). */
function closedPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
