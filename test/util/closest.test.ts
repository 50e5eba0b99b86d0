import { describe, expect, it } from 'vitest';
import { closest } from '../../src/util/closest.js';

describe('closest', () => {
  const commands = ['status', 'plan', 'run', 'resume', 'report', 'lab', 'demo', 'help'];
  it('names the known word a typo came from', () => {
    expect(closest('stauts', commands)).toBe('status');
    expect(closest('reprot', commands)).toBe('report');
    expect(closest('transprot', ['name', 'address', 'transport', 'roles'])).toBe('transport');
    expect(closest('STATUS', commands)).toBe('status');
  });
  it('names nothing for a word that is not near any', () => {
    expect(closest('frobnicate', commands)).toBeNull();
    expect(closest('x', ['address'])).toBeNull();
  });
});
