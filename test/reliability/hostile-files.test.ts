// Issue #15 items 3 and 5: folders and files planted where keyturn (often root) keeps its own — the ssh control
// sockets, the settings, run journals and locks. A planted folder or link is refused with one line naming it and
// the fix; nothing is written through it, and no connection goes into it.
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { acquireLocalLock, openFileJournal } from '../../src/journal/index.js';
import { Settings } from '../../src/settings/settings.js';
import { createSshShell } from '../../src/transports/ssh-shell.js';
import { haveBinaries } from '../support/binaries.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { makeSandbox, type Sandbox } from './support.js';

const haveSsh = haveBinaries('sshd', 'ssh', 'ssh-keygen');
const root = process.geteuid?.() === 0;
/** Another user's uid, for folders "pre-created by another user" (chown needs root). */
const NOBODY = 65534;

let box: Sandbox;
let sshd: TestSshd | null = null;
beforeAll(async () => {
  box = makeSandbox('kt-hostile-');
  if (haveSsh) sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(box.dir, { recursive: true, force: true });
});

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

function refusal(action: () => unknown): UsageError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    return error as UsageError;
  }
  throw new Error('expected a refusal');
}

async function refusalAsync(action: () => Promise<unknown>): Promise<UsageError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a refusal');
}

function sshInventory(name: string): string {
  const s = sshd!;
  const node = {
    name,
    address: '127.0.0.1',
    roles: ['worker'],
    distro: 'rke2',
    transport: 'ssh',
    ssh: { port: s.port, user: s.user, identityFile: s.identityFile, options: s.sshOptions },
  };
  return box.write(`inv-${name}.yaml`, `nodes: ${JSON.stringify([node])}\n`);
}

