// Separates the remote wrapper's marker line from the stderr we keep and deliver. ssh may print its own lines
// (warnings) before the marker, so we look line by line until the marker shows up, then pass bytes straight through.
import { parseMarker, type RemoteProcess } from './ssh-command.js';

/** How much stderr we scan for the marker before deciding it will not come (e.g. the connection failed). */
const MAX_SCAN_BYTES = 64 * 1024;

export class MarkerFilter {
  private scanning = true;
  private pendingLine: Buffer = Buffer.alloc(0);
  private scanned = 0;

  constructor(
    private readonly nonce: string,
    private readonly onMarker: (remote: RemoteProcess) => void,
    private readonly forward: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    if (!this.scanning) {
      this.forward(chunk);
      return;
    }
    this.scanned += chunk.length;
    let buffer = Buffer.concat([this.pendingLine, chunk]);
    for (let newline = buffer.indexOf(0x0a); newline >= 0; newline = buffer.indexOf(0x0a)) {
      const line = buffer.subarray(0, newline + 1);
      buffer = buffer.subarray(newline + 1);
      const marker = parseMarker(line.subarray(0, newline).toString('utf8'), this.nonce);
      if (marker) {
        this.scanning = false;
        this.onMarker(marker);
        if (buffer.length > 0) this.forward(buffer);
        this.pendingLine = Buffer.alloc(0);
        return;
      }
      this.forward(line);
    }
    this.pendingLine = buffer;
    if (this.scanned > MAX_SCAN_BYTES) this.flush();
  }

  /** Releases a partial line still held back; call when the stream has ended. */
  end(): void {
    this.flush();
  }

  private flush(): void {
    this.scanning = false;
    if (this.pendingLine.length > 0) this.forward(this.pendingLine);
    this.pendingLine = Buffer.alloc(0);
  }
}
