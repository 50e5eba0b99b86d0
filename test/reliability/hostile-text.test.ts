// Hostile text from nodes and API objects never reaches the operator's terminal (issue #15 item 1). A split lab
// where a node's journalctl, systemctl and rke2 print terminal escapes (OSC 0 window title, OSC 52 clipboard, SGR,
// cursor moves and screen erase), an encryption-hash annotation and a Lease holder written with the real kubectl;
// then `status`, `status --json`, the wizard's dashboard and node detail, the lock refusal, the live log tail, the
// failure panel and `report`. Every escape payload says "pwned": it must appear nowhere, the tmux pane keeps its
// title, tmux's paste buffers stay empty (OSC 52), and the removal mark shows where something was.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOVED_MARK } from '../../src/util/untrusted-text.js';
import { exitedWith, TmuxDriver } from '../e2e/run-tmux.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { cliArgs, repoRoot } from '../support/paths.js';
import { makeSandbox, type CliResult } from './support.js';

const exec = promisify(execFile);
const ok = haveBinaries('tmux', 'kubectl');
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const TITLE = 'operator-title-kt';

/** What a terminal would act on: ESC, BEL, other C0 controls but tab/newline, C1. */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

// Shell printf fragments: every escape carries "pwned-<source>" in its payload.
const esc = (source: string) =>
  [
    `\\033]0;pwned-${source}-title\\007`,
    `\\033]52;c;cHduZWQtY2xpcGJvYXJk\\007`,
    `\\033[31;1mvisible-${source}\\033[0m`,
    `\\033[2A\\033[2K\\033[?25l\\033]2;pwned-${source}-title2\\033\\\\`,
  ].join('');

