// The pieces under the shells: bounded output, line splitting, the marker filter, and the ssh command line.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { InventoryNode } from '../../src/model/inventory.js';
import { BoundedOutput } from '../../src/transports/bounded-output.js';
import { LineSplitter } from '../../src/transports/line-splitter.js';
import { MarkerFilter } from '../../src/transports/marker-filter.js';
import {
  buildRemoteInvocation,
  nodeCommand,
  parseMarker,
  remoteKillScript,
  sshConnectionArgs,
} from '../../src/transports/ssh-command.js';

describe('BoundedOutput', () => {
  it('keeps the tail within the cap and never splits a character into garbage', () => {
    const out = new BoundedOutput(8);
    out.append(Buffer.from('0123456789'));
    out.append(Buffer.from('ab'));
    expect(out.text()).toBe('456789ab');
    expect(out.droppedBytes).toBe(4);
    const utf8 = new BoundedOutput(4);
    utf8.append(Buffer.from('xé€')); // 1 + 2 + 3 bytes: the cut lands inside "é"
    expect(utf8.text()).toBe('€');
  });
});

describe('LineSplitter', () => {
  it('joins lines across chunks, including split multi-byte characters, and strips \\r', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const euro = Buffer.from('€');
    splitter.push(Buffer.from('one\r\ntw'));
    splitter.push(Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)]));
    splitter.push(Buffer.concat([euro.subarray(1), Buffer.from('\n\nlast')]));
    expect(lines).toEqual(['one', 'two €', '']);
    splitter.end();
    expect(lines).toEqual(['one', 'two €', '', 'last']);
  });

  it('cuts an endless line between characters, not inside one', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 4);
    splitter.push(Buffer.from('abc€def')); // "€" is 3 bytes: a cut at 4 would split it
    splitter.end();
    expect(lines).toEqual(['abc', '€d', 'ef']);
    expect(lines.join('')).toBe('abc€def');
  });

  it('splits lines inside one chunk and across two, stripping \\r', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('a\nbb\r\nccc\nunfinished'));
    splitter.push(Buffer.from(' line\n'));
    expect(lines).toEqual(['a', 'bb', 'ccc', 'unfinished line']);
  });

  it('delivers an endless line in bounded pieces', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 4);
    splitter.push(Buffer.from('abcdefghij'));
    expect(lines).toEqual(['abcd', 'efgh']);
    splitter.end();
    expect(lines).toEqual(['abcd', 'efgh', 'ij']);
  });
});

describe('MarkerFilter', () => {
  it('removes only our marker line, even after ssh warnings and across chunks', () => {
    const forwarded: string[] = [];
    const markers: unknown[] = [];
    const filter = new MarkerFilter(
      'n0nce',
      (m) => markers.push(m),
      (chunk) => forwarded.push(chunk.toString()),
    );
    filter.push(Buffer.from('Warning: something\nkeyturn-remote-pgid n0nce 4'));
    filter.push(Buffer.from('2 43\nscript err\n'));
    filter.push(Buffer.from('keyturn-remote-pgid n0nce 1 1\n')); // later lines are the script's: kept verbatim
    filter.end();
    expect(markers).toEqual([{ pgid: 42, pid: 43 }]);
    expect(forwarded.join('')).toBe('Warning: something\nscript err\nkeyturn-remote-pgid n0nce 1 1\n');
  });

  it('ignores a marker with the wrong nonce (a script cannot forge one)', () => {
    expect(parseMarker('keyturn-remote-pgid other 5 6', 'mine')).toBeNull();
    expect(parseMarker('keyturn-remote-pgid mine 5 6', 'mine')).toEqual({ pgid: 5, pid: 6 });
  });
});

