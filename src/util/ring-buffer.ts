// The newest lines of a live log, at most `capacity` of them, and how many fell out. Live tails push tens of
// thousands of lines a second through it, so it is a circular array of fixed length: a push moves nothing and
// allocates nothing. (An array trimmed with splice reallocated its storage every few hundred lines; the buffer
// lives in V8's old generation, so every copy was promoted there too, and the wizard's memory rose by tens of MiB
// between full collections.)
export class RingBuffer<T = string> {
  private readonly slots: (T | undefined)[];
  private start = 0;
  private count = 0;
  /** Items that fell out since the last clear. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error('RingBuffer capacity must be a whole number of at least 1');
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return;
    }
    this.slots[this.start] = item; // the oldest gives its place to the newest
    this.start = (this.start + 1) % this.capacity;
    this.dropped++;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.dropped = 0;
  }

  /** The newest `n` items, oldest first. */
  last(n: number): T[] {
    const k = Math.max(0, Math.min(Math.floor(n), this.count));
    const out: T[] = new Array<T>(k);
    for (let i = 0; i < k; i++) out[i] = this.slots[(this.start + this.count - k + i) % this.capacity] as T;
    return out;
  }

  /** Every item kept, oldest first. */
  snapshot(): T[] {
    return this.last(this.count);
  }
}
