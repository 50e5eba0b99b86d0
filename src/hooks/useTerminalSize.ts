// The terminal's size, as React state: Ink re-lays out its last frame on 'resize' but does not re-render, so a
// screen that sizes itself from stdout.rows would keep the old budget until the next key press.
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export function useTerminalSize(fallback: TerminalSize = { columns: 100, rows: 40 }): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({
    columns: stdout?.columns || fallback.columns,
    rows: stdout?.rows || fallback.rows,
  });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (!stdout) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    onResize(); // a resize between the first render and this effect
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
