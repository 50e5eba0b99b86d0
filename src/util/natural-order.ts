// Node names in natural order (node-9 before node-10). Not Intl.Collator: its first use loads ICU collation data,
// about 20 ms of the wizard's first frame; node names are ASCII host names, for which this is the same order.

const RUNS = /\d+|\D+/g;

export function naturalCompare(a: string, b: string): number {
  const x = a.match(RUNS) ?? [];
  const y = b.match(RUNS) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i], y[i]];
    if (p === q) continue;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    if (numeric) {
      // Compare digit runs by value without overflow: fewer significant digits is smaller, then lexically.
      const [u, v] = [p.replace(/^0+(?=\d)/, ''), q.replace(/^0+(?=\d)/, '')];
      if (u.length !== v.length) return u.length - v.length;
      if (u !== v) return u < v ? -1 : 1;
      if (p.length !== q.length) return p.length - q.length;
      continue;
    }
    const [pl, ql] = [p.toLowerCase(), q.toLowerCase()];
    if (pl !== ql) return pl < ql ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}
