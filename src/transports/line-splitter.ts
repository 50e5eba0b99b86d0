// Turns a byte stream into lines for follow(): chunks end mid-line and mid-character, Windows-style \r\n appears in
// copied logs, and one pathological line must not grow without bound.
import { StringDecoder } from 'node:string_decoder';

export const DEFAULT_MAX_LINE_CHARS = 1024 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars: number = DEFAULT_MAX_LINE_CHARS,
  ) {}

  push(chunk: Buffer): void {
    this.consume(this.decoder.write(chunk));
  }

  /** Delivers a last line that had no newline. Call once, when the stream has ended. */
  end(): void {
    this.consume(this.decoder.end());
    if (this.pending !== '') this.emit(this.pending);
    this.pending = '';
  }

  private consume(text: string): void {
    if (text === '') return;
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop() ?? '';
    for (const line of parts) this.emit(line);
    // A line longer than the cap is delivered in pieces rather than buffered forever.
    while (this.pending.length > this.maxLineChars) {
      this.onLine(this.pending.slice(0, this.maxLineChars));
      this.pending = this.pending.slice(this.maxLineChars);
    }
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
