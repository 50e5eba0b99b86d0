// A memo table that forgets: at most `capacity` entries, the oldest written going first. For caches keyed by text
// that keeps changing (a live log's lines), where an unbounded Map keeps every line ever seen for the life of the
// process.
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error('BoundedCache capacity must be a whole number of at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): this {
    if (!this.entries.has(key) && this.entries.size >= this.capacity) {
      // Map iterates in insertion order: the first key is the oldest.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return this;
  }
}
