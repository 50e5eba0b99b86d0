// A simulated cluster behind fake NodeShells: units, NRestarts, certificate files, `<prog> certificate rotate`,
// etcd as each node's own loopback answers it. Records every script and every service transition; answers by pattern.
import type { ExecOptions, ExecResult, FollowOptions, NodeShell } from '../../../src/transports/types.js';
import { certFilesFor } from '../../../src/model/cert-files.js';
import type { Plan, PlannedNode } from '../../../src/engine/plan-types.js';
import { makePem } from './certs.js';

export interface Transition {
  seq: number;
  node: string;
  server: boolean;
  to: string;
}

interface SimNode {
  info: PlannedNode;
  state: string;
  restarts: number;
  certs: Map<string, string>; // path → PEM
  pendingRotate: boolean;
  rotateBackups: string[];
  backups: Set<string>;
  enteredAt: number;
  files: Map<string, string>;
  /** Unit readings left before a slow start reports READY. */
  startingFor: number;
  /** RKE2 servers: the etcd/apiserver static pods, which outlive `systemctl stop` until rke2-killall.sh. */
  pods: boolean;
}

export interface FakeOptions {
  /** Nodes whose service crash-loops after it starts (NRestarts grows, activating/auto-restart). */
  crashLoop?: string[];
  /** Nodes whose start (a non-blocking one) stays activating/start, no restart, for this many unit readings. */
  slowStart?: Record<string, number>;
  /** Nodes whose etcd member answers unhealthy. */
  unhealthyEtcd?: string[];
  /** Clock for backup timestamps (ms). */
  now: () => number;
  /** Start with every node stopped and leaves expired (renew-expired-certs). */
  expired?: boolean;
  /** Run before each script; may throw to simulate a crash, or return a result to override. */
  hook?: (node: string, script: string) => ExecResult | void;
}

export class FakeCluster {
  readonly scripts: { node: string; script: string }[] = [];
  readonly transitions: Transition[] = [];
  readonly nodes = new Map<string, SimNode>();
  private seq = 0;

  constructor(
    plan: Plan,
    readonly opts: FakeOptions,
  ) {
    for (const info of plan.nodes) {
      this.nodes.set(info.name, {
        info,
        state: opts.expired ? 'failed' : 'active',
        restarts: 0,
        certs: new Map(),
        pendingRotate: false,
        rotateBackups: [],
        backups: new Set(),
        files: new Map(),
        enteredAt: opts.now() - 86400_000,
        startingFor: 0,
        pods: !opts.expired && info.distro === 'rke2' && info.server,
      });
    }
  }

  async init(): Promise<void> {
    const now = this.opts.now();
    for (const n of this.nodes.values()) {
      for (const f of certFilesFor(n.info.distro, n.info.roles)) {
        const ca = f.kind === 'ca';
        const nb = new Date(now - 300 * 86400_000);
        const na = ca ? new Date(now + 3000 * 86400_000) : new Date(now + (this.opts.expired ? -30 : 65) * 86400_000);
        n.certs.set(f.path, await makePem(`${n.info.name}:${f.path}`, nb, na, ca));
      }
    }
  }

  shell(name: string): NodeShell {
    return {
      node: name,
      run: (script: string, options?: ExecOptions) => this.run(name, script, options),
      follow: (script: string, options: FollowOptions) => this.follow(name, script, options),
      dispose: async () => undefined,
    };
  }

  private setState(n: SimNode, to: string): void {
    if (n.state === to) return;
    n.state = to;
    if (to === 'active') n.enteredAt = this.opts.now();
    this.transitions.push({ seq: ++this.seq, node: n.info.name, server: n.info.server, to });
  }

  /** Servers not active at each transition: the "disrupted at once" measure. */
  maxServersDownAtOnce(): number {
    const down = new Set<string>();
    let max = 0;
    for (const t of this.transitions) {
      if (!t.server) continue;
      if (t.to === 'active') down.delete(t.node);
      else down.add(t.node);
      max = Math.max(max, down.size);
    }
    return max;
  }

  private async renewLeaves(n: SimNode, force: boolean): Promise<void> {
    const now = this.opts.now();
    for (const f of certFilesFor(n.info.distro, n.info.roles)) {
      if (f.kind === 'ca') continue;
      if (force || this.opts.expired) {
        n.certs.set(
          f.path,
          await makePem(`${n.info.name}:${f.path}:new`, new Date(now - 60_000), new Date(now + 365 * 86400_000), false),
        );
      }
    }
  }

