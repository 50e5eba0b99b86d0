// The lab the run-fault test files share: one split rke2 lab (--speed 30) and one tmux driver per file, started
// before its first test and stopped after its last. Kept apart from support-lab-run.ts, which the SIGKILL tests'
// child process loads outside the test runner.
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { TmuxDriver } from '../e2e/run-tmux.js';
import { startLab, type LabHandle } from '../support/lab.js';

/** Starts the lab and `t` before the file's tests (`onLab` gets the lab), stops both after them. */
export function shareFaultLab(t: TmuxDriver, onLab: (lab: LabHandle) => void): void {
  let lab: LabHandle | undefined;
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 30 });
    onLab(lab);
    process.env.KEYTURN_CONFIG_DIR = path.join(lab.dir, 'config'); // remembered node lists: the lab's, not ours
    await t.setup();
  }, 120_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });
}
