import { describe, expect, it } from 'vitest';
import { honourNoColor } from '../../src/util/no-color.js';

describe('honourNoColor (https://no-color.org)', () => {
  const after = (env: NodeJS.ProcessEnv) => (honourNoColor(env), env);

  it('a non-empty NO_COLOR turns colour off for chalk (Ink) and Node alike: FORCE_COLOR=0', () => {
    expect(after({ NO_COLOR: '1' })).toEqual({ NO_COLOR: '1', FORCE_COLOR: '0' });
    expect(after({ NO_COLOR: 'false' }).FORCE_COLOR).toBe('0'); // "regardless of its value"
  });

  it('an empty NO_COLOR is no NO_COLOR (Node alone would still read it as set)', () => {
    expect(after({ NO_COLOR: '' })).toEqual({});
  });

  it('FORCE_COLOR, when given, is left to decide, as before', () => {
    expect(after({ NO_COLOR: '1', FORCE_COLOR: '1' })).toEqual({ NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(after({ FORCE_COLOR: '0' })).toEqual({ FORCE_COLOR: '0' });
    expect(after({})).toEqual({});
  });
});