describe('ssh command line', () => {
  const node: InventoryNode = {
    name: 'etcd-1',
    address: '-oProxyCommand=touch /tmp/x',
    transport: 'ssh',
    ssh: {
      user: 'admin',
      port: 2222,
      identityFile: '/keys/id',
      jumpHost: 'bastion',
      options: ['UserKnownHostsFile=/kh'],
    },
  };

  it('passes every setting as its own argument, host last after --, host-key checking untouched', () => {
    const args = sshConnectionArgs(node, { controlDir: '/tmp/c', connectTimeoutSeconds: 4 });
    expect(args).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=4',
      '-o',
      'ControlMaster=auto',
      '-o',
      'ControlPath=/tmp/c/%C',
      '-o',
      'ControlPersist=60s',
      '-o',
      'ServerAliveInterval=5',
      '-o',
      'ServerAliveCountMax=3',
      '-p',
      '2222',
      '-l',
      'admin',
      '-i',
      '/keys/id',
      '-o',
      'IdentitiesOnly=yes',
      '-J',
      'bastion',
      '-o',
      'UserKnownHostsFile=/kh',
      '--',
      '-oProxyCommand=touch /tmp/x',
    ]);
    expect(args.join(' ')).not.toMatch(/StrictHostKeyChecking|\/dev\/null/);
  });

  it('a one-shot invocation (ControlMaster=no) keeps the control path but never persists a master', () => {
    const args = sshConnectionArgs(node, { controlDir: '/tmp/c', connectTimeoutSeconds: 4, controlMaster: 'no' });
    expect(args.slice(0, 8)).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=4',
      '-o',
      'ControlMaster=no',
      '-o',
      'ControlPath=/tmp/c/%C',
    ]);
    expect(args.join(' ')).not.toMatch(/ControlPersist|StrictHostKeyChecking/);
    expect(args.slice(-2)).toEqual(['--', '-oProxyCommand=touch /tmp/x']);
  });

  it('builds a remote command that any POSIX sh reads back verbatim, marker first; env values only on stdin', () => {
    const hostile = `a'b"c $(id) \`id\` ;|&\n*`;
    const { nonce, remoteCommand, stdinPrefix } = buildRemoteInvocation(
      { ...node, env: { KT_V: hostile } },
      'printf "%s" "$KT_V"; echo out >&2; cat',
    );
    expect(remoteCommand).not.toContain('b"c');
    // What the node's login shell does with the string: sh -c "<remoteCommand>", the env first on its stdin and
    // the caller's own input after it.
    const result = spawnSync('sh', ['-c', remoteCommand], { encoding: 'utf8', input: `${stdinPrefix}caller input` });
    expect(result.stdout).toBe(`${hostile}caller input`);
    const [markerLine, ...rest] = result.stderr.split('\n');
    expect(parseMarker(markerLine, nonce)).toMatchObject({ pgid: expect.any(Number), pid: expect.any(Number) });
    expect(rest.join('\n')).toBe('out\n');
  });

  it('runs nothing of the script when the env does not arrive whole', () => {
    const { remoteCommand } = buildRemoteInvocation({ ...node, env: { KT_V: 'x' } }, 'echo ran');
    const result = spawnSync('sh', ['-c', remoteCommand], { encoding: 'utf8', input: "export KT_V='x'\n" });
    expect(result.status).toBe(125);
    expect(result.stdout).toBe('');
  });

  it('puts sudo -n in front when asked; the env never on the command line', () => {
    const withEnv = nodeCommand({ ...node, sudo: true, env: { A: 'x y' } }, 'id');
    expect(withEnv.remoteCommand).toMatch(/^sudo -n sh -c '/);
    expect(withEnv.remoteCommand).not.toContain('x y');
    expect(withEnv.stdinPrefix).toMatch(/^export A='x y'\nkeyturn-env-end-[0-9a-f]{16}\n$/);
    expect(nodeCommand(node, 'id')).toEqual({ remoteCommand: 'sh -c id', stdinPrefix: null });
  });

  it('never signals process group 0 or 1', () => {
    expect(remoteKillScript({ pgid: 1, pid: 1 })).toBe('true');
    expect(remoteKillScript({ pgid: 0, pid: 55 })).toBe('kill -TERM 55 2>/dev/null; exit 0');
    expect(remoteKillScript({ pgid: 77, pid: 78 })).toMatch(/^kill -TERM -77 2>\/dev\/null/);
  });

  it('ends a real process group, and counts a member that is only a zombie as gone', async () => {
    // `sleep 30` (the group leader, exec'd from sh) never reaps its finished child: that child is a zombie member.
    const child = spawn('sh', ['-c', 'sleep 0 & exec sleep 30'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid!;
    const members = () =>
      (spawnSync('ps', ['-eo', 'pgid=,stat='], { encoding: 'utf8' }).stdout ?? '')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter(([g]) => g === String(pgid));
    for (let i = 0; i < 100 && !members().some(([, st]) => st.startsWith('Z')); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(members().some(([, st]) => st.startsWith('Z'))).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const r = spawnSync('sh', ['-c', remoteKillScript({ pgid, pid: pgid })], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    await exited;
    expect(members().filter(([, st]) => !st.startsWith('Z'))).toEqual([]);
  });
});
