// Recovery recipes through `keyturn run` in tmux, answered like a person: a k3s lab stuck after a parallel
// restart comes back with recover-restart-loop; an rke2 lab down past its certificates' expiry comes back with
// renew-expired-certs and no expired leaf left.
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, cliJson, exitedWith } from './run-tmux.js';

const ok = haveBinaries('tmux');

interface StatusDoc {
  nodes: { name: string; service: { state: string } | null; certificates: { path: string; status: string; isCA: boolean }[] }[];
  checks: { id: string; status: string; detail: string }[];
}

describe.skipIf(!ok)('keyturn run: recovery recipes in tmux', () => {
  let lab: LabHandle | undefined;
  const t = new TmuxDriver();
  beforeAll(() => t.setup());
  afterAll(() => t.teardown());
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  async function runToSuccess(session: string, recipe: string): Promise<void> {
    await t.start(session, lab!, ['run', recipe, '--settle', '1']);
    await t.waitFor(session, 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    await t.send(session, 'Enter');
    const { screen } = await t.answerAll(session, (s) => s.includes('press q to exit') || exitedWith(s) !== null);
    expect(screen).toContain(`${recipe} succeeded on every node`);
    await t.send(session, 'q');
    expect(exitedWith(await t.waitFor(session, 'keyturn to exit', (s) => exitedWith(s) !== null))).toBe(0);
  }

  it('recover-restart-loop brings back a k3s lab stuck after a parallel restart', async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s', speed: 30 });
    await lab.fault('parallel-restart');
    await runToSuccess('recover', 'recover-restart-loop');
    const status = (await cliJson(lab, ['status', '--json'], { KEYTURN_CONFIG_DIR: t.configDir })) as StatusDoc;
    expect(status.nodes.filter((n) => n.service?.state !== 'active').map((n) => n.name)).toEqual([]);
    expect(status.checks.filter((c) => c.status === 'fail')).toEqual([]);
  }, 300_000);

  it('renew-expired-certs brings back an rke2 lab that was down past expiry, no expired leaf left', async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 30 });
    await lab.fault('expire-certs');
    await runToSuccess('renew', 'renew-expired-certs');
    const status = (await cliJson(lab, ['status', '--json'], { KEYTURN_CONFIG_DIR: t.configDir })) as StatusDoc;
    const expired = status.nodes.flatMap((n) => n.certificates.filter((c) => !c.isCA && c.status === 'expired').map((c) => `${n.name}:${c.path}`));
    expect(expired).toEqual([]);
    expect(status.nodes.filter((n) => n.service?.state !== 'active').map((n) => n.name)).toEqual([]);
    expect(status.checks.filter((c) => c.status === 'fail')).toEqual([]);
  }, 300_000);
});