describe('ssh control-socket folder (item 3)', () => {
  it.skipIf(!haveSsh || !root)(
    'a world-writable keyturn-ssh-<uid> planted in TMPDIR by another user gets no socket of ours',
    async () => {
      const tmp = path.join(box.dir, 'tmp');
      mkdirSync(tmp, { mode: 0o1777 });
      const planted = path.join(tmp, `keyturn-ssh-${process.getuid!()}`);
      mkdirSync(planted);
      chmodSync(planted, 0o777);
      chownSync(planted, NOBODY, NOBODY);
      const result = await box.cli(['status', '--json', '--inventory', sshInventory('planted')], {
        TMPDIR: tmp,
        XDG_RUNTIME_DIR: undefined,
      });
      expect(JSON.parse(result.stdout).nodes[0]).toMatchObject({ name: 'planted', reachable: true });
      expect(readdirSync(planted)).toEqual([]); // old keyturn put its ControlMaster socket here
      const own = path.join(box.stateDir, 'ssh');
      expect(statSync(own).uid).toBe(process.geteuid!());
      expect(statSync(own).mode & 0o777).toBe(0o700);
    },
    60_000,
  );

  it.skipIf(!haveSsh)(
    'a keyturn-ssh folder others can enter (in XDG_RUNTIME_DIR) is refused: one line, folder and fix, nothing run',
    async () => {
      const runtime = path.join(box.dir, 'run-user');
      mkdirSync(path.join(runtime, 'keyturn-ssh'), { recursive: true });
      chmodSync(path.join(runtime, 'keyturn-ssh'), 0o777);
      const accepted = (sshd!.log().match(/Accepted publickey/g) ?? []).length;
      const result = await box.cli(['status', '--json', '--inventory', sshInventory('open')], {
        XDG_RUNTIME_DIR: runtime,
      });
      expect(result.code).toBe(2);
      expect(oneLine(result.stderr)).toBe(
        `keyturn: ssh control dir ${runtime}/keyturn-ssh: mode 0777: other users can enter it — chmod 700 ${runtime}/keyturn-ssh after checking nothing in it was planted, or remove it`,
      );
      expect((sshd!.log().match(/Accepted publickey/g) ?? []).length).toBe(accepted);
    },
    60_000,
  );

  it('a control folder that is a link, or belongs to another user, is refused before any connection', () => {
    const node = { name: 'n', address: '127.0.0.1', transport: 'ssh' as const };
    const target = path.join(box.dir, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    const link = path.join(box.dir, 'ctl-link');
    symlinkSync(target, link);
    expect(refusal(() => createSshShell(node, { controlDir: link })).message).toMatch(
      /^ssh control dir .*ctl-link: is a symbolic link/,
    );
    if (root) {
      const theirs = path.join(box.dir, 'ctl-theirs');
      mkdirSync(theirs, { mode: 0o700 });
      chownSync(theirs, NOBODY, NOBODY);
      expect(refusal(() => createSshShell(node, { controlDir: theirs })).message).toMatch(
        /ctl-theirs: belongs to uid 65534, not to you/,
      );
    }
    // A fresh one is made 0700.
    const fresh = path.join(box.dir, 'ctl-fresh');
    createSshShell(node, { controlDir: fresh });
    expect(lstatSync(fresh).mode & 0o777).toBe(0o700);
  });
});

describe('files that follow symlinks (item 5)', () => {
  it('a link at the settings file: refused with one line, its target neither written nor chmod-ed', async () => {
    const configDir = path.join(box.dir, 'cfg-link');
    mkdirSync(configDir, { mode: 0o700 });
    const victim = box.write('victim.txt', 'precious\n');
    chmodSync(victim, 0o644);
    symlinkSync(victim, path.join(configDir, 'config.json'));
    const result = await box.cli(
      [
        'status',
        '--json',
        '--inventory',
        box.write('inv-local.yaml', 'nodes:\n  - { name: l, address: 127.0.0.1, roles: [worker], transport: local }\n'),
      ],
      {
        KEYTURN_CONFIG_DIR: configDir,
      },
    );
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(
      /^keyturn: settings file .*cfg-link\/config\.json: is a symbolic link, which keyturn does not write through — remove the link/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(statSync(victim).mode & 0o777).toBe(0o644);
  }, 60_000);

  it('a config dir others can write to, or that is a link, is refused', () => {
    const open = path.join(box.dir, 'cfg-open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(refusal(() => new Settings(open)).message).toMatch(
      /^config dir .*cfg-open: mode 0777: other users can write to it — chmod 700/,
    );
    const link = path.join(box.dir, 'cfg-dirlink');
    mkdirSync(path.join(box.dir, 'cfg-real'), { mode: 0o700 });
    symlinkSync(path.join(box.dir, 'cfg-real'), link);
    expect(refusal(() => new Settings(link)).message).toMatch(/cfg-dirlink: is a symbolic link/);
    expect(readdirSync(path.join(box.dir, 'cfg-real'))).toEqual([]);
  });

  it('a link planted at the settings file after start-up is refused at the next write', () => {
    const dir = path.join(box.dir, 'cfg-late');
    const settings = new Settings(dir);
    settings.remember('k', [{ name: 'a', address: 'a', transport: 'ssh' }]);
    const victim = box.write('victim-late.txt', 'keep\n');
    rmSync(settings.path);
    symlinkSync(victim, settings.path);
    expect(refusal(() => settings.remember('k', [{ name: 'b', address: 'b', transport: 'ssh' }])).message).toMatch(
      /settings file .*: is a symbolic link/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('keep\n');
  });

  it('run journals and the lock: a linked or open state dir, runs dir or journal file is refused; nothing written through', async () => {
    const victim = box.write('victim-journal.txt', 'keep\n');
    // The journal file itself is a link.
    const state1 = path.join(box.dir, 'state1');
    mkdirSync(path.join(state1, 'runs'), { recursive: true, mode: 0o700 });
    symlinkSync(victim, path.join(state1, 'runs', 'r1.jsonl'));
    expect((await refusalAsync(() => openFileJournal(state1, 'r1'))).message).toMatch(
      /run journal .*r1\.jsonl: is a symbolic link/,
    );
    // The runs dir is a link to somewhere else.
    const state2 = path.join(box.dir, 'state2');
    mkdirSync(state2, { mode: 0o700 });
    mkdirSync(path.join(box.dir, 'runs-elsewhere'), { mode: 0o700 });
    symlinkSync(path.join(box.dir, 'runs-elsewhere'), path.join(state2, 'runs'));
    expect((await refusalAsync(() => openFileJournal(state2, 'r2'))).message).toMatch(
      /runs dir .*state2\/runs: is a symbolic link/,
    );
    expect(readdirSync(path.join(box.dir, 'runs-elsewhere'))).toEqual([]);
    // The state dir is world-writable: neither a journal nor the lock.
    const state3 = path.join(box.dir, 'state3');
    mkdirSync(state3);
    chmodSync(state3, 0o777);
    expect((await refusalAsync(() => openFileJournal(state3, 'r3'))).message).toMatch(
      /state dir .*state3: mode 0777: other users can write to it/,
    );
    expect(
      (await refusalAsync(() => acquireLocalLock(state3, { runId: 'r3', holder: 'h', since: 'now' }))).message,
    ).toMatch(/state dir .*state3: mode 0777/);
    expect(existsSync(path.join(state3, 'keyturn.lock'))).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('keep\n');
    // A fresh state dir still works, private.
    const fresh = path.join(box.dir, 'state-fresh');
    const journal = await openFileJournal(fresh, 'ok');
    await journal.close();
    expect(statSync(path.join(fresh, 'runs')).mode & 0o777).toBe(0o700);
  });
});
