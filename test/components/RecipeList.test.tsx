import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { RecipeList } from '../../components/RecipeList.js';
import { stripAnsi } from './frames.js';

const recipes = [
  { name: 'rotate-certs', description: 'renew leaves' },
  { name: 'recover-restart-loop', description: 'etcd first', suggested: true },
];

describe('RecipeList', () => {
  it('lists recipes, marks suggested ones and points at the selected one', () => {
    const app = render(<RecipeList recipes={recipes} selected="recover-restart-loop" />);
    const frame = stripAnsi(app.lastFrame() ?? '');
    expect(frame).toMatch(/❯ recover-restart-loop\s+★ etcd first/);
    expect(frame).toMatch(/^ {2}rotate-certs\s+renew leaves/m);
    expect(frame).toContain('★ suggested by the diagnoses');
  });
});
