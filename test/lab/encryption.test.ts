// Secrets-encryption key rotation on the lab, as upstream behaves: stages and their order, the answering server's
// files changing at once and every other server's on restart, refusal while hashes differ (and --force),
// reencryption with SecretsProgress events, rotate-keys, and the errors in upstream's form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';
import { causeOf, configHash, journalOf, restart, stateOf, statusJson } from './support/encryption.js';

const SERVERS = ['server-1', 'server-2', 'server-3'];

describe('classic rotation on k3s (ha, emulated etcd)', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', etcd: 'emulated', speed: 20, secrets: 200 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('prepare changes the answering server at once and the others when they restart', async () => {
    const prepare = await lab.run('server-1', 'k3s secrets-encrypt prepare');
    expect(prepare).toMatchObject({ code: 0, stdout: 'prepare completed successfully\n' });
    expect(stateOf(lab, 'server-1')).toBe(`prepare-${configHash(lab, 'server-1')}`);
    expect(stateOf(lab, 'server-2')).toMatch(/^start-/);
    const text = await lab.run('server-1', 'k3s secrets-encrypt status');
    expect(text.stdout).toMatch(
      /^Encryption Status: Enabled\nCurrent Rotation Stage: prepare\nServer Encryption Hashes: hash does not match between server-1 and server-2\n\nActive  Key Type  Name\n------  --------  ----\n \*      AES-CBC   aescbckey\n        AES-CBC   aescbckey-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n\n$/,
    );

    const early = await lab.run('server-1', 'k3s secrets-encrypt rotate');
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      /level=fatal msg="see server log for details: https:\/\/127\.0\.0\.1:6443\/v1-k3s\/encrypt\/config: 400 Bad Request secret-encrypt error ID \d{5}"/,
    );
    expect(causeOf(lab, 'server-1', early.stderr)).toBe('hash does not match between server-1 and server-2');

    await restart(lab, SERVERS);
    const hashes = SERVERS.map((n) => stateOf(lab, n));
    expect(new Set(hashes).size).toBe(1);
    expect(hashes[0]).toBe(`prepare-${configHash(lab, 'server-3')}`);
    expect(await statusJson(lab, 'server-2')).toMatchObject({
      stage: 'prepare',
      hashmatch: true,
      activekey: 'AES-CBC aescbckey',
    });
  });

  it('refuses stages out of order, naming the first control-plane node like upstream', async () => {
    const reencrypt = await lab.run('server-2', 'k3s secrets-encrypt reencrypt');
    expect(reencrypt.code).toBe(1);
    expect(causeOf(lab, 'server-2', reencrypt.stderr)).toBe('incorrect stage: prepare found on node server-1');
  });

  it('rotate makes the new key active; reencrypt rewrites every secret with events, then drops the old key', async () => {
    expect(await lab.run('server-2', 'k3s secrets-encrypt rotate')).toMatchObject({
      code: 0,
      stdout: 'rotate completed successfully\n',
    });
    await restart(lab, SERVERS);
    const rotated = await statusJson(lab, 'server-3');
    expect(rotated).toMatchObject({ stage: 'rotate', hashmatch: true, inactivekeys: ['AES-CBC aescbckey'] });
    expect(rotated.activekey).toMatch(/^AES-CBC aescbckey-/);

    expect(await lab.run('server-3', 'k3s secrets-encrypt reencrypt')).toMatchObject({
      code: 0,
      stdout: 'reencryption started\n',
    });
    await waitFor(
      'reencrypt_finished on server-3',
      async () => ((await statusJson(lab, 'server-3')).stage === 'reencrypt_finished' ? true : undefined),
      45_000,
    );
    const journal = journalOf(lab, 'server-3');
    const progress = [
      ...journal.matchAll(
        /"Event occurred" object="server-3" fieldPath="" kind="Node" apiVersion="" type="Normal" reason="SecretsProgress" message="reencrypted (\d+) secrets"/g,
      ),
    ].map((m) => Number(m[1]));
    expect(progress).toEqual([50, 100, 150]);
    expect(journal).toMatch(
      /k3s\[\d+\]: I\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ event\.go:389\] "Event occurred" object="server-3" .*reason="SecretsUpdateComplete" message="reencrypted 200 secrets"/,
    );
    expect(journal).toContain('msg="Creating secrets-reencrypt event broadcaster"');
    const finished = await statusJson(lab, 'server-3');
    expect(finished).not.toHaveProperty('inactivekeys');
    expect(finished.activekey).toBe(rotated.activekey);
    // The others still hold two keys until they restart.
    expect((await statusJson(lab, 'server-1')).hasherror).toBe('hash does not match between server-1 and server-3');
    await restart(lab, SERVERS);
    expect(await statusJson(lab, 'server-1')).toMatchObject({
      stage: 'reencrypt_finished',
      hashmatch: true,
      activekey: rotated.activekey,
    });
  });

  it('--force moves a stage while hashes differ', async () => {
    expect((await lab.run('server-1', 'k3s secrets-encrypt prepare')).code).toBe(0);
    const refused = await lab.run('server-2', 'k3s secrets-encrypt prepare');
    expect(causeOf(lab, 'server-2', refused.stderr)).toBe('hash does not match between server-1 and server-2');
    expect(await lab.run('server-2', 'k3s secrets-encrypt prepare --force')).toMatchObject({
      code: 0,
      stdout: 'prepare completed successfully\n',
    });
    expect(stateOf(lab, 'server-2')).toBe(`prepare-${configHash(lab, 'server-2')}`);
  });

  it('refuses rotate-keys unless the servers are at start or reencrypt_finished (no --force for it)', async () => {
    await restart(lab, SERVERS);
    expect((await statusJson(lab, 'server-1')).stage).toBe('prepare');
    const refused = await lab.run('server-1', 'k3s secrets-encrypt rotate-keys --force');
    expect(causeOf(lab, 'server-1', refused.stderr)).toBe('incorrect stage: prepare found on node server-1');
  });

  it('is refused on agents and on a stopped server with connection refused', async () => {
    const agent = await lab.run('agent-1', 'k3s secrets-encrypt prepare');
    expect(agent.stderr).toContain('dial tcp 127.0.0.1:6443: connect: connection refused');
    expect(await lab.run('server-3', 'systemctl stop k3s')).toMatchObject({ code: 0 });
    const stopped = await lab.run('server-3', 'k3s secrets-encrypt status');
    expect(stopped).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Get \\"https://127.0.0.1:6443/v1-k3s/encrypt/status\\": dial tcp'),
    });
    expect(await lab.run('server-3', 'systemctl start k3s')).toMatchObject({ code: 0 });
  });
});
