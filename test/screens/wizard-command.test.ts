import { describe, expect, it } from 'vitest';
import { runWizard } from '../../src/commands/wizard.js';

function io(tty: { stdin: boolean; stdout: boolean }) {
  const written: string[] = [];
  const stream = (isTTY: boolean) =>
    ({ isTTY, write: (s: string) => (written.push(s), true) }) as unknown as NodeJS.WriteStream;
  return {
    written,
    io: {
      stdin: { isTTY: tty.stdin } as unknown as NodeJS.ReadStream,
      stdout: stream(tty.stdout),
      stderr: stream(false),
    },
  };
}

describe('runWizard without a terminal', () => {
  it.each([
    { stdin: false, stdout: true },
    { stdin: true, stdout: false },
  ])('prints one line pointing at keyturn status and returns 2 (%o)', async (tty) => {
    const { io: fake, written } = io(tty);
    expect(await runWizard({ kubeconfig: '/nonexistent' }, fake)).toBe(2);
    expect(written).toEqual([
      'keyturn: the wizard needs a terminal; use `keyturn status` for a non-interactive report\n',
    ]);
  });
});
