// A failed step on a node the run had stopped: the node is named STOPPED, its start is a confirmed action
// journalled as node-started, and a resume stops it again before redoing the failed step.
import { describe, expect, it } from 'vitest';
import { startStoppedNode, stoppedLine, stoppedNodes } from '../../src/engine/stopped-nodes.js';
import { outcomeOf } from '../../src/run/outcome.js';
import { commandText } from '../../src/commands/keyturn-command.js';
import { hintsFor } from '../../src/screens/keymap.js';
import { operator, resume, setup, start } from './support/run.js';

describe('nodes a failed run left stopped', () => {
  it('an agent whose rotate failed is STOPPED; starting it is journalled and resume stops it again first', async () => {
    let failRotate = true;
    const s = await setup('rotate-certs', 'split', {
      hook: (node, script) =>
        failRotate && node === 'agent-1' && script === 'rke2 certificate rotate'
          ? {
              node,
              script,
              outcome: 'exit',
              code: 1,
              stdout: '',
              stderr: 'FATA[0000] open /var/lib/rancher/rke2/server/token: no such file or directory\n',
              durationMs: 5,
            }
          : undefined,
    });
    const failed = await start(s);
    expect(failed.outcome.status === 'failed' && failed.outcome.failure.node).toBe('agent-1');
    expect(stoppedNodes(failed).map((n) => n.name)).toEqual(['agent-1']);
    expect(stoppedLine(stoppedNodes(failed)[0])).toBe(
      'agent-1 is STOPPED: this run stopped rke2-agent and failed before starting it again — start it with `systemctl start rke2-agent` on agent-1',
    );
    expect(outcomeOf(failed, commandText({})).lines).toContain(`⚠ ${stoppedLine(stoppedNodes(failed)[0])}`);

    const started = await startStoppedNode(s.ports, failed, 'agent-1', operator);
    expect(started.ok).toBe(true);
    expect(s.journal.events.at(-1)).toMatchObject({
      type: 'node-started',
      node: 'agent-1',
      command: 'systemctl start rke2-agent',
      outcome: 'ok',
    });
    expect(stoppedNodes(started.state)).toEqual([]);
    expect(outcomeOf(started.state, commandText({})).lines.join('\n')).not.toContain('STOPPED');
    expect(started.state.steps['rotate-certs/agent-1/agents.stop'].status).toBe('pending');

    failRotate = false;
    const mark = s.fake.scripts.length;
    const done = await resume(s);
    expect(done.outcome.status).toBe('succeeded');
    const agent1 = s.fake.scripts
      .slice(mark)
      .filter((x) => x.node === 'agent-1' && /^systemctl (stop|start)|certificate rotate$/.test(x.script))
      .map((x) => x.script);
    expect(agent1).toEqual(['systemctl stop rke2-agent', 'rke2 certificate rotate', 'systemctl start rke2-agent']);
  });

  it('a node whose start was tried is not reported stopped; nodes never stopped are not either', async () => {
    const s = await setup('rotate-certs', 'split', { crashLoop: ['etcd-2'] });
    const failed = await start(s);
    expect(failed.outcome.status).toBe('failed');
    expect(stoppedNodes(failed)).toEqual([]);
  });

  it('the run screen offers the start with y (dangerous) and n/q to leave it', () => {
    const hints = hintsFor('run-start-stopped');
    expect(hints).toEqual([
      { key: 'y', label: 'start the stopped node', dangerous: true },
      { key: 'n/q', label: 'leave it stopped', dangerous: undefined },
    ]);
  });
});
