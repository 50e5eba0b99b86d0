import { describe, expect, it, vi } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { RecipeList } from '../../components/RecipeList.js';
import { press, waitForFrame } from './frames.js';

const recipes = [
  { name: 'rotate-certs', description: 'renew leaves' },
  { name: 'recover-restart-loop', description: 'etcd first', suggested: true },
];

describe('RecipeList', () => {
  it('lists recipes, marks suggested ones, and picks with the arrow keys and enter', async () => {
    const onSelect = vi.fn();
    const app = render(<RecipeList recipes={recipes} onSelect={onSelect} />);
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('rotate-certs'));
    expect(frame).toContain('recover-restart-loop');
    expect(frame).toMatch(/recover-restart-loop\s+★ etcd first/);
    expect(frame).not.toMatch(/rotate-certs\s+★/);
    expect(frame).toContain('★ suggested by the diagnoses');
    await press(app, 'j', (f) => /❯ recover-restart-loop/.test(f));
    app.stdin.write('\r');
    await vi.waitFor(() => expect(onSelect).toHaveBeenCalledWith('recover-restart-loop'));
  });
});
