// Benchmark 7: the scan over real SSH at fleet size. For 10, 25 and 50 lab nodes, each behind its own sshd on its
// own loopback address (lib/ssh-fleet.ts: key auth, host keys checked against a known_hosts line per node), three
// tools read the fleet, interleaved in the same run with the same parallelism:
//   keyturn    `keyturn status --json --kubeconfig K --inventory I` with every node `transport: ssh` (as users run it)
//   pssh       `parallel-ssh -p <keyturn's SCAN_CONCURRENCY>` running keyturn's own scan script on every node:
//              one round trip per node, no start-up of ours, no parsing — the limit for this design
//   Ansible    `ansible all -f <same> -m shell -a 'for c in …/*.crt; do openssl x509 -enddate …'`: what operators type
// plus the connection set-up cost (a fresh ssh connection per node, first command through a new master vs through
// a warm one) and how it grows from 10 to 50 nodes.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBenchLab, type BenchLab, type InventoryEntry } from './lib/bench-lab.js';
import { keyturnConcurrency } from './lib/parallel-rt.js';
import { haveBinary, keyturnArgs, runTimed, stderrTail, type Timed } from './lib/proc.js';
import { startSshFleet, type SshFleet } from './lib/ssh-fleet.js';
import { fmtMs, fmtRatio, fmtRuns, median } from './lib/stats.js';
import type { Bench, BenchContext, Row } from './lib/types.js';
import { notMeasured, reasonOf, verdict } from './lib/types.js';

type Outcome = { ok: true; times: number[] } | { ok: false; reason: string };
type Tool = 'keyturn' | 'pssh' | 'ansible';

interface SetupCost {
  /** One `ssh -o ControlMaster=no … true` per node, one after the other: per-connection times. */
  fresh: number[];
  /** Opening a master (ssh -f -N, returns once authenticated), then the first command through it. */
  masterOpen: number[];
  /** A command through an already-open master (no TCP, no key exchange, no auth). */
  warm: number[];
  /** `ssh … true` to every node, `concurrency` in flight: the fleet's set-up alone, in parallel. */
  parallelFresh: number[];
}

interface SizeResult {
  nodes: number;
  tools: Record<Tool, Outcome>;
  setup: SetupCost | { error: string };
  trace: SshTrace | { error: string };
  /** The same traced run without --kubeconfig (no Kubernetes client, no API reads). */
  traceNoApi: SshTrace | { error: string };
}

const PSSH = 'parallel-ssh';
const ANSIBLE = 'ansible';

function sshBase(fleet: SshFleet): string[] {
  return [...fleet.sshOptions, '-p', String(fleet.port), '-l', fleet.user];
}

/** keyturn's inventory for the fleet: every node over ssh, by its own address, host keys checked. */
function keyturnInventory(fleet: SshFleet, nodes: readonly InventoryEntry[]): string {
  const list = nodes.map((n) => ({
    name: n.name,
    address: n.address,
    roles: n.roles,
    distro: n.distro,
    dataDir: n.dataDir,
    transport: 'ssh',
    ssh: {
      port: fleet.port,
      user: fleet.user,
      identityFile: fleet.identityFile,
      options: [`UserKnownHostsFile=${fleet.knownHostsFile}`, 'StrictHostKeyChecking=yes'],
    },
  }));
  return `nodes: ${JSON.stringify(list, null, 2)}\n`;
}

/**
 * Each node's own scan script, built by keyturn's code for that node (its data dir and roles differ, so the script
 * does too), written where the node's sessions find it ($KT_BENCH_SCAN, set by its sshd). parallel-ssh sends one
 * command line to every host, so it runs `sh "$KT_BENCH_SCAN"`: the same node-side work as keyturn's round trip.
 */
async function writeScanScripts(
  dir: string,
  nodes: readonly InventoryEntry[],
): Promise<Map<string, { file: string; end: string }>> {
  const { buildScanScript, newMarker } = await import('../../src/discovery/scan-script.js');
  const etcd = nodes.filter((n) => n.roles.includes('etcd')).map((n) => n.address);
  const out = new Map<string, { file: string; end: string }>();
  for (const n of nodes) {
    const marker = newMarker();
    const roles = n.roles.filter((r) => r === 'etcd' || r === 'control-plane' || r === 'worker');
    const script = buildScanScript({
      distro: n.distro === 'k3s' ? 'k3s' : 'rke2',
      roles,
      address: n.address,
      dataDir: n.dataDir,
      etcdPeers: etcd.filter((a) => a !== n.address),
      journalLines: 40,
      marker,
    });
    const file = path.join(dir, `scan-${n.name}.sh`);
    writeFileSync(file, script);
    out.set(n.name, { file, end: `${marker} end` });
  }
  return out;
}

