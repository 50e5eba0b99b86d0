// The lab's units are Type=notify like upstream's: a start sits in activating/start (NRestarts unchanged) until the
// main process reports ready, and a crashing one shows activating/auto-restart between tries. The engine's settle
// tells the two apart on the real `systemctl show` output of a lab node.
import { afterEach, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/engine/report.js';
import type { Recipe } from '../../src/recipe-schema/types.js';
import { type LabHandle, startLab } from '../support/lab.js';
import { driveLab } from './support/lab-drive.js';

let lab: LabHandle | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

/** Start the one server without waiting for READY, then watch it (the settle wants it active). */
const startAndSettle: Recipe = {
  name: 'recover-restart-loop',
  title: 'start and settle',
  summary: 'start and settle',
  support: 'full',
  settleSeconds: 2,
  phases: [
    {
      id: 'start',
      title: 'start',
      nodes: 'one-server',
      steps: [
        {
          id: 'start',
          kind: 'command',
          title: 'start',
          run: { op: 'service', action: 'start', noBlock: true },
          timeoutSeconds: 60,
        },
        { id: 'settle', kind: 'settle', title: 'Watch for restarts' },
      ],
    },
  ],
  references: [],
};

const show = 'systemctl show -p ActiveState,SubState,NRestarts k3s';

describe('settle against a lab node', () => {
  it('a start still in activating/start is a slow start, waited for: the settle passes', async () => {
    // At speed 1 a server's start takes the lab 3 s: longer than the settle's first sample.
    lab = await startLab({ topology: 'single', distro: 'k3s', etcd: 'emulated', speed: 1 });
    expect((await lab.run('server-1', 'systemctl stop k3s')).code).toBe(0);
    expect((await lab.run('server-1', 'systemctl start --no-block k3s')).code).toBe(0);
    expect((await lab.run('server-1', show)).stdout).toBe('ActiveState=activating\nSubState=start\nNRestarts=0\n');
    expect((await lab.run('server-1', 'systemctl stop k3s')).code).toBe(0);

    const { state } = await driveLab(lab, startAndSettle, 'lab-slow-start', { settleSeconds: 2 });
    expect(state.outcome.status, renderReport(state)).toBe('succeeded');
    const settle = state.steps['recover-restart-loop/server-1/start.settle'];
    expect(settle.result?.status === 'done' && settle.result.summary).toMatch(
      /^k3s active\/running for \d+s, NRestarts 0 → 0$/,
    );
  }, 120_000);
});
