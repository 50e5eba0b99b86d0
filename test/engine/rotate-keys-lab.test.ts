// rotate-keys against the lab, through the real transports: a run killed after a successful rotate-keys resumes
// without sending it again (audit row 16), and a rotate-keys that failed on the apiserver's late reload (k3s#12373)
// stops the run before any restart, is finished by hand the way the failure says, and resumes to the end.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRun, driveRun } from '../../src/engine/driver.js';
import type { RunEvent } from '../../src/engine/events.js';
import type { RunPorts } from '../../src/engine/ports.js';
import { foldEvents, type RunState } from '../../src/engine/reducer.js';
import { renderReport } from '../../src/engine/report.js';
import { openFileJournal, readJournal } from '../../src/journal/index.js';
import { type LabHandle, startLab, waitFor } from '../support/lab.js';
import { planLab, realClock } from './support/lab-drive.js';

let lab: LabHandle | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

const operator = { user: 'test', host: 'ci' };
const ROTATE_KEYS = 'rotate-encryption-keys/server-1/rotate-keys.rotate-keys';

/** One keyturn session on the lab; `killWhen` makes the journal refuse an event, as if keyturn died right there. */
async function session(
  lab: LabHandle,
  stateDir: string,
  runId: string,
  killWhen?: (e: RunEvent) => boolean,
): Promise<RunState | 'killed'> {
  const { session: s, planned } = await planLab(lab, 'rotate-encryption-keys', runId);
  if (!planned.ok) throw new Error(planned.refusal.reason);
  const journal = await openFileJournal(stateDir, runId);
  const ports: RunPorts = {
    shell: (n) => s.shell(n),
    kube: s.gateway,
    clock: realClock,
    confirm: {
      confirmNode: async (req) => ({ answer: 'run', typedName: req.node, typedPhrase: req.requireTypedPhrase }),
      pause: async () => 'continue',
    },
    journal: {
      append: async (e) => {
        if (killWhen?.(e)) throw new Error('killed');
        await journal.append(e);
      },
    },
    log: { emit: () => undefined },
  };
  try {
    const prior = foldEvents((await readJournal(stateDir, runId)).events);
    if (prior) return await driveRun(prior, ports, { operator, resumed: true }, new AbortController().signal);
    const created = await createRun(ports, {
      plan: planned.plan,
      operator,
      cluster: { server: s.gateway?.server ?? null },
    });
    if (!created.ok) throw new Error(created.reason);
    return await driveRun(created.state, ports, { operator, resumed: false }, new AbortController().signal);
  } catch (error) {
    if (error instanceof Error && error.message === 'killed') return 'killed';
    throw error;
  } finally {
    await journal.close();
    await s.dispose();
  }
}

async function rotateKeysSent(lab: LabHandle): Promise<string[]> {
  return (await lab.record())
    .filter((e) => e.type === 'command' && e.argv[0] === 'secrets-encrypt' && e.argv[1] === 'rotate-keys')
    .map((e) => (e.type === 'command' ? e.node : ''));
}

describe('rotate-keys on the lab', () => {
  it('killed right after rotate-keys succeeded: resume sees it done at reencrypt_finished and never sends it again', async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', etcd: 'emulated', speed: 20, secrets: 60 });
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'kt-state-'));
    const killed = await session(lab, stateDir, 'rk-kill', (e) => e.type === 'step-finished' && e.key === ROTATE_KEYS);
    expect(killed).toBe('killed');
    const state = await session(lab, stateDir, 'rk-kill');
    expect(state !== 'killed' && state.outcome.status, state === 'killed' ? '' : renderReport(state)).toBe('succeeded');
    expect(await rotateKeysSent(lab)).toEqual(['server-1']);
    const checked = (await readJournal(stateDir, 'rk-kill')).events.find(
      (e) => e.type === 'step-checked' && e.key === ROTATE_KEYS,
    );
    expect(checked).toMatchObject({ verdict: 'done' });
  }, 180_000);

  it('k3s#12373: stops before any restart, says how to finish; after `reencrypt --force` resume completes the rotation', async () => {
    lab = await startLab({
      topology: 'ha',
      distro: 'k3s',
      version: 'v1.32.5+k3s1',
      etcd: 'emulated',
      speed: 20,
      secrets: 60,
    });
    await lab.fault('slow-reload', [], 'server-1');
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'kt-state-'));
    const first = await session(lab, stateDir, 'rk-12373');
    if (first === 'killed') throw new Error('not killed');
    expect(first.outcome.status, renderReport(first)).toBe('failed');
    const failure = first.outcome.status === 'failed' ? first.outcome.failure : null;
    expect(failure).toMatchObject({ node: 'server-1', key: ROTATE_KEYS, check: 'encryption-stage' });
    expect(failure!.message).toContain('k3s#12373');
    expect(failure!.fix).toContain('`k3s secrets-encrypt reencrypt --force` on server-1');
    const restarts = (await lab.record()).filter(
      (e) => e.type === 'command' && e.prog === 'systemctl' && e.argv[0] === 'restart',
    );
    expect(restarts).toEqual([]);

    // What the failure says to do.
    expect((await lab.run('server-1', 'k3s secrets-encrypt reencrypt --force')).code).toBe(0);
    const live = lab;
    await waitFor(
      'reencrypt_finished',
      async () =>
        (await live.run('server-1', 'k3s secrets-encrypt status')).stdout.includes(
          'Current Rotation Stage: reencrypt_finished',
        )
          ? true
          : undefined,
      60_000,
    );

    const resumed = await session(lab, stateDir, 'rk-12373');
    expect(resumed !== 'killed' && resumed.outcome.status, resumed === 'killed' ? '' : renderReport(resumed)).toBe(
      'succeeded',
    );
    expect(await rotateKeysSent(lab)).toEqual(['server-1']);
  }, 240_000);
});
