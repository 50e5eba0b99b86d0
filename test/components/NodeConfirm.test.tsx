import React, { useState } from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { NodeConfirm, type NodeConfirmStep } from '../../components/NodeConfirm.js';
import { settle, stripAnsi, waitForFrame } from './frames.js';

const step = (title: string, command: string | null, destructive = false): NodeConfirmStep => ({ title, command, detail: 'a check', destructive, done: false });

function Confirm({ steps, requireTypedName, onSubmit }: { steps: NodeConfirmStep[]; requireTypedName: boolean; onSubmit: (v: string) => void }) {
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
  it('folds a long generated script so the question stays on screen', () => {
    const script = Array.from({ length: 55 }, (_, i) => `openssl step ${i + 1}`).join('\n');
    const { lastFrame } = render(<Confirm steps={[step('Generate the CA set', script), step('Upload', 'rke2 certificate rotate-ca --path=/x')]} requireTypedName={false} onSubmit={() => {}} />);
    const frame = stripAnsi(lastFrame() ?? '');
    expect(frame).toContain('These steps will run on server-1, in order:');
    expect(frame).toContain('openssl step 8');
    expect(frame).not.toContain('openssl step 9');
    expect(frame).toContain('… 47 more lines: the plan preview and `keyturn plan` show the whole script');
    expect(frame).toContain('rke2 certificate rotate-ca --path=/x');
    expect(frame.split('\n').length).toBeLessThan(30);
  });

  it('a typed name and its enter arriving in one read are taken together', async () => {
    const onSubmit = vi.fn();
    const app = render(<Confirm steps={[step('Rotate the CA', 'rke2 certificate rotate-ca', true)]} requireTypedName onSubmit={onSubmit} />);
    await waitForFrame(() => stripAnsi(app.lastFrame() ?? ''), (f) => f.includes('Type the node name'));
    await settle();
    app.stdin.write('server-1\r');
    await waitForFrame(() => String(onSubmit.mock.calls.length), (n) => n === '1');
    expect(onSubmit).toHaveBeenCalledWith('server-1');
    expect(stripAnsi(app.lastFrame() ?? '')).toContain('server-1');
  });
});
