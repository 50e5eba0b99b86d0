// The `keyturn …` lines keyturn suggests carry the operator's --kubeconfig, --context, --inventory and --state-dir,
// quoted for POSIX sh: pasting one reaches the same cluster and the same journals.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { commandText, keyturnCommand, withSessionOptions } from '../../src/commands/keyturn-command.js';
import { outcomeOf } from '../../src/run/outcome.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { cliArgs, repoRoot } from '../support/paths.js';
import { setup, start } from '../engine/support/run.js';

const exec = promisify(execFile);
const sh = promisify(execFile);

const opts = {
  kubeconfig: "/home/on call/it's.yaml",
  context: 'prod-eu',
  inventory: 'inv.yaml',
  stateDir: '/var/keyturn state',
};
const flags = `--kubeconfig '/home/on call/it'\\''s.yaml' --context prod-eu --inventory inv.yaml`;

/** What sh makes of a suggested line: its argv. */
async function argvOf(line: string): Promise<string[]> {
  const { stdout } = await sh('sh', ['-c', `keyturn() { for a in "$@"; do printf '%s\\n' "$a"; done; }; ${line}`]);
  return stdout.split('\n').slice(0, -1);
}

describe('keyturnCommand / withSessionOptions', () => {
  it('adds the options the command accepts, only those given, quoted for sh', async () => {
    expect(keyturnCommand(['resume'], opts)).toBe(`keyturn resume ${flags} --state-dir '/var/keyturn state'`);
    expect(keyturnCommand(['plan', 'rotate-certs'], opts)).toBe(`keyturn plan rotate-certs ${flags}`);
    expect(keyturnCommand(['report', 'r-1'], opts)).toBe(`keyturn report r-1 --state-dir '/var/keyturn state'`);
    expect(keyturnCommand(['resume'], {})).toBe('keyturn resume');
    expect(keyturnCommand(['status'], { inventory: 'a b' })).toBe(`keyturn status --inventory 'a b'`);
    expect(await argvOf(keyturnCommand(['resume'], opts))).toEqual([
      'resume',
      '--kubeconfig',
      opts.kubeconfig,
      '--context',
      'prod-eu',
      '--inventory',
      'inv.yaml',
      '--state-dir',
      opts.stateDir,
    ]);
  });

  it('rewrites the backticked keyturn commands in a fix, keeping their words', () => {
    expect(withSessionOptions('fix it, then `keyturn resume` re-checks; see `keyturn plan <recipe>`', opts)).toBe(
      `fix it, then \`keyturn resume ${flags} --state-dir '/var/keyturn state'\` re-checks; see \`keyturn plan <recipe> ${flags}\``,
    );
    expect(withSessionOptions('`keyturn report r-1` keeps it; `systemctl start rke2-agent`', { kubeconfig: 'k' })).toBe(
      '`keyturn report r-1` keeps it; `systemctl start rke2-agent`',
    );
    expect(withSessionOptions('then `keyturn resume`', {})).toBe('then `keyturn resume`');
  });

  it("a failed run's exit lines: the fix, the resume hint and the audit record carry the options", async () => {
    const s = await setup('rotate-certs', 'split', {
      hook: (node, script) =>
        node === 'agent-1' && script === 'rke2 certificate rotate'
          ? { node, script, outcome: 'exit', code: 1, stdout: '', stderr: 'FATA[0000] boom\n', durationMs: 5 }
          : undefined,
    });
    const failed = await start(s);
    expect(failed.outcome.status).toBe('failed');
    const lines = outcomeOf(failed, commandText(opts)).lines.join('\n');
    const mentions = [...lines.matchAll(/keyturn (resume|report)[^`;\n]*/g)].map((m) => m[0]);
    expect(mentions.length).toBeGreaterThanOrEqual(2);
    for (const m of mentions) expect(m).toContain(`--state-dir '/var/keyturn state'`);
    expect(lines).toContain(`\`keyturn resume ${flags} --state-dir '/var/keyturn state'\``);
  });
});

describe("the CLI's suggestions on a lab", () => {
  let lab: LabHandle | undefined;
  let dir = '';
  afterAll(async () => {
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('status\'s "fix:" and plan\'s "Run it with:" name the kubeconfig and inventory given', async () => {
    lab = await startLab({ topology: 'split', etcd: 'emulated', speed: 20 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'kt-suggest-'));
    // A path a shell would split: the suggestion must quote it.
    await mkdir(path.join(dir, 'on call'));
    const kubeconfig = path.join(dir, 'on call', 'kube config');
    await copyFile(lab.kubeconfig, kubeconfig);
    const given = ['--kubeconfig', kubeconfig, '--inventory', lab.inventory];
    const env = { ...process.env, KEYTURN_CONFIG_DIR: path.join(dir, 'conf') };
    const expected = `--kubeconfig '${kubeconfig}' --inventory ${lab.inventory}`;

    const plan = await exec(process.execPath, [...cliArgs, 'plan', 'rotate-certs', ...given], {
      cwd: repoRoot,
      env,
      maxBuffer: 32 << 20,
    });
    expect(plan.stdout).toContain(`Run it with: keyturn run rotate-certs ${expected}\n`);

    // Every server restarted at once: control-plane servers loop (the split-role incident), diagnosed with a fix.
    await lab.fault('parallel-restart');
    const deadline = Date.now() + 90_000;
    let text = '';
    while (!/fix: keyturn plan /.test(text)) {
      if (Date.now() > deadline) throw new Error(`no diagnosis with a fix; status:\n${text}`);
      const r = await exec(process.execPath, [...cliArgs, 'status', ...given], {
        cwd: repoRoot,
        env,
        maxBuffer: 32 << 20,
      }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
      text = r.stdout;
    }
    const fixes = text.split('\n').filter((l) => l.includes('fix: keyturn'));
    for (const f of fixes)
      expect(f).toMatch(new RegExp(`fix: keyturn plan [a-z-]+ ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  }, 240_000);
});
