import { describe, expect, it, vi } from 'vitest';
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
import React from 'react';
import { render } from 'ink-testing-library';
import { KeyHints } from '../../components/KeyHints.js';
import { hintsFor } from '../../src/screens/keymap.js';
import { FG, stripAnsi } from './frames.js';

describe('KeyHints', () => {
  it('renders the dashboard hints from the keymap', () => {
    const frame = stripAnsi(render(<KeyHints hints={hintsFor('dashboard')} />).lastFrame() ?? '');
    for (const text of [
      '↑/k up',
      '↓/j down',
      'enter/d node detail',
      'r refresh',
      'p pick recipe',
      'q quit',
      '? help',
    ]) {
      expect(frame).toContain(text);
    }
    expect(frame).not.toContain('esc/b');
  });

  it('marks dangerous actions in red with a warning sign', () => {
    const raw =
      render(
        <KeyHints
          hints={[
            { key: 'x', label: 'run', dangerous: true },
            { key: 'q', label: 'quit' },
          ]}
        />,
      ).lastFrame() ?? '';
    expect(raw).toContain(`${FG.red}`);
    expect(stripAnsi(raw)).toContain('⚠ x run');
    expect(stripAnsi(raw)).not.toContain('⚠ q');
  });
});
