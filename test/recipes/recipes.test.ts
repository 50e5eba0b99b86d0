import { describe, expect, it } from 'vitest';
import { RECIPES, findRecipe } from '../../recipes/index.js';
import { validateRecipe } from '../../src/recipe-schema/validate.js';

describe('recipes are data', () => {
  it('has the five runbooks', () => {
    expect(RECIPES.map((r) => r.name).sort()).toEqual([
      'recover-restart-loop',
      'renew-expired-certs',
      'rotate-ca',
      'rotate-certs',
      'rotate-encryption-keys',
    ]);
  });

  for (const r of RECIPES) {
    it(`${r.name} round-trips through JSON and validates`, () => {
      const copy = JSON.parse(JSON.stringify(r)) as unknown;
      expect(copy).toEqual(r);
      const v = validateRecipe(copy);
      expect(v.ok ? [] : v.errors).toEqual([]);
    });
  }

  it('rejects a broken recipe with every problem named', () => {
    const bad = JSON.parse(JSON.stringify(findRecipe('rotate-certs'))) as Record<string, unknown>;
    const phases = bad.phases as Record<string, unknown>[];
    (phases[0].steps as Record<string, unknown>[])[1] = {
      id: 'stop',
      kind: 'command',
      title: 'x',
      run: { op: 'service', action: 'halt' },
    };
    (phases[0].steps as Record<string, unknown>[]).push({ id: 'nap', kind: 'snooze', title: 'x' });
    phases[2].steps = [{ id: 'oops', kind: 'command', title: 'x', run: { op: 'certificate-rotate' } }];
    bad.settleSeconds = 0;
    const v = validateRecipe(bad);
    expect(v.ok).toBe(false);
    const errors = v.ok ? [] : v.errors.join('\n');
    expect(errors).toContain('phases[0].steps[1].run.action');
    expect(errors).toContain('unknown step kind "snooze"');
    expect(errors).toContain('a phase without confirmation may only wait, settle and gate');
    expect(errors).toContain('settleSeconds');
  });

  it('marks steps that can lose data as destructive', () => {
    const ca = findRecipe('rotate-ca')!;
    const steps = ca.phases.flatMap((p) => p.steps);
    expect(steps.find((s) => s.id === 'rotate-ca')).toMatchObject({ destructive: true });
  });
});
