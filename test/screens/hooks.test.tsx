// The hooks that bridge screens to side effects: the bounded, batched line buffer and discovery.
import { afterEach, describe, expect, it, vi } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { useBoundedLines, type BoundedLines } from '../../src/hooks/useBoundedLines.js';
import { RingBuffer } from '../../src/util/ring-buffer.js';
import { LogPane } from '../../components/LogPane.js';
import { settle } from '../components/frames.js';

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

describe('useBoundedLines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function Harness({ api, renders }: { api: { current?: BoundedLines }; renders: { count: number } }) {
    const lines = useBoundedLines(100, 10);
    api.current = lines;
    renders.count += 1;
    return <LogPane lines={lines.lines} dropped={lines.dropped} height={3} />;
  }

  it('turns a burst of pushes into one render per 100 ms, bounded to its capacity', async () => {
    // Only the batching timer is faked; React's own scheduling keeps running.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api: { current?: BoundedLines } = {};
    const renders = { count: 0 };
    const app = render(<Harness api={api} renders={renders} />);
    await settle();
    const before = renders.count;
    for (let i = 1; i <= 1000; i++) api.current!.push(`line ${i}`);
    await settle();
    expect(renders.count).toBe(before); // nothing drawn yet: the burst waits for the batch
    vi.advanceTimersByTime(99);
    await settle();
    expect(renders.count).toBe(before);
    vi.advanceTimersByTime(1);
    await settle(); // (waitForFrame polls with setTimeout, which is fake here)
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('line 1000');
    expect(renders.count).toBe(before + 1);
    expect(frame).toContain('line 998');
    expect(frame).not.toContain('line 997');
    expect(frame).toContain('… 997 earlier lines'); // 900 dropped by the ring + 97 hidden by the pane
    expect(api.current!.lines).toHaveLength(100);
  });

  it('stops its timer on unmount', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api: { current?: BoundedLines } = {};
    const app = render(<Harness api={api} renders={{ count: 0 }} />);
    await settle();
    api.current!.push('x');
    expect(vi.getTimerCount()).toBe(1);
    app.unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
