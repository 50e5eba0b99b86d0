// Puts the plain first frame (screens/first-paint.ts) on the terminal before Ink loads, and hands the screen over:
// Ink's first write starts by erasing that frame, in the same write, so the terminal never shows both or neither.
import type { NodePreview } from '../model/status.js';
import { firstPaint } from '../screens/first-paint.js';

export interface PaintTerminal {
  stdin: Pick<NodeJS.ReadStream, 'isTTY'> & { setRawMode?: (mode: boolean) => unknown };
  stdout: Pick<NodeJS.WriteStream, 'columns' | 'rows' | 'write'> & { hasColors?: () => boolean };
}

export interface Painted {
  /** Lines on screen, the cursor on the line below them. */
  lines: number;
}

/** Paints the node list at once; null (nothing written) when the frame would not fit the terminal. */
export function paintFirstFrame(
  io: PaintTerminal,
  preview: NodePreview,
  options: { readOnly?: boolean } = {},
): Painted | null {
  const frame = firstPaint(
    preview,
    {
      columns: io.stdout.columns || 100,
      rows: io.stdout.rows || 40,
      color: io.stdout.hasColors?.() ?? false,
    },
    options,
  );
  if (!frame) return null;
  // Keys typed before Ink listens must neither echo over the frame nor wait for a newline: raw mode now, as Ink
  // will set it anyway; the bytes wait in the terminal until Ink reads them.
  if (io.stdin.isTTY) io.stdin.setRawMode?.(true);
  io.stdout.write(`${frame.text}\n`);
  return { lines: frame.lines };
}

/** The escape sequence that takes the cursor back to the painted frame's first line and clears from there down. */
export function eraseSequence(painted: Painted): string {
  return `\r\u001b[${painted.lines}A\u001b[J`;
}

/** The next write to `stdout` (Ink's first) begins with erasing the painted frame; later writes are untouched. */
export function eraseBeforeNextWrite(stdout: NodeJS.WritableStream, painted: Painted): void {
  const hadOwn = Object.prototype.hasOwnProperty.call(stdout, 'write');
  const original = stdout.write;
  const restore = () => {
    if (hadOwn) stdout.write = original;
    else delete (stdout as { write?: unknown }).write;
  };
  stdout.write = function writeAfterErasing(
    this: NodeJS.WritableStream,
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ): boolean {
    restore();
    const erase = eraseSequence(painted);
    const joined = typeof chunk === 'string' ? erase + chunk : Buffer.concat([Buffer.from(erase), chunk]);
    return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean).call(stdout, joined, ...rest);
  } as typeof stdout.write;
}