  private async start(n: SimNode, noBlock: boolean): Promise<void> {
    if (this.opts.crashLoop?.includes(n.info.name)) {
      this.setState(n, 'activating');
      return;
    }
    const slow = this.opts.slowStart?.[n.info.name];
    if (slow !== undefined && noBlock) {
      n.startingFor = slow;
      this.setState(n, 'activating');
      return;
    }
    await this.renewLeaves(n, n.pendingRotate);
    n.pendingRotate = false;
    this.setState(n, 'active');
    if (n.info.distro === 'rke2' && n.info.server) n.pods = true;
  }

  private ok(node: string, script: string, stdout = '', code = 0, stderr = ''): ExecResult {
    return {
      node,
      script,
      outcome: code === 0 ? 'ok' : code === 127 ? 'command-missing' : 'exit',
      code,
      stdout,
      stderr,
      durationMs: 5,
    };
  }

  async run(name: string, script: string, _options?: ExecOptions): Promise<ExecResult> {
    this.scripts.push({ node: name, script });
    const hooked = this.opts.hook?.(name, script);
    if (hooked) return hooked;
    const n = this.nodes.get(name);
    if (!n) throw new Error(`fake: unknown node ${name}`);
    const unit = n.info.unit;
    let m: RegExpExecArray | null;
    if ((m = /^systemctl (stop|start|restart) (--no-block )?(\S+)$/.exec(script))) {
      if (m[3] !== unit)
        return this.ok(name, script, '', 5, `Failed to ${m[1]} ${m[3]}.service: Unit ${m[3]}.service not loaded.`);
      if (m[1] === 'stop' || m[1] === 'restart') this.setState(n, 'inactive');
      if (m[1] === 'start' || m[1] === 'restart') await this.start(n, m[2] !== undefined);
      return this.ok(name, script);
    }
    if ((m = /^systemctl is-active (\S+) \|\| true$/.exec(script))) return this.ok(name, script, `${n.state}\n`);
    if ((m = /^systemctl show -p ActiveState,(SubState,)?NRestarts /.exec(script))) {
      const looping = this.opts.crashLoop?.includes(name) && n.state !== 'inactive';
      if (looping) n.restarts++;
      if (n.startingFor > 0 && --n.startingFor === 0) {
        await this.renewLeaves(n, n.pendingRotate);
        n.pendingRotate = false;
        this.setState(n, 'active');
      }
      const sub =
        n.state === 'active' ? 'running' : looping ? 'auto-restart' : n.state === 'activating' ? 'start' : 'dead';
      return this.ok(
        name,
        script,
        `ActiveState=${n.state}\n${m[1] ? `SubState=${sub}\n` : ''}NRestarts=${n.restarts}\n`,
      );
    }
    if (/^systemctl show -p ActiveState,ActiveEnterTimestamp /.test(script)) {
      const ts = new Date(n.enteredAt)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
      return this.ok(name, script, `ActiveState=${n.state}\nActiveEnterTimestamp=Sun ${ts}\n`);
    }
    if ((m = /^cat (\S+) 2>\/dev\/null \|\| true$/.exec(script))) return this.ok(name, script, n.files.get(m[1]) ?? '');
    if ((m = /^umask 077 && printf '%s\\n' '(.*)' > \S+ && mv \S+ (\S+)$/.exec(script))) {
      n.files.set(m[2], `${m[1]}\n`);
      return this.ok(name, script);
    }
    if ((m = /^grep -q '"runId":"(\S+)"' (\S+) 2>\/dev\/null && rm -f \S+ \|\| true$/.exec(script))) {
      if (n.files.get(m[2])?.includes(`"runId":"${m[1]}"`)) n.files.delete(m[2]);
      return this.ok(name, script);
    }
    if (/^systemctl reset-failed /.test(script)) return this.ok(name, script);
    // The engine's killall rendering on RKE2 servers (src/engine/killall.ts): the unit and the static pods stop.
    if (/\nRKE2_DATA_DIR=\S+ "\$k"$/.test(script) && script.includes('rke2-killall.sh')) {
      this.setState(n, 'inactive');
      n.pods = false;
      return this.ok(name, script, '', 0, '+ systemctl stop rke2-server.service\n');
    }
    // The node-local etcd member probe (src/engine/checks/etcd-member-stopped.ts): 0 answers, 7 refused.
    if (/^for u in .*:2381\/health'?; do curl /.test(script)) {
      const up = n.info.etcd && (['active', 'activating'].includes(n.state) || n.pods);
      return this.ok(
        name,
        script,
        [...script.matchAll(/(http:\/\/[\d.]+:2381\/health)/g)].map((u) => `${up ? 0 : 7} ${u[1]}\n`).join(''),
      );
    }
    if (script === `${n.info.distro} certificate rotate`) {
      const dir = `${n.info.dataDir}/${n.info.server ? 'server' : 'agent'}/tls-${Math.floor(this.opts.now() / 1000)}`;
      n.rotateBackups.push(dir);
      n.pendingRotate = true;
      return this.ok(
        name,
        script,
        '',
        0,
        `INFO[0000] Successfully backed up certificates to ${dir}, please restart ${n.info.distro} server or agent to rotate certificates\n`,
      );
    }
    if (/^ls -1d .*\/tls-\* /.test(script)) return this.ok(name, script, n.rotateBackups.map((d) => `${d}\n`).join(''));
    // The backup step: the plan's copy in a subshell, a marker once it succeeded, then the certificate files.
    const backup = /^\(\n(umask 077\n[\s\S]*)\n\) && printf '%s\\n' '(@@keyturn-backup-done@@)' && (cd [\s\S]*)$/.exec(
      script,
    );
    if (backup) {
      for (const d of backup[1].matchAll(/mv \S+ (\S+); fi/g)) n.backups.add(d[1]);
      const files = this.run(name, backup[3]);
      return files.then((r) => this.ok(name, script, `${backup[2]}\n${r.stdout}`, r.code ?? 0, r.stderr));
    }
    if (/^cd \S+ && for f in /.test(script)) {
      const wanted = [...script.matchAll(/(?:server|agent)\/[^\s;]+/g)].map((x) => x[0]);
      const out = wanted
        .filter((p) => n.certs.has(p))
        .map((p) => `==> ${p}\n${n.certs.get(p)}\n`)
        .join('');
      return this.ok(name, script, out);
    }
    // The etcd probe (src/engine/checks/etcd-probe.ts): each line is one marked probe call on this node's loopback.
    if (script.includes('@@keyturn-etcd@@')) {
      let out = '';
      for (const line of script.split('\n')) {
        const mk = /^printf '%s\\n' '(@@keyturn-etcd@@ ([a-z-]+))'; (kt_etcd_\w+[^;]*);/.exec(line);
        const r = mk ? this.etcdProbe(n, mk[2]) : null;
        if (mk && r) out += `${mk[1]}\n${r.stdout}${r.stderr}\n@@keyturn-etcd@@ rc ${r.code}\n`;
      }
      return this.ok(name, script, out);
    }
    return this.ok(name, script, '', 127, `fake: no answer for: ${script}`);
  }

