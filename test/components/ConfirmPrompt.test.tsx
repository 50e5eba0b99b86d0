import { describe, expect, it, vi } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { ConfirmPrompt } from '../../components/ConfirmPrompt.js';
import { settle, waitForFrame } from './frames.js';

const commands = ['systemctl stop rke2-server', 'rke2 certificate rotate', 'systemctl start rke2-server'];

async function type(app: ReturnType<typeof render>, text: string) {
  for (const ch of text) {
    await settle();
    const before = app.lastFrame() ?? '';
    app.stdin.write(ch);
    await waitForFrame(app.lastFrame, (f) => f !== before);
  }
  await settle();
}

describe('ConfirmPrompt', () => {
  it('shows the exact commands for the node', () => {
    const app = render(<ConfirmPrompt node="etcd-1" title="rotate certificates" commands={commands} destructive={false} onConfirm={() => {}} onCancel={() => {}} />);
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('rotate certificates on etcd-1');
    expect(frame).toContain('1. systemctl stop rke2-server');
    expect(frame).toContain('2. rke2 certificate rotate');
    expect(frame).toContain('3. systemctl start rke2-server');
  });

  it('for a destructive step refuses a wrong node name and accepts the right one', async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    const app = render(<ConfirmPrompt node="etcd-1" title="rotate" commands={commands} destructive onConfirm={onConfirm} onCancel={onCancel} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Type the node name'));
    // A reflexive "y" does nothing here.
    await type(app, 'etcd-2');
    app.stdin.write('\r');
    await waitForFrame(app.lastFrame, (f) => f.includes('"etcd-2" is not etcd-1'));
    await settle();
    expect(onConfirm).not.toHaveBeenCalled();
    await type(app, 'etcd-1');
    expect(app.lastFrame()).toContain('> etcd-1');
    app.stdin.write('\r');
    await vi.waitFor(() => expect(onConfirm).toHaveBeenCalledTimes(1));
    expect(onCancel).not.toHaveBeenCalled();
  });

  it('backspace edits and esc cancels', async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    const app = render(<ConfirmPrompt node="n1" title="t" commands={[]} destructive onConfirm={onConfirm} onCancel={onCancel} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Type the node name'));
    await type(app, 'n12');
    app.stdin.write('\u007f');
    await waitForFrame(app.lastFrame, (f) => f.includes('> n1') && !f.includes('> n12'));
    await settle();
    app.stdin.write('\u001b');
    await vi.waitFor(() => expect(onCancel).toHaveBeenCalledTimes(1));
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('a non-destructive step asks y/n', async () => {
    const onConfirm = vi.fn();
    const app = render(<ConfirmPrompt node="agent-1" title="restart" commands={['systemctl restart rke2-agent']} destructive={false} onConfirm={onConfirm} onCancel={() => {}} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Run them?'));
    await settle();
    app.stdin.write('y');
    await vi.waitFor(() => expect(onConfirm).toHaveBeenCalledTimes(1));
  });
});
