// The plain first frame must be Ink's first frame, line for line: otherwise the hand-over from one to the other
// shows on the operator's screen. Each case renders the real App (Ink, React, Yoga) in a terminal of a given
// size and compares.
import { EventEmitter } from 'node:events';
import React from 'react';
import { render } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/screens/App.js';
import { firstPaint } from '../../src/screens/first-paint.js';
import type { NodePreview, StatusReport } from '../../src/model/status.js';
import type { Role } from '../../src/model/cluster.js';
import { stripAnsi } from '../components/frames.js';
import { splitReport } from '../components/sample-report.js';

class Terminal extends EventEmitter {
  frames: string[] = [];
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
}

class Keyboard extends EventEmitter {
  isTTY = true;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => null;
}

const unmounts: Array<() => void> = [];
afterEach(() => unmounts.splice(0).forEach((u) => u()));

/** Ink's first frame of the wizard with this node list, in a terminal of this size, without styles. */
function inkFirstFrame(preview: NodePreview, columns: number, rows: number, readOnly = false): string {
  const stdout = new Terminal(columns, rows);
  const instance = render(
    <App
      discover={() => new Promise<StatusReport>(() => {})}
      initialPreview={preview}
      onExit={() => {}}
      readOnly={readOnly}
    />,
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: new Terminal(columns, rows) as unknown as NodeJS.WriteStream,
      stdin: new Keyboard() as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  unmounts.push(() => instance.unmount());
  return stripAnsi(stdout.frames[0] ?? '').replace(/\n+$/, '');
}

function plainPaint(preview: NodePreview, columns: number, rows: number): string | null {
  return firstPaint(preview, { columns, rows, color: false })?.text ?? null;
}

const splitNodes = (version = '') =>
  splitReport().nodes.map((n) => ({ name: n.name, address: n.address, roles: n.roles, version }));

function manyNodes(count: number): NodePreview['nodes'] {
  const roles = (i: number): Role[] => (i < 3 ? ['etcd'] : i < 5 ? ['control-plane'] : []);
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i + 1}`,
    address: `10.0.0.${i + 1}`,
    roles: roles(i),
    version: 'v1.31.6+k3s1',
  }));
}

describe('the first frame painted without Ink', () => {
  const cases: Array<[string, NodePreview, number, number]> = [
    [
      'the split lab from its inventory, no versions yet',
      { source: 'inventory', final: false, nodes: splitNodes() },
      100,
      40,
    ],
    [
      'the inventory with no kubeconfig (final), in a wide terminal',
      { source: 'inventory', final: true, nodes: splitNodes('v1.32.5+rke2r1') },
      160,
      50,
    ],
    [
      'the node list remembered from an earlier scan',
      { source: 'remembered', final: false, nodes: splitNodes('v1.32.5+rke2r1') },
      120,
      30,
    ],
    ['the API list', { source: 'api', final: true, nodes: splitNodes('v1.32.5+rke2r1') }, 100, 40],
    [
      '50 nodes in 30 rows: a window and "more" below',
      { source: 'inventory', final: false, nodes: manyNodes(50) },
      100,
      30,
    ],
    [
      'names and roles too long for their columns, and a node whose roles are unknown',
      {
        source: 'inventory',
        final: false,
        nodes: [
          {
            name: 'a-very-long-node-name-from-a-cloud-provider-1',
            address: '10.0.0.1',
            roles: ['etcd', 'control-plane', 'worker'],
            version: 'v1.32.5+rke2r1-with-a-suffix',
          },
          { name: 'short', address: '10.0.0.2', roles: null, version: '' },
        ],
      },
      140,
      40,
    ],
  ];

  it.each(cases)("equals Ink's first frame: %s", (_name, preview, columns, rows) => {
    const painted = plainPaint(preview, columns, rows);
    expect(painted).not.toBeNull();
    expect(painted).toBe(inkFirstFrame(preview, columns, rows));
  });

  it("read-only (keyturn --read-only): the READ-ONLY header first, and still Ink's first frame", () => {
    for (const [preview, columns, rows] of [
      [{ source: 'inventory', final: false, nodes: splitNodes() }, 100, 40],
      [{ source: 'inventory', final: false, nodes: manyNodes(50) }, 100, 30],
    ] as const) {
      const painted = firstPaint(preview, { columns, rows, color: false }, { readOnly: true })?.text ?? null;
      expect(painted?.split('\n')[0]).toBe('READ-ONLY · keys that change the cluster or its runs are off');
      expect(painted).toBe(inkFirstFrame(preview, columns, rows, true));
    }
  });

  it('draws a window of a large cluster and says how many nodes are below it', () => {
    const painted = plainPaint({ source: 'inventory', final: false, nodes: manyNodes(50) }, 100, 30) ?? '';
    // 30 rows leave 18 for node rows.
    expect(painted.match(/^  node-\d+ /gm)).toHaveLength(18);
    expect(painted).toContain('  ↓ 32 more');
  });

  it('with colours, shows the same text, styled', () => {
    const preview: NodePreview = { source: 'inventory', final: false, nodes: splitNodes() };
    const styled = firstPaint(preview, { columns: 100, rows: 40, color: true });
    expect(styled?.text).toMatch(/\u001b\[1m7 nodes\u001b\[22m/);
    expect(stripAnsi(styled?.text ?? '')).toBe(plainPaint(preview, 100, 40));
    expect(styled?.lines).toBe(stripAnsi(styled?.text ?? '').split('\n').length);
  });

  it('is not painted where Ink would draw it differently or it could not be erased', () => {
    const preview: NodePreview = { source: 'inventory', final: false, nodes: splitNodes() };
    // The table is 96 columns wide: Ink shrinks the name column in 80.
    expect(plainPaint(preview, 80, 40)).toBeNull();
    // 17 lines in 12 rows would scroll off the top.
    expect(plainPaint(preview, 100, 12)).toBeNull();
    // Wide characters take two columns: the line widths above would be wrong.
    const wide: NodePreview = {
      ...preview,
      nodes: [{ name: 'ノード-1', address: '10.0.0.1', roles: ['etcd'], version: '' }],
    };
    expect(plainPaint(wide, 100, 40)).toBeNull();
  });
});
