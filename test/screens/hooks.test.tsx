// The bounded line buffer behind the run screen's log tails (src/hooks/run-bridge.ts) and the engine's tails.
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/util/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps only the newest lines and counts what it dropped', () => {
    const ring = new RingBuffer(3);
    for (const l of ['a', 'b', 'c', 'd', 'e']) ring.push(l);
    expect(ring.snapshot()).toEqual(['c', 'd', 'e']);
    expect(ring.dropped).toBe(2);
    expect(ring.last(2)).toEqual(['d', 'e']);
    expect(ring.last(10)).toEqual(['c', 'd', 'e']);
    ring.clear();
    expect(ring.snapshot()).toEqual([]);
    expect(ring.dropped).toBe(0);
  });

  it('stays in order however many times it wraps', () => {
    const ring = new RingBuffer<number>(7);
    for (let i = 0; i < 1000; i++) {
      ring.push(i);
      const expected = Array.from({ length: Math.min(i + 1, 7) }, (_, k) => i - Math.min(i + 1, 7) + 1 + k);
      expect(ring.snapshot()).toEqual(expected);
    }
    expect(ring.size).toBe(7);
    expect(ring.dropped).toBe(993);
  });
});
