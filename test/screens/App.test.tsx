import { describe, expect, it, vi } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/screens/App.js';
import { DEFAULT_RECIPES } from '../../src/screens/recipes.js';
import type { NodePreview, StatusReport } from '../../src/model/status.js';
import type { Discover } from '../../src/hooks/useDiscovery.js';
import { press, settle, stripAnsi, waitForFrame } from '../components/frames.js';
import { splitReport } from '../components/sample-report.js';
import { RunBridge } from '../../src/hooks/run-bridge.js';
import { demoPlan } from './run-fixture.js';

function start(discover: Discover = async () => splitReport()) {
  const onExit = vi.fn();
  const onPickRecipe = vi.fn();
  const spy = vi.fn(discover);
  const app = render(<App discover={spy} onExit={onExit} onPickRecipe={onPickRecipe} />);
  const frame = () => stripAnsi(app.lastFrame() ?? '');
  return { app, onExit, onPickRecipe, discover: spy, frame, driven: { lastFrame: frame, stdin: app.stdin } };
}

const selectedRow = (f: string) =>
  f
    .split('\n')
    .find((l) => l.startsWith('›'))
    ?.slice(2)
    .trim()
    .split(/\s+/)[0];

describe('App', () => {
  it('shows a spinner while discovering, then the dashboard', async () => {
    let resolve!: (r: StatusReport) => void;
    const { frame } = start(() => new Promise((r) => (resolve = r)));
    await waitForFrame(frame, (f) => f.includes('discovering the cluster'));
    resolve(splitReport());
    const dash = await waitForFrame(frame, (f) => f.includes('etcd servers'));
    expect(dash).toContain('rke2 v1.32.5+rke2r1 · 7 nodes');
    expect(dash).toContain('Earliest leaf expiry');
    expect(dash).toContain('Checks');
    expect(dash).toContain('r refresh');
    expect(selectedRow(dash)).toBe('etcd-1');
  });

  it('draws the node list as soon as discovery knows it, then the dashboard when the scan ends', async () => {
    let resolve!: (r: StatusReport) => void;
    let tell!: (p: NodePreview) => void;
    const { frame } = start((_signal, onPreview) => {
      tell = onPreview!;
      return new Promise((r) => (resolve = r));
    });
    await waitForFrame(frame, (f) => f.includes('discovering the cluster'));
    const nodes = splitReport().nodes.map((n) => ({ name: n.name, address: n.address, roles: n.roles, version: '' }));
    tell({ source: 'inventory', final: false, nodes });
    const early = await waitForFrame(frame, (f) =>
      f.includes('7 nodes from the inventory; asking the Kubernetes API…'),
    );
    expect(early.match(/scanning…/g)).toHaveLength(7);
    // Rotation order already: etcd servers first.
    expect(early.indexOf('etcd-1')).toBeLessThan(early.indexOf('cp-1'));
    expect(early.indexOf('cp-2')).toBeLessThan(early.indexOf('agent-1'));
    tell({ source: 'api', final: true, nodes: nodes.map((n) => ({ ...n, version: 'v1.32.5+rke2r1' })) });
    const fromApi = await waitForFrame(frame, (f) => f.includes('7 nodes from the Kubernetes API'));
    expect(fromApi).toContain('v1.32.5+rke2r1');
    resolve(splitReport());
    const dash = await waitForFrame(frame, (f) => f.includes('Earliest leaf expiry'));
    expect(dash).not.toContain('scanning…');
  });

  it('with a node list known at start, the very first frame is the table, not a spinner', () => {
    const nodes = splitReport().nodes.map((n) => ({ name: n.name, address: n.address, roles: n.roles, version: '' }));
    const app = render(
      <App
        discover={() => new Promise<StatusReport>(() => {})}
        initialPreview={{ source: 'inventory', final: false, nodes }}
        onExit={() => {}}
      />,
    );
    const first = stripAnsi(app.frames[0] ?? '');
    expect(first).toContain('7 nodes from the inventory');
    expect(first.match(/scanning…/g)).toHaveLength(7);
    expect(first).not.toContain('discovering the cluster');
    app.unmount();
  });

  it('moves the highlight with j/k and the arrows, in rotation order', async () => {
    const { driven } = start();
    await waitForFrame(driven.lastFrame, (f) => selectedRow(f) === 'etcd-1');
    await press(driven, 'j', (f) => selectedRow(f) === 'etcd-2');
    await press(driven, '\u001b[B', (f) => selectedRow(f) === 'etcd-3');
    await press(driven, 'j', (f) => selectedRow(f) === 'cp-1');
    await press(driven, 'k', (f) => selectedRow(f) === 'etcd-3');
    await press(driven, '\u001b[A', (f) => selectedRow(f) === 'etcd-2');
    await press(driven, 'k', (f) => selectedRow(f) === 'etcd-1');
    // Stops at the top instead of wrapping.
    await press(driven, 'k', (f) => selectedRow(f) === 'etcd-1');
  });

  it('opens the selected node with enter, goes back with esc, and opens with d', async () => {
    const { driven } = start();
    await waitForFrame(driven.lastFrame, (f) => selectedRow(f) === 'etcd-1');
    await press(driven, 'j', (f) => selectedRow(f) === 'etcd-2');
    const detail = await press(driven, '\r', (f) => f.includes('Certificates ('));
    expect(detail).toMatch(/^etcd-2 /m);
    expect(detail).toContain('member etcd-2-1a2b healthy');
    expect(detail).toContain('esc/b back');
    const back = await press(driven, '\u001b', (f) => f.includes('etcd servers'));
    expect(selectedRow(back)).toBe('etcd-2');
    await press(driven, 'j', (f) => selectedRow(f) === 'etcd-3');
    const again = await press(driven, 'd', (f) => f.includes('Certificates ('));
    expect(again).toContain('member etcd-3-77 unhealthy');
    await press(driven, 'b', (f) => f.includes('etcd servers'));
  });

  it('re-runs discovery on r and keeps the dashboard on screen meanwhile', async () => {
    const { driven, discover } = start();
    await waitForFrame(driven.lastFrame, (f) => f.includes('scanned at'));
    expect(discover).toHaveBeenCalledTimes(1);
    await press(driven, 'r', () => discover.mock.calls.length === 2);
    await waitForFrame(driven.lastFrame, (f) => f.includes('scanned at') && f.includes('etcd servers'));
  });

  it('keeps the last scan and says so when a refresh fails', async () => {
    let calls = 0;
    const { driven } = start(async () => {
      calls += 1;
      if (calls > 1) throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
      return splitReport();
    });
    await waitForFrame(driven.lastFrame, (f) => f.includes('scanned at'));
    const f = await press(driven, 'r', (fr) => fr.includes('refresh failed'));
    expect(f).toContain('ECONNREFUSED');
    expect(f).toContain('etcd servers');
  });

  it('shows a one-line error with what to do when the first discovery fails, and r retries', async () => {
    let fail = true;
    const { driven } = start(async () => {
      if (fail) throw new Error('kubeconfig /nope not found\nstack...');
      return splitReport();
    });
    const f = await waitForFrame(driven.lastFrame, (fr) => fr.includes('could not read the cluster'));
    expect(f).toContain('✗ could not read the cluster: kubeconfig /nope not found');
    expect(f).not.toContain('stack...');
    expect(f).toContain('--inventory');
    fail = false;
    await press(driven, 'r', (fr) => fr.includes('etcd servers'));
  });

  it('p lists the recipes; picking one shows the plan placeholder; esc goes back', async () => {
    const { driven, onPickRecipe } = start();
    await waitForFrame(driven.lastFrame, (f) => f.includes('etcd servers'));
    const list = await press(driven, 'p', (f) => f.includes('Pick a recipe'));
    for (const r of [
      'rotate-certs',
      'renew-expired-certs',
      'recover-restart-loop',
      'rotate-encryption-keys',
      'rotate-ca',
    ]) {
      expect(list).toContain(r);
    }
    // cp-1's diagnosis names recover-restart-loop.
    expect(list).toMatch(/recover-restart-loop\s+★/);
    expect(list).not.toMatch(/rotate-certs\s+★/);
    // The suggested recipe is highlighted from the start: enter picks it.
    expect(list).toMatch(/❯ recover-restart-loop/);
    const plan = await press(driven, '\r', (f) => f.includes('plan preview coming'));
    expect(plan).toContain('recover-restart-loop');
    expect(onPickRecipe).toHaveBeenCalledWith(
      'recover-restart-loop',
      expect.objectContaining({ nodes: expect.any(Array) }),
    );
    await press(driven, '\u001b', (f) => f.includes('Pick a recipe'));
    await press(driven, 'b', (f) => f.includes('etcd servers'));
  });

  it('counts every key of a chunk: jj moves the selection twice, and "kkkkkjj" then enter picks the third recipe', async () => {
    const { driven, onPickRecipe, app } = start();
    await waitForFrame(driven.lastFrame, (f) => f.includes('etcd servers'));
    await settle();
    app.stdin.write('jj');
    await waitForFrame(driven.lastFrame, (f) => selectedRow(f) === 'etcd-3');
    await press(driven, 'p', (f) => f.includes('Pick a recipe'));
    await settle();
    app.stdin.write('kkkkkjj\r');
    const third = DEFAULT_RECIPES[2].name;
    await waitForFrame(driven.lastFrame, (f) => f.includes('plan preview coming'));
    expect(onPickRecipe).toHaveBeenCalledWith(third, expect.anything());
  });

  it('? toggles the help listing the keys of the screen', async () => {
    const { driven } = start();
    await waitForFrame(driven.lastFrame, (f) => f.includes('etcd servers'));
    const help = await press(driven, '?', (f) => f.includes('Keys on this screen'));
    expect(help).toMatch(/enter\/d\s+node detail/);
    await press(driven, '?', (f) => !f.includes('Keys on this screen'));
  });

  it('q exits and calls onExit', async () => {
    const { driven, onExit, app } = start();
    await waitForFrame(driven.lastFrame, (f) => f.includes('etcd servers'));
    await settle();
    app.stdin.write('q');
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledTimes(1));
    expect(onExit).toHaveBeenCalledWith('quit');
  });

  it('ctrl-c exits too, as an interrupt (the wizard exits 130)', async () => {
    const { driven, onExit, app } = start();
    await waitForFrame(driven.lastFrame, (f) => f.includes('etcd servers'));
    await settle();
    app.stdin.write('\u0003');
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledTimes(1));
    expect(onExit).toHaveBeenCalledWith('interrupt');
  });

  it('aborts the discovery in flight when unmounted', async () => {
    let seen: AbortSignal | undefined;
    const { app } = start((signal) => {
      seen = signal;
      return new Promise(() => {});
    });
    await vi.waitFor(() => expect(seen).toBeDefined());
    app.unmount();
    expect(seen!.aborted).toBe(true);
  });

  it('with startRun, picking a recipe opens the run screen in-process; q after the end goes back to the dashboard', async () => {
    const bridge = new RunBridge({
      recipe: 'rotate-certs',
      runId: 'RUN-9',
      cluster: 'https://api:6443',
      resumed: false,
    });
    const startRun = vi.fn(() => bridge);
    const app = render(<App discover={async () => splitReport()} onExit={() => {}} startRun={startRun} />);
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    const driven = { lastFrame: frame, stdin: app.stdin };
    await waitForFrame(frame, (f) => f.includes('etcd servers'));
    await press(driven, 'p', (f) => f.includes('Pick a recipe'));
    const started = bridge.waitForStart(demoPlan());
    await press(driven, '\r', (f) => f.includes('Press enter to start'));
    // The diagnoses' recipe is preselected.
    expect(startRun).toHaveBeenCalledWith(
      'recover-restart-loop',
      expect.objectContaining({ nodes: expect.any(Array) }),
    );
    // q on the preview cancels the run, not the wizard.
    await press(driven, 'q', (f) => !f.includes('Press enter to start'));
    await expect(started).resolves.toBe(false);
    bridge.finish('keyturn: cancelled before the first node; nothing was changed', true);
    await waitForFrame(frame, (f) => f.includes('press q to exit'));
    await press(driven, 'q', (f) => f.includes('etcd servers'));
  });

  it('offers an interrupted run on the dashboard; c continues it in-process; once it ends, the offer is asked again', async () => {
    const bridge = new RunBridge({
      recipe: 'rotate-certs',
      runId: 'RUN-7',
      cluster: 'https://api:6443',
      resumed: true,
    });
    const resumeRun = vi.fn(() => bridge);
    const interrupted = {
      runId: 'RUN-7',
      recipe: 'rotate-certs',
      summary: 'stopped (interrupted) · 9 of 34 steps done',
      reportCommand: 'keyturn report RUN-7 --state-dir /srv/kt',
    };
    let pending: typeof interrupted | null = interrupted;
    const findInterrupted = vi.fn(async () => pending);
    const app = render(
      <App
        discover={async () => splitReport()}
        onExit={() => {}}
        findInterrupted={findInterrupted}
        resumeRun={resumeRun}
      />,
    );
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    const driven = { lastFrame: frame, stdin: app.stdin };
    const offer = await waitForFrame(
      frame,
      (f) => f.includes('An earlier rotate-certs run did not finish: RUN-7') && f.includes('etcd servers'),
    );
    expect(offer).toContain('9 of 34 steps done');
    expect(offer.replace(/\s+/g, ' ')).toContain('keyturn report RUN-7 --state-dir /srv/kt'); // the session's --state-dir kept
    expect(offer).toMatch(/c continue the interrupted run/);
    await press(driven, 'c', (f) => !f.includes('An earlier rotate-certs run'));
    expect(resumeRun).toHaveBeenCalledWith(interrupted, expect.objectContaining({ nodes: expect.any(Array) }));
    pending = null; // the run finished
    bridge.finish('rotate-certs succeeded on every node', true);
    await waitForFrame(frame, (f) => f.includes('press q to exit'));
    await press(driven, 'q', (f) => f.includes('etcd servers'));
    const back = await waitForFrame(frame, (f) => f.includes('etcd servers') && !f.includes('did not finish'));
    expect(findInterrupted.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(back).not.toMatch(/c continue the interrupted run/);
  });
  it('x abandons the offered run and the banner is asked again; a run live in another terminal is shown, not offered', async () => {
    const interrupted = {
      runId: 'RUN-8',
      recipe: 'rotate-certs',
      summary: 'stopped (quit) · 3 of 34 steps done',
      reportCommand: 'keyturn report RUN-8 --state-dir /srv/kt',
    };
    let pending: (typeof interrupted & { runningElsewhere?: string }) | null = interrupted;
    const abandonRun = vi.fn(async () => {
      pending = null;
    });
    const app = render(
      <App
        discover={async () => splitReport()}
        onExit={() => {}}
        findInterrupted={async () => pending}
        resumeRun={vi.fn()}
        abandonRun={abandonRun}
      />,
    );
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    const offer = await waitForFrame(frame, (f) => f.includes('did not finish: RUN-8') && f.includes('etcd servers'));
    expect(offer).toMatch(/x abandon the interrupted run/);
    await press({ lastFrame: frame, stdin: app.stdin }, 'x', (f) => !f.includes('RUN-8'));
    expect(abandonRun).toHaveBeenCalledWith(interrupted);
    app.unmount();

    pending = { ...interrupted, runningElsewhere: 'ops@bastion, pid 4242' };
    const live = render(
      <App
        discover={async () => splitReport()}
        onExit={() => {}}
        findInterrupted={async () => pending}
        resumeRun={vi.fn()}
        abandonRun={abandonRun}
      />,
    );
    const liveFrame = () => stripAnsi(live.lastFrame() ?? '');
    const shown = await waitForFrame(
      liveFrame,
      (f) => f.includes('A rotate-certs run is in progress: RUN-8') && f.includes('etcd servers'),
    );
    expect(shown).toContain('running now in another terminal (ops@bastion, pid 4242)');
    expect(shown).not.toMatch(/c continue the interrupted run|x abandon/);
    live.unmount();
  });
});
