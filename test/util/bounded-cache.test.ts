import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/util/bounded-cache.js';

describe('BoundedCache', () => {
  it('keeps at most its capacity, forgetting the oldest written first', () => {
    const cache = new BoundedCache<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) cache.set(key, i);
    expect(cache.size).toBe(3);
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, undefined]);
    expect([cache.get('c'), cache.get('d'), cache.get('e')]).toEqual([2, 3, 4]);
  });

  it('updates a key in place without evicting another', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1).set('b', 2).set('a', 10);
    expect(cache.size).toBe(2);
    expect([cache.get('a'), cache.get('b')]).toEqual([10, 2]);
  });

  it("stays bounded under a stream of distinct keys (a live log's lines)", () => {
    const cache = new BoundedCache<string, number>(100);
    for (let i = 0; i < 10_000; i++) cache.set(`line ${i}`, i);
    expect(cache.size).toBe(100);
    expect(cache.get('line 9999')).toBe(9999);
    expect(cache.get('line 9899')).toBeUndefined();
  });

  it('refuses a capacity that is not a whole number of at least 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new BoundedCache(bad)).toThrow(/capacity/);
  });
});