function ensureOk(r: Timed, what: string): void {
  if (r.timedOut) throw new Error(`${what} did not finish within its timeout`);
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${stderrTail(r)}`);
}

async function timeKeyturn(ctx: { lab: BenchLab; inventory: string; nodes: number; work: string }): Promise<number> {
  const state = mkdtempSync(path.join(ctx.work, 'kt-'));
  // keyturn's control sockets: in its state dir (XDG_RUNTIME_DIR unset), fresh each run: a cold start, as a user's.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KEYTURN_CONFIG_DIR: path.join(state, 'c'),
    KEYTURN_STATE_DIR: path.join(state, 's'),
  };
  delete env.XDG_RUNTIME_DIR;
  try {
    const r = await runTimed(
      process.execPath,
      [...keyturnArgs, 'status', '--json', '--kubeconfig', ctx.lab.kubeconfig, '--inventory', ctx.inventory],
      { env, timeoutMs: 300_000 },
    );
    if (r.timedOut) throw new Error('keyturn status did not finish within 300 s');
    let doc: { nodes?: { name: string; reachable?: boolean; certificates?: unknown[] }[] };
    try {
      doc = JSON.parse(r.stdout) as typeof doc;
    } catch {
      throw new Error(`keyturn status printed no JSON (exit ${r.code}): ${stderrTail(r)}`);
    }
    const read = (doc.nodes ?? []).filter((n) => n.reachable && (n.certificates?.length ?? 0) > 0).length;
    if (read !== ctx.nodes || doc.nodes?.length !== ctx.nodes)
      throw new Error(`keyturn status read ${read} of ${ctx.nodes} nodes over ssh: ${stderrTail(r)}`);
    return r.ms;
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

/** What one traced keyturn run started: ssh processes by kind, and when each phase ended (ms after the first). */
interface SshTrace {
  counts: Record<'config' | 'master' | 'command' | 'stop' | 'other', number>;
  stopFailed: number;
  phases: string;
  /** CPU seconds (user + system): keyturn with everything it started, and the ssh processes alone. */
  cpu: { total: number; ssh: number };
  /** keyturn's wall time split: before its first ssh, first ssh start to last ssh end, after the last ssh. */
  wall: { beforeMs: number; sshMs: number; afterMs: number };
}

/** dash's `times` prints "0m0.090000s"-style user and system times. */
function timesSeconds(field: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(field);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

/**
 * Runs keyturn status once more with a logging `ssh` first on PATH (it runs the real one and notes its kind,
 * start/end and CPU), under /usr/bin/time for the CPU of keyturn and everything it started, to show where keyturn's
 * time over ssh goes. `withApi: false` leaves out --kubeconfig: no Kubernetes client is loaded and no API read,
 * so the difference is what those cost the scans. Not part of the timed runs.
 */
async function traceKeyturnSsh(ctx: {
  lab: BenchLab;
  inventory: string;
  nodes: number;
  work: string;
  withApi: boolean;
}): Promise<SshTrace> {
  const real = (await runTimed('sh', ['-c', 'command -v ssh'])).stdout.trim();
  if (!real) throw new Error('no ssh on PATH');
  if (!(await haveBinary('/usr/bin/time'))) throw new Error('no /usr/bin/time (apt-get install -y time)');
  // Short: keyturn's control sockets go under the state dir, and unix socket paths are short (ssh-command.ts).
  const dir = mkdtempSync(path.join(ctx.work, 't-'));
  const log = path.join(dir, 'log');
  const cpuFile = path.join(dir, 'cpu');
  writeFileSync(
    path.join(dir, 'ssh'),
    [
      '#!/bin/sh',
      's=$(date +%s%N)',
      `${real} "$@"`,
      'rc=$?',
      'e=$(date +%s%N)',
      'k=command',
      'for a in "$@"; do case $a in -G) k=config ;; -N) k=master ;; -O) k=stop ;; esac; done',
      // `times` in this shell (no subshell: a fork would reset it): its second line is the real ssh's CPU.
      `times > ${log}.$$`,
      `{ read -r _; read -r cu cs; } < ${log}.$$`,
      `rm -f ${log}.$$`,
      `echo "$s $e $rc $k $cu $cs" >> ${log}`,
      'exit $rc',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const state = path.join(dir, 'k');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dir}:${process.env.PATH ?? ''}`,
    KEYTURN_CONFIG_DIR: path.join(state, 'c'),
    KEYTURN_STATE_DIR: path.join(state, 's'),
  };
  delete env.XDG_RUNTIME_DIR;
  try {
    const startedNs = BigInt(Date.now()) * 1_000_000n; // the wrapper's clock: `date +%s%N`
    const r = await runTimed(
      '/usr/bin/time',
      [
        '-f',
        '%U %S',
        '-o',
        cpuFile,
        process.execPath,
        ...keyturnArgs,
        'status',
        '--json',
        ...(ctx.withApi ? ['--kubeconfig', ctx.lab.kubeconfig] : []),
        '--inventory',
        ctx.inventory,
      ],
      { env, timeoutMs: 300_000 },
    );
    if (r.timedOut) throw new Error('traced keyturn status did not finish');
    if (!existsSync(log)) throw new Error(`traced keyturn status started no ssh (exit ${r.code}): ${stderrTail(r)}`);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const counts = { config: 0, master: 0, command: 0, stop: 0, other: 0 };
    let stopFailed = 0;
    let sshCpu = 0;
    const t0 = Math.min(...lines.map((l) => Number(l[0])));
    const lastEnd: Record<string, number> = {};
    const firstStart: Record<string, number> = {};
    for (const [start, end, rc, kind, cu, cs] of lines) {
      const k = (kind in counts ? kind : 'other') as keyof typeof counts;
      counts[k] += 1;
      if (k === 'stop' && rc !== '0') stopFailed += 1;
      sshCpu += timesSeconds(cu ?? '') + timesSeconds(cs ?? '');
      const s = (Number(start) - t0) / 1e6;
      const e = (Number(end) - t0) / 1e6;
      firstStart[k] = Math.min(firstStart[k] ?? Infinity, s);
      lastEnd[k] = Math.max(lastEnd[k] ?? 0, e);
    }
    const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    const span = (k: string, label: string) =>
      k in lastEnd ? `${label} ${fmtMs(firstStart[k])}–${fmtMs(lastEnd[k])}` : '';
    const lastSsh = Math.max(...Object.values(lastEnd));
    const firstSshAfter = Number(BigInt(Math.round(t0)) - startedNs) / 1e6;
    const phases = [
      span('config', 'ssh -G'),
      span('master', 'masters (-N)'),
      span('command', 'scan commands'),
      span('stop', '-O stop'),
    ]
      .filter(Boolean)
      .join(', ');
    return {
      counts,
      stopFailed,
      phases: `${phases} (times from the first ssh process, which started ${fmtMs(firstSshAfter)} after keyturn did); keyturn exited ${fmtMs(r.ms - firstSshAfter - lastSsh)} after its last ssh ended, ${fmtMs(r.ms)} after it started`,
      cpu: { total: user + sys, ssh: sshCpu },
      wall: { beforeMs: firstSshAfter, sshMs: lastSsh, afterMs: r.ms - firstSshAfter - lastSsh },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timePssh(
  fleet: SshFleet,
  nodes: readonly InventoryEntry[],
  scripts: Map<string, { end: string }>,
  concurrency: number,
  work: string,
): Promise<number> {
  const dir = mkdtempSync(path.join(work, 'pssh-'));
  try {
    const hosts = path.join(dir, 'hosts');
    writeFileSync(hosts, nodes.map((n) => `${n.address}:${fleet.port}`).join('\n') + '\n');
    const outDir = path.join(dir, 'out');
    const sshArgs = fleet.sshOptions.join(' ');
    const r = await runTimed(
      PSSH,
      [
        '-h',
        hosts,
        '-l',
        fleet.user,
        '-p',
        String(concurrency),
        '-t',
        '300',
        '-o',
        outDir,
        '-x',
        sshArgs,
        'sh "$KT_BENCH_SCAN"',
      ],
      { timeoutMs: 400_000 },
    );
    ensureOk(r, 'parallel-ssh');
    const files = readdirSync(outDir);
    for (const n of nodes) {
      const file = files.find((f) => f === `${n.address}:${fleet.port}` || f === n.address);
      const text = file ? readFileSync(path.join(outDir, file), 'utf8') : '';
      if (!text.includes(scripts.get(n.name)!.end))
        throw new Error(`parallel-ssh: the scan script on ${n.name} did not finish`);
    }
    return r.ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The certificate globs an operator reads on an RKE2 node (server/tls on servers, the agent's own everywhere). */
const ANSIBLE_COMMAND =
  'for c in {{ data_dir }}/server/tls/*.crt {{ data_dir }}/agent/*.crt; do [ -f "$c" ] && echo "$c $(openssl x509 -enddate -noout -in "$c")"; done; true';

async function timeAnsible(
  fleet: SshFleet,
  nodes: readonly InventoryEntry[],
  concurrency: number,
  work: string,
): Promise<{ ms: number; certs: number }> {
  const dir = mkdtempSync(path.join(work, 'ans-'));
  try {
    const inventory = path.join(dir, 'hosts.yml');
    const hosts: Record<string, Record<string, string | number>> = {};
    for (const n of nodes) hosts[n.name] = { ansible_host: n.address, ansible_port: fleet.port, data_dir: n.dataDir };
    const vars = {
      ansible_user: fleet.user,
      ansible_ssh_private_key_file: fleet.identityFile,
      ansible_ssh_common_args: `-o UserKnownHostsFile=${fleet.knownHostsFile} -o IdentitiesOnly=yes`,
    };
    writeFileSync(inventory, JSON.stringify({ all: { hosts, vars } }));
    // Ansible's own defaults (host key checking on, ControlPersist=60s, no pipelining, interpreter discovery);
    // only its private folders move here so each run is cold (a fresh control-socket folder) and nothing of the
    // user's is read or written.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ANSIBLE_CONFIG: path.join(dir, 'none.cfg'),
      ANSIBLE_HOME: path.join(dir, 'home'),
      ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
      ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(dir, 'cp'),
      ANSIBLE_NOCOLOR: '1',
    };
    const r = await runTimed(
      ANSIBLE,
      ['all', '-i', inventory, '-f', String(concurrency), '-m', 'shell', '-a', ANSIBLE_COMMAND],
      { env, timeoutMs: 600_000 },
    );
    await stopMasters(path.join(dir, 'cp'));
    ensureOk(r, 'ansible');
    const okHosts = (r.stdout.match(/^\S+ \| CHANGED \| rc=0 >>$/gm) ?? []).length;
    if (okHosts !== nodes.length)
      throw new Error(`ansible: ${okHosts} of ${nodes.length} hosts answered rc=0: ${stderrTail(r)}`);
    const certs = (r.stdout.match(/notAfter=/g) ?? []).length;
    if (certs < nodes.length) throw new Error(`ansible: only ${certs} certificate end dates for ${nodes.length} hosts`);
    return { ms: r.ms, certs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Ends the ControlPersist masters a tool left in `dir` (they would hold sshd connections into the next run). */
async function stopMasters(dir: string): Promise<void> {
  let sockets: string[] = [];
  try {
    sockets = readdirSync(dir).map((f) => path.join(dir, f));
  } catch {
    return;
  }
  await Promise.all(
    sockets.map((s) =>
      runTimed('ssh', ['-o', `ControlPath=${s}`, '-O', 'exit', 'placeholder'], { timeoutMs: 10_000 }).catch(() => null),
    ),
  );
}

async function mapLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

async function measureSetup(
  fleet: SshFleet,
  nodes: readonly InventoryEntry[],
  concurrency: number,
  work: string,
): Promise<SetupCost> {
  const base = sshBase(fleet);
  const fresh: number[] = [];
  const masterOpen: number[] = [];
  const warm: number[] = [];
  const cp = mkdtempSync(path.join(work, 'cp-'));
  try {
    for (const n of nodes) {
      const r = await runTimed(
        'ssh',
        [...base, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-T', n.address, 'true'],
        { timeoutMs: 60_000 },
      );
      ensureOk(r, `ssh ${n.name} true`);
      fresh.push(r.ms);
    }
    const sample = nodes.slice(0, Math.min(nodes.length, 10));
    for (const n of sample) {
      const control = ['-o', `ControlPath=${cp}/%C`];
      const open = await runTimed(
        'ssh',
        [...base, ...control, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=60', '-f', '-N', n.address],
        { timeoutMs: 60_000 },
      );
      ensureOk(open, `ssh master to ${n.name}`);
      const first = await runTimed('ssh', [...base, ...control, '-o', 'ControlMaster=no', '-T', n.address, 'true'], {
        timeoutMs: 60_000,
      });
      ensureOk(first, `first command through the master to ${n.name}`);
      masterOpen.push(open.ms + first.ms);
      const second = await runTimed('ssh', [...base, ...control, '-o', 'ControlMaster=no', '-T', n.address, 'true'], {
        timeoutMs: 60_000,
      });
      ensureOk(second, `warm command to ${n.name}`);
      warm.push(second.ms);
    }
  } finally {
    await stopMasters(cp);
    rmSync(cp, { recursive: true, force: true });
  }
  const started = performance.now();
  await mapLimited(nodes, concurrency, async (n) => {
    const r = await runTimed(
      'ssh',
      [...base, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-T', n.address, 'true'],
      { timeoutMs: 120_000 },
    );
    ensureOk(r, `ssh ${n.name} true (parallel)`);
  });
  return { fresh, masterOpen, warm, parallelFresh: [performance.now() - started] };
}

async function measureFleet(
  ctx: BenchContext,
  lab: BenchLab,
  size: number,
  concurrency: number,
  tools: Record<Tool, string | null>,
): Promise<SizeResult> {
  const nodes = lab.nodes.slice(0, size);
  const work = mkdtempSync(path.join(os.tmpdir(), 'kt-sshb-'));
  let fleet: SshFleet | null = null;
  try {
    const scripts = await writeScanScripts(work, nodes);
    fleet = await startSshFleet(nodes, (n) => ({ KT_BENCH_SCAN: scripts.get(n.name)!.file }));
    ctx.log(
      `ssh ${size}: ${nodes.length} sshd up on ${nodes[0].address}…${nodes[nodes.length - 1].address} port ${fleet.port}`,
    );
    const inventory = path.join(work, 'inventory-ssh.yaml');
    writeFileSync(inventory, keyturnInventory(fleet, nodes));
    mkdirSync(path.join(work, 'runs'));
    const runsDir = path.join(work, 'runs');
    const f = fleet;
    const once: Record<Tool, () => Promise<number>> = {
      keyturn: () => timeKeyturn({ lab, inventory, nodes: nodes.length, work: runsDir }),
      pssh: () => timePssh(f, nodes, scripts, concurrency, runsDir),
      ansible: async () => (await timeAnsible(f, nodes, concurrency, runsDir)).ms,
    };
    const times: Record<Tool, number[]> = { keyturn: [], pssh: [], ansible: [] };
    const failed: Partial<Record<Tool, string>> = {};
    for (const [tool, why] of Object.entries(tools) as [Tool, string | null][]) if (why) failed[tool] = why;
    const order: Tool[] = ['keyturn', 'pssh', 'ansible'];
    for (let run = 0; run < ctx.runs; run++) {
      // Interleaved, the order rotated each run, so load drifts fall on every tool alike.
      const rotated = order.map((_, i) => order[(i + run) % order.length]);
      for (const tool of rotated) {
        if (failed[tool]) continue;
        try {
          const ms = await once[tool]();
          times[tool].push(ms);
          ctx.log(`  ${size} nodes, run ${run + 1}: ${tool} ${fmtMs(ms)}`);
        } catch (error) {
          failed[tool] = reasonOf(error);
          ctx.log(`  ${size} nodes: ${tool}: NOT MEASURED: ${failed[tool]}`);
        }
      }
    }
    let setup: SetupCost | { error: string };
    try {
      setup = await measureSetup(fleet, nodes, concurrency, runsDir);
      ctx.log(
        `  ${size} nodes: fresh connection ${fmtRuns(setup.fresh)}, master+first ${fmtRuns(setup.masterOpen)}, warm ${fmtRuns(setup.warm)}, all in parallel ${fmtMs(setup.parallelFresh[0])}`,
      );
    } catch (error) {
      setup = { error: reasonOf(error) };
    }
    const traced = async (withApi: boolean): Promise<SshTrace | { error: string }> => {
      try {
        const t = await traceKeyturnSsh({ lab, inventory, nodes: nodes.length, work: runsDir, withApi });
        ctx.log(
          `  ${size} nodes${withApi ? '' : ' (no --kubeconfig)'}: keyturn's ssh processes ${JSON.stringify(t.counts)}; ${t.phases}; ${fmtCpu(t.cpu)}`,
        );
        return t;
      } catch (error) {
        return { error: reasonOf(error) };
      }
    };
    const trace = await traced(true);
    const traceNoApi = await traced(false);
    const outcome = (tool: Tool): Outcome =>
      failed[tool] ? { ok: false, reason: failed[tool]! } : { ok: true, times: times[tool] };
    return {
      nodes: nodes.length,
      tools: { keyturn: outcome('keyturn'), pssh: outcome('pssh'), ansible: outcome('ansible') },
      setup,
      trace,
      traceNoApi,
    };
  } finally {
    await fleet?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function rowsFor(r: SizeResult, concurrency: number, judged: boolean): Row[] {
  const name = `${r.nodes} nodes`;
  const rows: Row[] = [];
  const { keyturn, pssh, ansible } = r.tools;
  for (const [tool, label] of [
    [keyturn, 'keyturn status --json over ssh'],
    [pssh, `parallel-ssh -p ${concurrency}, keyturn's scan script`],
    [ansible, `ansible -f ${concurrency} -m shell (openssl x509 -enddate per certificate)`],
  ] as const) {
    rows.push(
      tool.ok
        ? { metric: `${name}: ${label}`, target: '—', measured: fmtRuns(tool.times), verdict: 'info' }
        : notMeasured(`${name}: ${label}`, '—', tool.reason),
    );
  }
  const k = keyturn.ok ? median(keyturn.times) : NaN;
  if (keyturn.ok && pssh.ok) {
    const ratio = k / median(pssh.times);
    rows.push({
      metric: `${name}: keyturn ÷ parallel-ssh (same script, same parallelism)`,
      target: judged ? '≤ 1.3×' : '— (judged at 50)',
      measured: `${fmtMs(k)} vs ${fmtMs(median(pssh.times))} → ${fmtRatio(ratio)}`,
      verdict: judged ? verdict(ratio <= 1.3) : 'info',
      notes: `keyturn − pssh = ${fmtMs(k - median(pssh.times))}`,
    });
  } else
    rows.push(
      notMeasured(
        `${name}: keyturn ÷ parallel-ssh`,
        judged ? '≤ 1.3×' : '—',
        [keyturn, pssh].find((o): o is { ok: false; reason: string } => !o.ok)!.reason,
      ),
    );
  if (keyturn.ok && ansible.ok) {
    const ratio = median(ansible.times) / k;
    rows.push({
      metric: `${name}: Ansible ÷ keyturn`,
      target: judged ? 'keyturn ≥ 3× faster' : '— (judged at 50)',
      measured: `${fmtMs(median(ansible.times))} vs ${fmtMs(k)} → keyturn ${fmtRatio(ratio)} faster`,
      verdict: judged ? verdict(ratio >= 3) : 'info',
    });
  } else
    rows.push(
      notMeasured(
        `${name}: Ansible ÷ keyturn`,
        judged ? 'keyturn ≥ 3× faster' : '—',
        [keyturn, ansible].find((o): o is { ok: false; reason: string } => !o.ok)!.reason,
      ),
    );
  if ('error' in r.setup) rows.push(notMeasured(`${name}: connection set-up`, '—', r.setup.error));
  else {
    const s = r.setup;
    rows.push({
      metric: `${name}: connection set-up, one fresh \`ssh … true\` per node, sequential`,
      target: '—',
      measured: `${fmtRuns(s.fresh)} per connection`,
      verdict: 'info',
      notes: `opening a master and the first command through it: ${fmtRuns(s.masterOpen)}; a command through a warm master: ${fmtRuns(s.warm)} (first ${s.masterOpen.length} nodes)`,
    });
    rows.push({
      metric: `${name}: connection set-up for the whole fleet, \`ssh … true\` on every node, ${concurrency} in flight`,
      target: '—',
      measured: fmtMs(s.parallelFresh[0]),
      verdict: 'info',
      notes: keyturn.ok ? `${Math.round((100 * s.parallelFresh[0]) / k)}% of keyturn's scan` : '',
    });
  }
  if ('error' in r.trace) rows.push(notMeasured(`${name}: ssh processes keyturn starts`, '—', r.trace.error));
  else {
    const c = r.trace.counts;
    const per = (n: number) => (n / r.nodes).toFixed(1).replace(/\.0$/, '');
    rows.push({
      metric: `${name}: ssh processes keyturn starts (one traced run), vs 1 per node for parallel-ssh`,
      target: '—',
      measured: `per node: ${per(c.config)} \`ssh -G\`, ${per(c.master)} master (\`-N\`), ${per(c.command)} command, ${per(c.stop)} \`-O stop\`${c.other ? `, ${per(c.other)} other` : ''} (${c.config + c.master + c.command + c.stop + c.other} in all)`,
      verdict: 'info',
      notes: `${c.stop ? `${r.trace.stopFailed} of the -O stop found no master (a second stop of the same shell). ` : ''}Phases: ${r.trace.phases}; ${fmtCpu(r.trace.cpu)}`,
    });
  }
  if ('error' in r.traceNoApi)
    rows.push(notMeasured(`${name}: traced run without --kubeconfig`, '—', r.traceNoApi.error));
  else
    rows.push({
      metric: `${name}: the same traced run without --kubeconfig (no Kubernetes client loaded, no API read)`,
      target: '—',
      measured: r.traceNoApi.phases,
      verdict: 'info',
      notes: fmtCpu(r.traceNoApi.cpu),
    });
  return rows;
}

export const sshFleetBench: Bench = {
  id: 'ssh',
  title: '7. SSH at fleet size: `keyturn status` over real sshd vs parallel-ssh and Ansible',
  async run(ctx) {
    const concurrency = keyturnConcurrency();
    const sizes = (process.env.BENCH_SSH_SIZES ?? '10,25,50')
      .split(',')
      .map(Number)
      .filter((n) => n > 0);
    const missing = async (bin: string, pkg: string) =>
      (await haveBinary(bin)) ? null : `NO ${bin} BINARY: install it (apt-get install -y ${pkg}); nothing was timed`;
    const tools: Record<Tool, string | null> = {
      keyturn: null,
      pssh: await missing(PSSH, 'pssh'),
      ansible: await missing(ANSIBLE, 'ansible-core'),
    };
    if (!(await haveBinary('ssh')) || !(await haveBinary('sshd'))) {
      return {
        id: 'ssh',
        title: this.title,
        rows: [notMeasured('(whole benchmark)', '—', 'NO ssh/sshd: apt-get install -y openssh-client openssh-server')],
        notes: [],
      };
    }
    const results: SizeResult[] = [];
    for (const size of sizes) {
      // A lab of exactly N nodes: with a bigger one, the API would list nodes the inventory lacks and keyturn would
      // try to reach those too.
      const lab = await startBenchLab({
        topology: `large:${size}`,
        net: ctx.nextNet(),
        etcd: 'auto',
        speed: 20,
        readyTimeoutMs: 180_000,
      });
      try {
        results.push(await measureFleet(ctx, lab, size, concurrency.value, tools));
      } finally {
        await lab.stop();
      }
    }
    const rows = results.flatMap((r) => rowsFor(r, concurrency.value, r.nodes === 50));
    const notes = [
      `For N nodes, a \`keyturn lab up --topology large:N --etcd auto --speed 20\` (3 etcd/control-plane servers, the rest agents). Each node gets its own sshd (lib/ssh-fleet.ts) on its own address 127.0.x.y and one shared port, with its own host key; one known_hosts holds a line per node and every tool runs with StrictHostKeyChecking=yes, BatchMode and one ed25519 user key. Each sshd sets the node's env (PATH with its bin/, RKE2_CONFIG_FILE) and an empty HOME through SetEnv, so a command finds that node's files whoever sent it, and no dotfile of this machine's account runs.`,
      `Parallelism: ${concurrency.value} for all three (${concurrency.from}; pssh -p, ansible -f).`,
      `keyturn: \`keyturn status --json --kubeconfig K --inventory I\` from dist, every inventory node \`transport: ssh\`; a fresh state dir each run, so its control sockets are new (a cold start, as a user's first scan). Counted only when the JSON shows every node reached with its certificates read.`,
      "parallel-ssh (Debian pssh): runs on every node keyturn's own scan script (src/discovery/scan-script.ts, built per node as keyturn builds it). pssh sends one command line to every host, and each node's script differs (data dir, roles), so the script is placed beside the node beforehand and pssh runs `sh \"$KT_BENCH_SCAN\"`; the node-side work is the same round trip. Counted only when every node's output ends with the script's end marker. This is the limit for the design: one ssh connection and one round trip per node, and nothing else.",
      `Ansible (ansible-core): \`ansible all -f ${concurrency.value} -m shell -a '${ANSIBLE_COMMAND}'\` with Ansible's defaults (no pipelining, interpreter discovery, ControlPersist 60 s) and a fresh control-socket folder each run; masters it left are stopped after each run. It reads only certificate end dates, less than keyturn reads. Counted only when every host answers rc=0 with end dates.`,
      "Connection set-up: `ssh -o ControlMaster=no -o ControlPath=none -T <node> true` per node, one after the other (a whole connection: process, TCP, key exchange, host-key check, public-key auth, one session); a master opened with `ssh -f -N -o ControlMaster=yes` plus the first command through it, then a second command (warm: no TCP, kex or auth), on the first 10 nodes; and the fleet's set-up alone: `ssh … true` on every node with the same parallelism.",
      'Machine: the 2 cores are shared with other work (see the load average): every ssh connection costs CPU on both ends here, where a real fleet spreads the sshd side over its nodes, so absolute times are inflated and the ratios between tools measured in the same run (interleaved, order rotated each run) are what counts.',
      `Tools: ${await toolVersions()}.`,
    ];
    const largest = results.at(-1);
    if (largest && !('error' in largest.trace) && largest.tools.keyturn.ok && largest.tools.pssh.ok) {
      const t = largest.trace;
      const k = median(largest.tools.keyturn.times);
      const p = median(largest.tools.pssh.times);
      const noApi = 'error' in largest.traceNoApi ? null : largest.traceNoApi;
      notes.push(
        `Where keyturn's time goes at ${largest.nodes} nodes (the traced run, not a timed one): its first ssh starts ${fmtMs(t.wall.beforeMs)} after keyturn does (Node start-up, loading the CLI, reading the kubeconfig and the inventory; the scans start before the Kubernetes client loads), its ${t.counts.command} ssh processes run from then for ${fmtMs(t.wall.sshMs)} (parallel-ssh's whole timed run: ${fmtMs(p)}), and keyturn exits ${fmtMs(t.wall.afterMs)} after the last one ends (waiting for the API's answer, the checks, the JSON, closing). ${fmtCpu(t.cpu)}.${noApi ? ` Without --kubeconfig (no client, no API read) the same split is ${fmtMs(noApi.wall.beforeMs)} / ${fmtMs(noApi.wall.sshMs)} / ${fmtMs(noApi.wall.afterMs)}.` : ''} keyturn − parallel-ssh in the timed runs: ${fmtMs(k - p)}.`,
        'History (issue #17 item 3): until 2026-12-05 keyturn started five ssh processes per node for a status scan — `ssh -G` to resolve the control path, a master (`ssh -T -N`, ControlMaster=auto, ControlPersist 60 s), the scan through it, `ssh -O stop` inside the limiter slot and again at exit — and measured 5.38× parallel-ssh at 50 nodes (46.2 s vs 8.58 s, load 30–40). A scan is now one command per node with ControlMaster=no at the same ControlPath (src/transports/ssh-shell.ts, ExecOptions.oneShot): it rides a master that is already up (the wizard between steps) and otherwise connects for itself, as parallel-ssh does; nothing is left to stop. Session commands (run, wizard steps) still open one master per node first.',
      );
    }
    const growth = results.filter((r) => !('error' in r.setup));
    if (growth.length >= 2) {
      const parts = growth.map((r) => `${r.nodes}: ${fmtMs((r.setup as SetupCost).parallelFresh[0])}`);
      const kParts = results
        .filter((r) => r.tools.keyturn.ok)
        .map((r) => `${r.nodes}: ${fmtMs(median((r.tools.keyturn as { ok: true; times: number[] }).times))}`);
      notes.push(
        `Growth, nodes → fleet set-up in parallel: ${parts.join(', ')}; keyturn status: ${kParts.join(', ')}.`,
      );
    }
    return { id: 'ssh', title: this.title, rows, notes };
  },
};

function fmtCpu(cpu: SshTrace['cpu']): string {
  return `CPU: ${cpu.total.toFixed(2)} s for keyturn and everything it started, of which its ssh processes ${cpu.ssh.toFixed(2)} s (keyturn's own Node process ≈ ${(cpu.total - cpu.ssh).toFixed(2)} s)`;
}

async function toolVersions(): Promise<string> {
  const v = async (cmd: string, args: string[]) => {
    const r = await runTimed(cmd, args, { timeoutMs: 20_000 }).catch(() => null);
    return r && r.code === 0
      ? ((r.stdout || r.stderr).split('\n').find((l) => l.trim()) ?? '?').trim()
      : 'not installed';
  };
  const [ssh, pssh, ansible] = await Promise.all([v('ssh', ['-V']), v(PSSH, ['--version']), v(ANSIBLE, ['--version'])]);
  return `${ssh}; parallel-ssh ${pssh}; ${ansible}`;
}
