// Turns a byte stream into lines for follow(): chunks end mid-line and mid-character, Windows-style \r\n appears in
// copied logs, and one pathological line must not grow without bound.
//
// Lines are cut from the bytes and each is decoded on its own. Decoding whole chunks and splitting the text made
// every line a slice of its chunk's string: the few lines a live pane keeps then held whole 64 KiB chunks alive,
// and at 50 000 lines a second those were promoted and piled up until the next full collection.

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  /** The bytes of a line still open at the end of the last chunk (a copy: never a view of a whole chunk). */
  private pending: Buffer | null = null;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.pending) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.keepOpen(Buffer.concat([this.pending, chunk]));
        return;
      }
      this.emit(Buffer.concat([this.pending, chunk.subarray(0, newline)]), 0, this.pending.length + newline);
      this.pending = null;
      start = newline + 1;
    }
    for (let newline = chunk.indexOf(NEWLINE, start); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.emit(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.keepOpen(chunk.subarray(start));
  }

  /** Delivers a last line that had no newline. Call once, when the stream has ended. */
  end(): void {
    if (this.pending) this.emit(this.pending, 0, this.pending.length);
    this.pending = null;
  }

  /** A line longer than the cap is delivered in pieces (cut between characters) rather than buffered forever. */
  private keepOpen(open: Buffer): void {
    let rest = open;
    while (rest.length > this.maxLineBytes) {
      const cut = characterBoundary(rest, this.maxLineBytes);
      this.onLine(rest.toString('utf8', 0, cut));
      rest = rest.subarray(cut);
    }
    this.pending = rest.length > 0 ? Buffer.from(rest) : null;
  }

  private emit(bytes: Buffer, start: number, end: number): void {
    const last = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    this.onLine(bytes.toString('utf8', start, last));
  }
}

/** The largest cut ≤ `at` that does not fall inside a UTF-8 character (at itself when there is none). */
function characterBoundary(bytes: Buffer, at: number): number {
  let cut = at;
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  return cut > 0 ? cut : at;
}
