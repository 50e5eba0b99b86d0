// Two release cuts of secrets encryption, each read on the lab and through keyturn's own parsers:
// - `status -o json` names keys `<type> <name>` since secretbox support (k3s#12021, April 2025 releases), the bare
//   name before (test/fixtures/upstream/k3s-secrets-encrypt-status-json.txt, v1.23.4);
// - reencryption reports every 10 secrets and ends `completed reencrypt of N secrets` in the old controller, every
//   50 and `reencrypted N secrets` in the supervisor handler since k3s#10612 (v1.31.0, v1.30.5).
import { afterEach, describe, expect, it } from 'vitest';
import { parseStatusJson, splitStatusKey } from '../../src/model/secrets-encrypt-status.js';
import { progressFromJournal } from '../../src/engine/encryption/reencrypt.js';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';
import { journalOf, restart, statusJson } from './support/encryption.js';

async function statusText(lab: LabHandle, node: string): Promise<string> {
  const result = await lab.run(node, 'k3s secrets-encrypt status -o json');
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** prepare → restart → rotate → restart → reencrypt, until the node reports reencrypt_finished. */
async function classicRotation(lab: LabHandle): Promise<void> {
  for (const stage of ['prepare', 'rotate']) {
    expect((await lab.run('server-1', `k3s secrets-encrypt ${stage}`)).code).toBe(0);
    await restart(lab, ['server-1']);
  }
  expect((await lab.run('server-1', 'k3s secrets-encrypt reencrypt')).code).toBe(0);
  await waitFor(
    'reencrypt_finished',
    async () => ((await statusJson(lab, 'server-1')).stage === 'reencrypt_finished' ? true : undefined),
    45_000,
  );
}

const events = (lab: LabHandle, reason: string) =>
  [...journalOf(lab, 'server-1').matchAll(new RegExp(`reason="${reason}" message="([^"]*)"`, 'g'))].map((m) => m[1]);

/** The older event log form, logrus through client-go's StartLogging (test/fixtures/upstream/k3s-journal-secretsprogress-event-objectreference.txt). */
const OBJECT_REFERENCE = String.raw`level=info msg="Event(v1.ObjectReference{Kind:\"Node\", Namespace:\"\", Name:\"server-1\", UID:\"server-1\", APIVersion:\"\", ResourceVersion:\"\", FieldPath:\"\"}): type: 'Normal' reason: '`;
const objectReferenceEvents = (lab: LabHandle, reason: string) => {
  const prefix = `${OBJECT_REFERENCE}${reason}' `;
  return journalOf(lab, 'server-1')
    .split('\n')
    .filter((l) => l.includes(prefix))
    .map((l) => l.slice(l.indexOf(prefix) + prefix.length).replace(/"$/, ''));
};

describe('secrets-encrypt release cuts (k3s, single server)', () => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('status -o json names keys with their type on current releases; keyturn reads the name either way', async () => {
    lab = await startLab({ topology: 'single', distro: 'k3s', etcd: 'emulated' });
    const fresh = await statusText(lab, 'server-1');
    expect(JSON.parse(fresh)).toMatchObject({ activekey: 'AES-CBC aescbckey' });
    expect(parseStatusJson(fresh)?.activeKey).toBe('aescbckey');
    expect(splitStatusKey((JSON.parse(fresh) as { activekey: string }).activekey)).toEqual({
      type: 'AES-CBC',
      name: 'aescbckey',
    });

    expect((await lab.run('server-1', 'k3s secrets-encrypt prepare')).code).toBe(0);
    const prepared = JSON.parse(await statusText(lab, 'server-1')) as { activekey: string; inactivekeys: string[] };
    expect(prepared.activekey).toBe('AES-CBC aescbckey');
    expect(prepared.inactivekeys).toEqual([expect.stringMatching(/^AES-CBC aescbckey-\d{4}-\d\d-\d\dT[\d:]+Z$/)]);
  });

  it('status -o json before secretbox support (v1.32.3) sends the bare key name', async () => {
    lab = await startLab({ topology: 'single', distro: 'k3s', version: 'v1.32.3+k3s1', etcd: 'emulated' });
    const text = await statusText(lab, 'server-1');
    expect(text).toBe(
      '{\n\t"stage": "start",\n\t"activekey": "aescbckey",\n\t"enable": true,\n\t"hashmatch": true\n}\n',
    );
    expect(parseStatusJson(text)?.activeKey).toBe('aescbckey');
    expect(splitStatusKey((JSON.parse(text) as { activekey: string }).activekey)).toEqual({
      type: '',
      name: 'aescbckey',
    });
  });

  it('secretbox keys are named XSalsa20-POLY1305 in status -o json', async () => {
    lab = await startLab({
      topology: 'single',
      distro: 'k3s',
      etcd: 'emulated',
      extraArgs: ['--encryption-provider', 'secretbox'],
    });
    const text = await statusText(lab, 'server-1');
    expect(JSON.parse(text)).toMatchObject({ activekey: 'XSalsa20-POLY1305 secretboxkey' });
    expect(splitStatusKey((JSON.parse(text) as { activekey: string }).activekey)).toEqual({
      type: 'XSalsa20-POLY1305',
      name: 'secretboxkey',
    });
    expect(parseStatusJson(text)?.activeKey).toBe('secretboxkey');
  });

  it(
    'before k3s#10612 (v1.29.8) the controller reports every 10 secrets and ends "completed reencrypt of N secrets", logged in the Event(v1.ObjectReference{...}) form',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({
        topology: 'single',
        distro: 'k3s',
        version: 'v1.29.8+k3s1',
        etcd: 'emulated',
        secrets: 35,
      });
      await classicRotation(lab);
      expect(objectReferenceEvents(lab, 'SecretsProgress')).toEqual([
        'reencrypted 10 secrets',
        'reencrypted 20 secrets',
        'reencrypted 30 secrets',
      ]);
      expect(objectReferenceEvents(lab, 'SecretsUpdateComplete')).toEqual(['completed reencrypt of 35 secrets']);
      expect(journalOf(lab, 'server-1')).not.toContain('"Event occurred"');
      // keyturn's journal reading takes the count from either wording.
      expect(progressFromJournal(journalOf(lab, 'server-1'))).toEqual({ done: 35, complete: true, error: null });
    },
  );

  it(
    'from v1.30.5 (k3s#10612 backported, k3s#10801) the handler reports every 50 and ends "reencrypted N secrets"',
    { timeout: 120_000 },
    async () => {
      // 40 secrets: under the pre-k3s#11384 CLI timeout (the work still runs inside the request on v1.30.5), and
      // fewer than 50, so the handler sends no progress where the controller would have sent 10, 20, 30.
      lab = await startLab({
        topology: 'single',
        distro: 'k3s',
        version: 'v1.30.5+k3s1',
        etcd: 'emulated',
        secrets: 40,
      });
      await classicRotation(lab);
      expect(events(lab, 'SecretsProgress')).toEqual([]);
      expect(events(lab, 'SecretsUpdateComplete')).toEqual(['reencrypted 40 secrets']);
      expect(objectReferenceEvents(lab, 'SecretsUpdateComplete')).toEqual([]);
      expect(progressFromJournal(journalOf(lab, 'server-1'))).toEqual({ done: 40, complete: true, error: null });
    },
  );
});
