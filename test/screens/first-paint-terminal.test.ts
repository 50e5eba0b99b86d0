import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { eraseBeforeNextWrite, eraseSequence, paintFirstFrame } from '../../src/commands/first-paint-terminal.js';
import type { NodePreview } from '../../src/model/status.js';

const preview: NodePreview = {
  source: 'inventory',
  final: false,
  nodes: [
    { name: 'etcd-1', address: '10.0.0.1', roles: ['etcd'], version: '' },
    { name: 'agent-1', address: '10.0.0.2', roles: [], version: '' },
  ],
};

function terminal(columns: number, rows: number, isTTY = true) {
  const written: string[] = [];
  const rawModes: boolean[] = [];
  return {
    written,
    rawModes,
    io: {
      stdin: { isTTY, setRawMode: (mode: boolean) => rawModes.push(mode) },
      stdout: { columns, rows, write: (s: string) => (written.push(s), true), hasColors: () => false },
    },
  };
}

describe('painting the first frame on the terminal', () => {
  it('writes the frame once, the cursor left on the line below it, and takes the keyboard out of line mode', () => {
    const t = terminal(100, 40);
    const painted = paintFirstFrame(t.io as never, preview);
    expect(t.written).toHaveLength(1);
    expect(t.written[0].endsWith('\n')).toBe(true);
    expect(t.written[0]).toContain('2 nodes from the inventory');
    expect(painted?.lines).toBe(t.written[0].split('\n').length - 1);
    // Keys typed before Ink listens neither echo over the frame nor wait for enter.
    expect(t.rawModes).toEqual([true]);
  });

  it('writes nothing and leaves the keyboard alone when the frame would not fit', () => {
    const t = terminal(60, 40);
    expect(paintFirstFrame(t.io as never, preview)).toBeNull();
    expect(t.written).toEqual([]);
    expect(t.rawModes).toEqual([]);
  });
});

describe('handing the screen to Ink', () => {
  it('erases the painted lines at the start of the next write only, in that same write', () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    eraseBeforeNextWrite(stream, { lines: 17 });
    stream.write('first frame\n');
    stream.write('second frame\n');
    expect(chunks).toEqual([`${eraseSequence({ lines: 17 })}first frame\n`, 'second frame\n']);
    expect(eraseSequence({ lines: 17 })).toBe('\r\u001b[17A\u001b[J');
    // The stream's own write is back: nothing of the hand-over stays on it.
    expect(Object.prototype.hasOwnProperty.call(stream, 'write')).toBe(false);
  });

  it('erases before a first write of bytes too', () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    eraseBeforeNextWrite(stream, { lines: 3 });
    stream.write(Buffer.from('bytes'));
    expect(Buffer.concat(chunks).toString()).toBe(`${eraseSequence({ lines: 3 })}bytes`);
  });
});
