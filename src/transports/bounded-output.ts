// Output of node commands is stored with a cap: a journal with megabyte lines must not exhaust memory. We keep the
// tail, because the end of stderr is where the reason for a failure is.

export const DEFAULT_OUTPUT_CAP_BYTES = 4 * 1024 * 1024;

/** Collects bytes, keeping at most `capBytes` of the most recent ones. */
export class BoundedOutput {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly capBytes: number = DEFAULT_OUTPUT_CAP_BYTES) {
    if (!(capBytes > 0)) throw new Error(`output cap must be positive, got ${capBytes}`);
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.trimToCap();
  }

  /** Bytes discarded from the head because of the cap. */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** The kept bytes as UTF-8; invalid sequences become U+FFFD instead of throwing. */
  text(): string {
    let bytes: Buffer = Buffer.concat(this.chunks, this.size);
    if (this.dropped > 0) bytes = skipLeadingContinuationBytes(bytes);
    return bytes.toString('utf8');
  }

  private trimToCap(): void {
    while (this.size > this.capBytes) {
      const first = this.chunks[0];
      const excess = this.size - this.capBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }
}

/** After cutting the head, the first bytes may be the middle of a multi-byte character: drop them cleanly. */
function skipLeadingContinuationBytes(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length && start < 3 && (bytes[start] & 0xc0) === 0x80) start++;
  return bytes.subarray(start);
}
