import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.js';
import { foldEvents, nextAction } from '../../src/engine/reducer.js';
import { Killed } from './support/ports.js';
import { resume, setup, start } from './support/run.js';

const finishedKeys = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'step-finished' ? [e.key] : []));

describe('resume after being killed at any event', () => {
  it('full run for reference', async () => {
    const s = await setup('rotate-certs', 'ha');
    const state = await start(s);
    expect(state.outcome.status).toBe('succeeded');
    expect(s.journal.events.length).toBeGreaterThan(40);
  });

  it('cut at every event index: no finished step repeated, none skipped, side effects once', async () => {
    const reference = await setup('rotate-certs', 'ha');
    await start(reference);
    const total = reference.journal.events.length;
    const allKeys = reference.plan.blocks.flatMap((b) => b.steps.map((s) => s.key));

    for (let cut = 1; cut < total; cut++) {
      const s = await setup('rotate-certs', 'ha');
      s.journal.killAfter = cut;
      await expect(start(s)).rejects.toBeInstanceOf(Killed);
      expect(s.journal.events).toHaveLength(cut);
      const before = finishedKeys(s.journal.events);
      s.journal.killAfter = null;
      const state = await resume(s);
      expect(state.outcome.status, `cut ${cut}`).toBe('succeeded');
      const keys = finishedKeys(s.journal.events);
      expect(new Set(keys).size, `cut ${cut}: a step finished twice`).toBe(keys.length);
      expect([...keys].sort(), `cut ${cut}: a step was skipped`).toEqual([...allKeys].sort());
      // Finished steps never re-ran: no step-started after the cut for a step finished before it.
      const startedAfter = s.journal.events.slice(cut).flatMap((e) => (e.type === 'step-started' ? [e.key] : []));
      expect(
        startedAfter.filter((k) => before.includes(k)),
        `cut ${cut}`,
      ).toEqual([]);
      // Side effects happened once per node, whatever the cut.
      for (const node of ['server-1', 'server-2', 'server-3']) {
        const n = s.fake.scripts.filter((x) => x.node === node);
        expect(n.filter((x) => x.script === 'rke2 certificate rotate').length, `cut ${cut} ${node} rotate`).toBe(1);
        expect(n.filter((x) => x.script === 'systemctl stop rke2-server').length, `cut ${cut} ${node} stop`).toBe(1);
        expect(n.filter((x) => x.script === 'systemctl start rke2-server').length, `cut ${cut} ${node} start`).toBe(1);
      }
      for (const cmd of ['systemctl stop rke2-agent', 'rke2 certificate rotate', 'systemctl start rke2-agent']) {
        expect(
          s.fake.scripts.filter((x) => x.node === 'agent-1' && x.script === cmd).length,
          `cut ${cut} agent ${cmd}`,
        ).toBe(1);
      }
      expect(s.fake.maxServersDownAtOnce()).toBe(1);
    }
  }, 300_000);

  it('an interrupted certificate rotate is checked (tls-<ts> backup from this run) before it runs again', async () => {
    const s = await setup('rotate-certs', 'single');
    // Kill right after the rotate command ran, before its step-finished was written.
    s.fake.opts.hook = (_node, script) => {
      if (script === 'rke2 certificate rotate') s.journal.killAfter = s.journal.events.length;
    };
    await expect(start(s)).rejects.toBeInstanceOf(Killed);
    const state = foldEvents(s.journal.events)!;
    expect(nextAction(state).type).toBe('check');
    expect(state.steps['rotate-certs/server-1/servers.rotate'].status).toBe('running');
    s.fake.opts.hook = undefined;
    s.journal.killAfter = null;
    const done = await resume(s);
    expect(done.outcome.status).toBe('succeeded');
    const checked = s.journal.events.find(
      (e) => e.type === 'step-checked' && e.key === 'rotate-certs/server-1/servers.rotate',
    );
    expect(checked).toMatchObject({ verdict: 'done' });
    expect(s.fake.scripts.filter((x) => x.script === 'rke2 certificate rotate')).toHaveLength(1);
    expect(s.confirm.asked.at(-1)?.resumed).toBe(true);
  });

  it('an interrupted stop whose unit is still active runs again', async () => {
    const s = await setup('rotate-certs', 'single');
    s.fake.opts.hook = (node, script) => {
      if (script === 'systemctl stop rke2-server') {
        s.journal.killAfter = s.journal.events.length;
        return { node, script, outcome: 'aborted', code: null, stdout: '', stderr: '', durationMs: 1 };
      }
    };
    await expect(start(s)).rejects.toBeInstanceOf(Killed);
    s.fake.opts.hook = undefined;
    s.journal.killAfter = null;
    expect((await resume(s)).outcome.status).toBe('succeeded');
    expect(s.journal.events.find((e) => e.type === 'step-checked')).toMatchObject({
      key: 'rotate-certs/server-1/servers.stop',
      verdict: 'not-done',
    });
    // The interrupted attempt, then the re-run after the check found the unit still active.
    expect(s.fake.scripts.filter((x) => x.script === 'systemctl stop rke2-server')).toHaveLength(2);
    expect(s.fake.scripts.filter((x) => x.script === 'systemctl is-active rke2-server || true')).toHaveLength(1);
  });

  it('resuming a failed run re-checks the failed gate and continues once the cause is fixed', async () => {
    const s = await setup('rotate-certs', 'ha', { crashLoop: ['server-2'] });
    expect((await start(s)).outcome.status).toBe('failed');
    s.fake.opts.crashLoop = [];
    await s.fake.shell('server-2').run('systemctl restart rke2-server'); // the operator fixed it by hand
    const state = await resume(s);
    expect(state.outcome.status).toBe('succeeded');
    expect(s.fake.scripts.filter((x) => x.node === 'server-3' && x.script === 'rke2 certificate rotate')).toHaveLength(
      1,
    );
  });
});
