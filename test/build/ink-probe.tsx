// Bundled twice by bundle-patches.test.ts — with the build's patches and without — and run in a child process:
// `frame` prints a rich frame (styles, borders, wide characters, truncation); `wrap-after`/`wrap-alone` print a
// wrapped text after (or without) one whose wrap-cache key is the same in Ink 6/7; `retained` renders many distinct
// lines and prints how much heap is still reachable afterwards (run with --expose-gc).
import { Writable } from 'node:stream';
import React from 'react';
import { Box, Text, render, renderToString } from 'ink';

function Frame(): React.JSX.Element {
  return (
    <Box flexDirection="column" borderStyle="single" borderDimColor paddingX={1} width={70}>
      <Text bold>agent-1 · journalctl -u rke2-agent</Text>
      <Text dimColor>… 499500 earlier lines</Text>
      <Text wrap="truncate-end">
        {'Jun 01 12:00:00 agent-1 rke2[4242]: level=info msg="a line long enough to be cut at the edge of the pane"'}
      </Text>
      <Text color="red" bold wrap="truncate-end">
        level=fatal msg="x509: certificate has expired"
      </Text>
      <Box>
        <Text color="green">✔ </Text>
        <Text>証明書 ok </Text>
        <Text backgroundColor="blue" color="white">
          {' '}
          etcd-1{' '}
        </Text>
        <Text>{' 🇩🇪 e\u0301tcd'}</Text>
      </Box>
    </Box>
  );
}

const gc = (globalThis as { gc?: () => void }).gc;
if (process.argv[2] === 'frame') {
  process.stdout.write(renderToString(<Frame />, { columns: 80 }));
} else if (process.argv[2] === 'wrap-after' || process.argv[2] === 'wrap-alone') {
  // ink#998: in Ink 6/7 the first text at width 15 and the second at width 5 share one wrap-cache key.
  if (process.argv[2] === 'wrap-after')
    renderToString(
      <Box width={15}>
        <Text>一二三四五六七八九十</Text>
      </Box>,
    );
  process.stdout.write(
    renderToString(
      <Box width={5}>
        <Text>一二三四五六七八九十1</Text>
      </Box>,
    ),
  );
} else if (process.argv[2] === 'retained') {
  const count = Number(process.argv[3] ?? 5000);
  const pad = ' lorem ipsum dolor sit amet'.repeat(8);
  // One long-lived app, as the wizard is, redrawn once per line (debug: no frame throttling).
  const terminal = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), {
    isTTY: true,
    columns: 100,
    rows: 40,
  });
  const line = (i: number) => <Text wrap="truncate-end">{`line ${i} of a live log${pad}`}</Text>;
  const app = render(line(0), {
    stdout: terminal as unknown as NodeJS.WriteStream,
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 1; i <= count; i++) app.rerender(line(i));
  app.unmount();
  gc?.();
  process.stdout.write(JSON.stringify({ retainedBytes: process.memoryUsage().heapUsed - before }));
}