  /** A node's own etcd member as its loopback answers (k3s#8402 layout): 2381 health, 2382 list and status. */
  private etcdProbe(n: SimNode, kind: string): { stdout: string; stderr: string; code: number } | null {
    const etcd = [...this.nodes.values()].filter((x) => x.info.etcd);
    const running = (x: SimNode) => !['inactive', 'failed'].includes(x.state);
    const refused = (port: number) => ({
      stdout: '',
      stderr: `curl: (7) Failed to connect to 127.0.0.1 port ${port} after 0 ms: Couldn't connect to server`,
      code: 7,
    });
    if (!n.info.etcd || !running(n)) return refused(kind === 'etcd-health' ? 2381 : 2379);
    const quorum = etcd.filter(running).length > etcd.length / 2;
    const id = (x: SimNode) => String(etcd.indexOf(x) + 1);
    switch (kind) {
      case 'etcd-health': {
        const ok = quorum && !this.opts.unhealthyEtcd?.includes(n.info.name);
        return {
          stdout: JSON.stringify(ok ? { health: 'true', reason: '' } : { health: 'false', reason: 'RAFT NO LEADER' }),
          stderr: '',
          code: 0,
        };
      }
      case 'etcd-members': {
        const members = etcd.map((x) => ({
          ID: id(x),
          name: `${x.info.name}-1a2b`,
          peerURLs: [`https://${x.info.address}:2380`],
          clientURLs: [`https://${x.info.address}:2379`],
        }));
        return { stdout: JSON.stringify({ header: { member_id: id(n) }, members }), stderr: '', code: 0 };
      }
      case 'etcd-status': {
        const leader = etcd.find(running);
        return {
          stdout: JSON.stringify({
            header: { member_id: id(n) },
            version: '3.5.21',
            ...(quorum && leader ? { leader: id(leader) } : {}),
          }),
          stderr: '',
          code: 0,
        };
      }
      default:
        return null;
    }
  }

  async follow(name: string, script: string, options: FollowOptions): Promise<ExecResult> {
    this.scripts.push({ node: name, script });
    const n = this.nodes.get(name);
    options.onLine(`${name} ${n?.info.unit}[1]: level=info msg="Starting ${n?.info.distro}"`, 'stdout');
    if (this.opts.crashLoop?.includes(name)) {
      options.onLine(
        `${name} ${n?.info.unit}[1]: level=fatal msg="starting kubernetes: preparing server: failed to get etcd MemberList: transport: authentication handshake failed"`,
        'stdout',
      );
    }
    if (!options.signal.aborted)
      await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
    return this.ok(name, script);
  }
}
