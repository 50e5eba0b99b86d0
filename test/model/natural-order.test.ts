import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../src/util/natural-order.js';

describe('naturalCompare', () => {
  it('orders numbers inside names by value, the rest by letters', () => {
    const names = [
      'node-10',
      'node-9',
      'agent-2',
      'Agent-1',
      'node-1',
      'etcd-3',
      'etcd-03',
      'node-100',
      'cp',
      'cp-1',
      'n99999999999999999999',
      'n100000000000000000000',
    ];
    expect([...names].sort(naturalCompare)).toEqual([
      'Agent-1',
      'agent-2',
      'cp',
      'cp-1',
      'etcd-3',
      'etcd-03',
      'n99999999999999999999',
      'n100000000000000000000',
      'node-1',
      'node-9',
      'node-10',
      'node-100',
    ]);
  });

  it('agrees with Intl.Collator numeric ordering on host-like names', () => {
    const collator = new Intl.Collator('en', { numeric: true });
    const names = Array.from(
      { length: 60 },
      (_, i) => `${['etcd', 'cp', 'agent', 'worker-a', 'worker-b'][i % 5]}-${(i * 37) % 23}`,
    );
    expect([...names].sort(naturalCompare)).toEqual([...names].sort((a, b) => collator.compare(a, b)));
    expect(naturalCompare('x', 'x')).toBe(0);
  });
});
