import React, { useState } from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { fitSteps, NodeConfirm, type NodeConfirmStep } from '../../components/NodeConfirm.js';
import { settle, stripAnsi, waitForFrame } from './frames.js';

const step = (title: string, command: string | null, destructive = false): NodeConfirmStep => ({
  title,
  command,
  detail: 'a check',
  destructive,
  done: false,
});

function Confirm({
  steps,
  requireTypedName,
  onSubmit,
}: {
  steps: NodeConfirmStep[];
  requireTypedName: boolean;
  onSubmit: (v: string) => void;
}) {
  const [typed, setTyped] = useState('');
  return (
    <NodeConfirm
      node="server-1"
      roles={['etcd', 'control-plane']}
      unit="rke2-server"
      phaseTitle="Upload the new CAs"
      steps={steps}
      requireTypedName={requireTypedName}
      resumed={false}
      typed={typed}
      onTypedChange={setTyped}
      onTypedSubmit={onSubmit}
      onCancel={() => {}}
    />
  );
}

describe('NodeConfirm', () => {
  it('cuts its step list to the rows it is given: fewer command lines, then titles only, then "+N more steps"', () => {
    const script = Array.from({ length: 20 }, (_, i) => `openssl step ${i + 1}`).join('\n');
    const steps = [
      step('Generate', script),
      ...Array.from({ length: 6 }, (_, i) => step(`Step ${i + 2}`, `cmd-${i + 2} --flag`)),
    ];
    const all = (k: number) => Array.from({ length: 7 }, () => k);
    expect(fitSteps(steps)).toEqual({ lines: all(8), shown: 7 });
    expect(fitSteps(steps, 30)).toEqual({ lines: all(8), shown: 7 }); // 1+8+1 + 6×2 = 22
    expect(fitSteps(steps, 16)).toEqual({ lines: all(2), shown: 7 }); // 1+2+1 + 12 = 16
    // 7 titles and the note leave 3 rows: the script's first line and its "+19 more", then one more command.
    expect(fitSteps(steps, 11)).toEqual({ lines: [1, 1, 0, 0, 0, 0, 0], shown: 7 });
    expect(fitSteps(steps, 8)).toEqual({ lines: all(0), shown: 7 });
    expect(fitSteps(steps, 5)).toEqual({ lines: all(0), shown: 4 });
    for (const rows of [3, 6, 12, 16, 22]) {
      const frame = stripAnsi(
        render(
          <NodeConfirm
            node="etcd-1"
            roles={['etcd']}
            unit="rke2-server"
            phaseTitle="Rotate"
            steps={steps}
            requireTypedName={false}
            resumed={false}
            typed=""
            onTypedChange={() => {}}
            onTypedSubmit={() => {}}
            onCancel={() => {}}
            maxStepRows={rows}
          />,
        ).lastFrame() ?? '',
      );
      // Border, title, "These steps…", the list, the margin and the question.
      expect(frame.split('\n').length, frame).toBeLessThanOrEqual(rows + 6);
      expect(frame).toContain('These steps will run on etcd-1, in order:');
      expect(frame).toContain('Run them? y run · s skip this node · q quit');
      if (rows < 8) expect(frame).toMatch(/\+\d+ more steps/);
    }
  });

  it('folds a long generated script so the question stays on screen', () => {
    const script = Array.from({ length: 55 }, (_, i) => `openssl step ${i + 1}`).join('\n');
    const { lastFrame } = render(
      <Confirm
        steps={[step('Generate the CA set', script), step('Upload', 'rke2 certificate rotate-ca --path=/x')]}
        requireTypedName={false}
        onSubmit={() => {}}
      />,
    );
    const frame = stripAnsi(lastFrame() ?? '');
    expect(frame).toContain('These steps will run on server-1, in order:');
    expect(frame).toContain('openssl step 8');
    expect(frame).not.toContain('openssl step 9');
    expect(frame).toContain('… +47 more lines: the plan preview and `keyturn plan` show the whole script');
    expect(frame).toContain('rke2 certificate rotate-ca --path=/x');
    expect(frame.split('\n').length).toBeLessThan(30);
  });

  it('a typed name and its enter arriving in one read are taken together', async () => {
    const onSubmit = vi.fn();
    const app = render(
      <Confirm
        steps={[step('Rotate the CA', 'rke2 certificate rotate-ca', true)]}
        requireTypedName
        onSubmit={onSubmit}
      />,
    );
    await waitForFrame(
      () => stripAnsi(app.lastFrame() ?? ''),
      (f) => f.includes('Type the node name'),
    );
    await settle();
    app.stdin.write('server-1\r');
    await waitForFrame(
      () => String(onSubmit.mock.calls.length),
      (n) => n === '1',
    );
    expect(onSubmit).toHaveBeenCalledWith('server-1');
    expect(stripAnsi(app.lastFrame() ?? '')).toContain('server-1');
  });
});
