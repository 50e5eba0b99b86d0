// Issue #15 item 4: an inventory env value (K3S_TOKEN) must not appear on any command line — the local ssh, the
// helper that ends a remote command, and the node's own processes (sshd's session, the shell) — while it still
// reaches the command's environment. Through a real sshd on 127.0.0.1, so "the node" is this machine's /proc too.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryNode } from '../../src/model/inventory.js';
import { createSshShell } from '../../src/transports/ssh-shell.js';
import { haveBinaries } from '../support/binaries.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

const available = haveBinaries('sshd', 'ssh', 'ssh-keygen');
let sshd: TestSshd;
const controlRoot = mkdtempSync('/tmp/kt-env-');

beforeAll(async () => {
  if (available) sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(controlRoot, { recursive: true, force: true });
});

/** Every process's command line on this machine, as `ps` shows them to any user. */
function allCommandLines(): { pid: string; cmdline: string }[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        return [{ pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ') }];
      } catch {
        return []; // gone meanwhile
      }
    });
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

describe.skipIf(!available)('inventory env values never on a command line (real sshd)', () => {
  it('a K3S_TOKEN reaches the command but no cmdline, local or on the node, while the command runs and is ended', async () => {
    const token = `K10${randomBytes(32).toString('hex')}::server:${randomBytes(16).toString('hex')}`;
    const marker = `sleep 987.${String(randomBytes(4).readUInt32BE()).padStart(10, '0')}`; // unique, to find it
    const node: InventoryNode = {
      name: 'envy',
      address: sshd.host,
      transport: 'ssh',
      ssh: { port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, options: sshd.sshOptions },
      env: { K3S_TOKEN: token, HTTPS_PROXY: `http://ops:${randomBytes(8).toString('hex')}@proxy.invalid:3128` },
    };
    const shell = createSshShell(node, { controlDir: path.join(controlRoot, 'c') });
    const lines: string[] = [];
    const stop = new AbortController();
    let ready!: () => void;
    const running = new Promise<void>((resolve) => (ready = resolve));
    // Prints a digest of what arrived, then blocks in a process named after the marker until it is ended.
    const done = shell.follow(
      `printf 'got %s\\n' "$(printf '%s' "$K3S_TOKEN" | sha256sum | cut -c1-16)"; echo ready; exec ${marker}`,
      {
        signal: stop.signal,
        onLine: (line) => {
          lines.push(line);
          if (line === 'ready') ready();
        },
      },
    );
    await running;
    // `ready` comes just before the exec: wait for the sleep itself to show.
    let procs = allCommandLines();
    for (let i = 0; i < 200 && !procs.some((p) => p.cmdline.includes(marker)); i++) {
      await new Promise((r) => setTimeout(r, 10));
      procs = allCommandLines();
    }
    // The scan did see both ends: the local ssh and the node's sleep.
    expect(procs.some((p) => p.cmdline.includes(marker))).toBe(true);
    expect(procs.some((p) => /^ssh /.test(p.cmdline) && p.cmdline.includes(String(sshd.port)))).toBe(true);
    const secretParts = [token, token.split(':').at(-1)!, node.env!.HTTPS_PROXY.split(/[:@]/)[2]];
    for (const part of secretParts)
      expect(procs.filter((p) => p.cmdline.includes(part)).map((p) => p.cmdline.slice(0, 200))).toEqual([]);
    // Ending it runs the remote kill helper through ssh with the same env: watch its command lines as it runs.
    const seen: string[] = [];
    const watch = setInterval(() => {
      for (const p of allCommandLines())
        if (secretParts.some((s) => p.cmdline.includes(s))) seen.push(p.cmdline.slice(0, 200));
    }, 5);
    stop.abort();
    const result = await done;
    clearInterval(watch);
    expect(result.outcome).toBe('aborted');
    expect(seen).toEqual([]);
    expect(lines).toContain(`got ${sha(token)}`);
    expect(allCommandLines().some((p) => p.cmdline.includes(marker))).toBe(false);
    await shell.dispose();
  }, 60_000);

  it("the caller's own stdin still reaches the script after the env", async () => {
    const node: InventoryNode = {
      name: 'envy2',
      address: sshd.host,
      transport: 'ssh',
      ssh: { port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, options: sshd.sshOptions },
      env: { KT_A: "it's\nmulti-line", KT_B: '$(touch /tmp/kt-never)' },
    };
    const shell = createSshShell(node, { controlDir: path.join(controlRoot, 'd') });
    const result = await shell.run('printf "%s|%s|" "$KT_A" "$KT_B"; cat', { stdin: 'from the caller\n' });
    expect(result.stdout).toBe("it's\nmulti-line|$(touch /tmp/kt-never)|from the caller\n");
    await shell.dispose();
  }, 30_000);
});