describe.skipIf(!ok)('hostile text from nodes and API objects', () => {
  const box = makeSandbox('kt-hostile-');
  const t = new TmuxDriver();
  let lab: LabHandle;
  const kubectl = (...args: string[]) => exec('kubectl', ['--kubeconfig', lab.kubeconfig, ...args]);
  const bin = (node: string) => path.join(path.dirname(lab.nodes.find((n) => n.name === node)!.dataDir), 'bin');

  /** Wraps a node command: `script` runs first and may answer instead of the real one (bin/<cmd>.real). */
  function wrap(node: string, command: string, script: string): void {
    const file = path.join(bin(node), command);
    if (!existsSync(`${file}.real`)) renameSync(file, `${file}.real`);
    writeFileSync(file, `#!/bin/sh\n${script}\nexec "${file}.real" "$@"\n`);
    chmodSync(file, 0o755);
  }
  function unwrap(node: string, command: string): void {
    const file = path.join(bin(node), command);
    rmSync(file);
    renameSync(`${file}.real`, file);
  }

  /** Starts keyturn in tmux, holding it until the pane has its title and its output is recorded raw. */
  async function startHeld(session: string, args: string[]): Promise<string> {
    const raw = box.file(`${session}.raw`);
    const cli = [process.execPath, ...cliArgs, ...args, '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory]
      .map(quote)
      .join(' ');
    const vars = `KEYTURN_STATE_DIR=${quote(t.stateDir)} KEYTURN_CONFIG_DIR=${quote(t.configDir)}`;
    await t.tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '170',
      '-y',
      '50',
      `cd ${quote(repoRoot)} && read go && ${vars} ${cli}; echo "keyturn exited $?"; sleep 900`,
    );
    await t.tmux('select-pane', '-t', session, '-T', TITLE);
    await t.tmux('pipe-pane', '-t', session, '-o', `cat >> ${quote(raw)}`);
    await t.send(session, 'Enter');
    return raw;
  }

  const title = async (session: string) => (await t.tmux('display', '-p', '-t', session, '#{pane_title}')).trim();
  const buffers = async () => (await t.tmux('list-buffers', '-F', '#{buffer_sample}').catch(() => '')).trim();

  /** The terminal kept its title and clipboard; keyturn wrote no payload and no OSC. */
  async function expectTerminalUntouched(session: string, raw: string): Promise<void> {
    expect(await title(session)).toBe(TITLE);
    expect(await buffers()).toBe('');
    const bytes = readFileSync(raw, 'utf8');
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes).not.toContain('pwned');
    expect(bytes).not.toMatch(/\u001b\]|\u0007|\u009b|\u009d/);
  }

  function expectCleanText(result: CliResult, what: string): void {
    for (const [stream, text] of [
      ['stdout', result.stdout],
      ['stderr', result.stderr],
    ] as const) {
      const at = TERMINAL_CONTROLS.exec(text);
      expect(
        at
          ? `${what} ${stream}: control U+${at[0].charCodeAt(0).toString(16)} near ${JSON.stringify(text.slice(Math.max(0, at.index - 60), at.index + 20))}`
          : null,
      ).toBeNull();
      expect(text).not.toContain('pwned');
    }
  }

  let annotation = '';

  beforeAll(async () => {
    await t.setup();
    lab = await startLab({ topology: 'split' });
    // agent-2: its journal says a key is missing, under a path full of escapes (the dashboard diagnoses it).
    wrap(
      'agent-2',
      'journalctl',
      `case " $* " in *" -f "*) ;; *) printf 'Dec 04 03:00:00 agent-2 rke2[7]: level=fatal msg="open /var/lib/rancher/rke2/agent/${esc('journal')}client.key: no such file or directory"\\n'; exit 0 ;; esac`,
    );
    // agent-1: systemctl show fails with escapes on stderr (the services check quotes it).
    wrap(
      'agent-1',
      'systemctl',
      `if [ "$1" = show ]; then printf 'Failed to get properties: ${esc('systemctl')}\\n' >&2; exit 1; fi`,
    );
    // cp-1: an encryption-hash annotation with escapes, written with kubectl.
    const hashKey = 'rke2.io/encryption-config-hash';
    annotation = (
      await kubectl('get', 'node', 'cp-1', '-o', `jsonpath={.metadata.annotations.rke2\\.io/encryption-config-hash}`)
    ).stdout;
    const hostile = (await exec('sh', ['-c', `printf 'start-${esc('annotation')}'`])).stdout;
    await kubectl('annotate', 'node', 'cp-1', '--overwrite', `${hashKey}=${hostile}`);
    // The Lease keyturn locks with, held by someone whose name retitles windows (YAML's "\e" is ESC, "\a" BEL).
    const now = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z');
    const lease = `apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: keyturn, namespace: kube-system}\nspec:\n  holderIdentity: "mallory@evil\\e]0;pwned-lease\\a\\e[8m run=run-evil"\n  leaseDurationSeconds: 3600\n  acquireTime: "${now}"\n  renewTime: "${now}"\n`;
    const file = box.write('lease.yaml', lease);
    await kubectl('create', '--validate=false', '-f', file);
  }, 180_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
    rmSync(box.dir, { recursive: true, force: true });
  });

  it('the objects really hold the escapes (kubectl reads them back)', async () => {
    const holder = (
      await kubectl('get', 'lease', '-n', 'kube-system', 'keyturn', '-o', 'jsonpath={.spec.holderIdentity}')
    ).stdout;
    expect(holder).toContain('\u001b]0;pwned-lease\u0007');
    const ann = (
      await kubectl('get', 'node', 'cp-1', '-o', 'jsonpath={.metadata.annotations.rke2\\.io/encryption-config-hash}')
    ).stdout;
    expect(ann).toContain('\u001b]0;pwned-annotation-title\u0007');
  });

  it('status and status --json print no control character, and mark where the escapes were', async () => {
    const args = ['status', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory];
    const text = await box.cli(args);
    const json = await box.cli([...args, '--json']);
    expectCleanText(text, 'status');
    expectCleanText(json, 'status --json');
    expect(text.stdout).toContain(REMOVED_MARK);
    const doc = JSON.stringify(JSON.parse(json.stdout));
    expect(doc).not.toMatch(/\\u00[01][0-9a-f]|\\u007f/i); // no escaped control characters either
    // Each source is read and shown, neutralised: the journal's path, systemctl's stderr, the annotation.
    expect(doc).toContain(`agent/${REMOVED_MARK}${REMOVED_MARK}${REMOVED_MARK}visible-journal`);
    expect(doc).toContain(`Failed to get properties: ${REMOVED_MARK}`);
    expect(doc).toContain(`start-${REMOVED_MARK}`);
  }, 120_000);

  it('the wizard: dashboard and node detail keep the pane title, the clipboard and the screen', async () => {
    const raw = await startHeld('wizard', []);
    const dashboard = await t.waitFor(
      'wizard',
      'the dashboard with the diagnosis',
      (s) => s.includes('Earliest leaf expiry') && !s.includes('scanning…') && s.includes('visible-journal'),
      90_000,
    );
    expect(await title('wizard')).toBe(TITLE);
    expect(dashboard).toContain(REMOVED_MARK);
    // One key at a time, each answered by its screen (a list drops keys typed faster than a render).
    const selected = (s: string) => /^› (\S+)/m.exec(s)?.[1];
    for (let row = selected(dashboard); row !== 'agent-2';) {
      const before = row;
      await t.send('wizard', 'j');
      row = selected(
        await t.waitFor('wizard', `the selection to move from ${before}`, (s) => selected(s) !== before, 10_000),
      );
    }
    await t.send('wizard', 'Enter');
    const detail = await t.waitFor('wizard', 'agent-2 detail', (s) => s.includes('Certificates ('));
    expect(detail).toContain('agent-2');
    await t.send('wizard', 'q');
    await t.waitFor('wizard', 'the wizard to exit', (s) => exitedWith(s) !== null);
    await expectTerminalUntouched('wizard', raw);
  }, 180_000);

  it('the lock refusal names the Lease holder without letting it retitle the window', async () => {
    const raw = await startHeld('locked', ['run', 'rotate-certs', '--settle', '1']);
    const seen = await t
      .waitFor('locked', 'the refusal', (s) => s.includes('mallory@evil') || exitedWith(s) !== null, 120_000)
      .then(async (s) => {
        if (s.includes('Press enter to start')) await t.send('locked', 'Enter');
        return t.waitFor(
          'locked',
          'the refusal',
          (x) => x.includes('mallory@evil') && (exitedWith(x) !== null || /press q/i.test(x)),
          60_000,
        );
      });
    expect(await title('locked')).toBe(TITLE);
    expect(seen).toContain(`mallory@evil${REMOVED_MARK}`);
    if (exitedWith(seen) === null) await t.send('locked', 'q');
    await t.waitFor('locked', 'keyturn to exit', (s) => exitedWith(s) !== null);
    await expectTerminalUntouched('locked', raw);
  }, 180_000);

  it('the live log tail, the failure panel and the report of a run on a node that prints escapes', async () => {
    await kubectl('delete', 'lease', '-n', 'kube-system', 'keyturn');
    unwrap('agent-1', 'systemctl');
    await kubectl('annotate', 'node', 'cp-1', '--overwrite', `rke2.io/encryption-config-hash=${annotation}`);
    // etcd-1 (the first node): its followed journal prints escapes, and its certificate rotate fails with them.
    wrap(
      'etcd-1',
      'journalctl',
      `case " $* " in *" -f "*) printf 'Dec 04 03:00:00 etcd-1 rke2[9]: tail ${esc('tail')}\\n' ;; esac`,
    );
    wrap(
      'etcd-1',
      'rke2',
      `if [ "$1" = certificate ]; then printf 'level=fatal msg="rotate failed ${esc('stderr')}"\\n' >&2; exit 1; fi`,
    );

    const raw = await startHeld('run', ['run', 'rotate-certs', '--settle', '1']);
    await t.waitFor('run', 'the plan preview', (s) => s.includes('Press enter to start'), 120_000);
    await t.send('run', 'Enter');
    await t.waitFor('run', 'the question for etcd-1', (s) => s.includes('These steps will run on etcd-1'), 60_000);
    await t.send('run', 'y');
    const failed = await t.waitFor(
      'run',
      'the failure panel',
      (s) => s.includes('visible-stderr') && s.includes('visible-tail'),
      120_000,
    );
    expect(await title('run')).toBe(TITLE);
    expect(failed).toContain(REMOVED_MARK);
    // Leave etcd-1 stopped when the failure offers to start it (n), then exit (q).
    const offer = await t.waitFor(
      'run',
      'the start offer or the exit hint',
      (s) => s.includes('n leaves it stopped') || s.includes('press q to exit'),
      60_000,
    );
    if (offer.includes('n leaves it stopped')) {
      await t.send('run', 'n');
      await t.waitFor('run', 'the exit hint', (s) => s.includes('press q to exit'), 60_000);
    }
    await t.send('run', 'q');
    const end = await t.waitFor('run', 'keyturn to exit', (s) => exitedWith(s) !== null, 60_000);
    await expectTerminalUntouched('run', raw);

    const runId = /keyturn report (\S+)/.exec(end)?.[1] ?? /(\d{8}T\d{6}Z-rotate-certs-\S+)/.exec(end)?.[1];
    expect(runId, end).toBeTruthy();
    const report = await box.cli(['report', runId!], { KEYTURN_STATE_DIR: t.stateDir });
    expectCleanText(report, 'report');
    expect(report.stdout).toContain('visible-stderr');
    expect(report.stdout).toContain(REMOVED_MARK);
  }, 300_000);
});
