// Agents whose server is down, as upstream runs them (k3s-io/k3s pkg/agent/run.go): the process retries every 2 s
// and logs level=error, it never exits for this, so systemd never restarts it. A Type=notify unit (RKE2; K3s
// installs from July 2022, k3s#5851) stays "activating (start)"; a Type=exec unit (older K3s agent installs) is
// "active (running)" meanwhile. keyturn's diagnosis of such an agent must say so, not "restart loop".
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/discovery/diagnose.js';
import { parseJournal } from '../../src/discovery/parse-journal.js';
import { parseSystemctlShow } from '../../src/discovery/parse-systemctl.js';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';

const RETRY =
  /level=error msg="Failed to validate connection to cluster at https:\/\/[\d.]+:(9345|6443): failed to get CA certs: Get \\"https:\/\/127\.0\.0\.1:6444\/cacerts\\": read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:6444: read: connection reset by peer"/g;

async function show(lab: LabHandle, node: string, unit: string): Promise<Record<string, string>> {
  const result = await lab.run(node, `systemctl show -p Type,NRestarts,ActiveState,SubState ${unit}`);
  return Object.fromEntries(
    result.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

async function journal(lab: LabHandle, node: string, unit: string): Promise<string> {
  return (await lab.run(node, `journalctl -u ${unit} --no-pager`)).stdout;
}

/** Waits for at least `count` retry lines in the agent's journal. */
async function retries(lab: LabHandle, node: string, unit: string, count: number): Promise<string> {
  return waitFor(`${count} retries on ${node}`, async () => {
    const text = await journal(lab, node, unit);
    return [...text.matchAll(RETRY)].length >= count ? text : undefined;
  });
}

describe('an agent with no reachable server', () => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('RKE2 (Type=notify): retries in-process every 2 s, the unit stays activating (start) with no restarts, and comes up with a server', async () => {
    lab = await startLab({ topology: 'single', etcd: 'emulated' });
    await lab.run('server-1', 'systemctl stop rke2-server');
    // A blocking start would wait for READY=1, which the agent sends only once it is up (TimeoutStartSec=0).
    expect(await lab.run('agent-1', 'systemctl restart --no-block rke2-agent')).toMatchObject({ code: 0 });
    const text = await retries(lab, 'agent-1', 'rke2-agent', 4);
    expect(await show(lab, 'agent-1', 'rke2-agent')).toMatchObject({
      Type: 'notify',
      ActiveState: 'activating',
      SubState: 'start',
      NRestarts: '0',
    });
    expect(text).not.toContain('level=fatal');
    expect(text).not.toContain('Scheduled restart job');

    // keyturn reads the same journal and unit: the agent is waiting for a server, not looping.
    const unit = parseSystemctlShow((await lab.run('agent-1', 'systemctl show rke2-agent')).stdout);
    const found = diagnose(parseJournal(text), { roles: [], unit });
    expect(found.map((d) => d.code)).toEqual(['agent-waiting-for-server']);
    expect(found[0].message).toMatch(
      /^the agent cannot reach or validate a server and retries every 2 s \(activating\/start, 0 restarts; not a restart loop\): Failed to validate connection/,
    );

    await lab.run('server-1', 'systemctl start rke2-server');
    await waitFor('agent active', async () =>
      (await lab!.run('agent-1', 'systemctl is-active rke2-agent')).code === 0 ? true : undefined,
    );
    expect(await show(lab, 'agent-1', 'rke2-agent')).toMatchObject({ ActiveState: 'active', NRestarts: '0' });
    const after = await journal(lab, 'agent-1', 'rke2-agent');
    expect(after).toContain('msg="rke2 agent is up and running"');
    expect(
      diagnose(parseJournal(after), {
        roles: [],
        unit: parseSystemctlShow((await lab.run('agent-1', 'systemctl show rke2-agent')).stdout),
      }),
    ).toEqual([]);
  });

  it('K3s agents are Type=notify on current releases', async () => {
    lab = await startLab({ topology: 'single', distro: 'k3s', etcd: 'emulated' });
    expect(await show(lab, 'agent-1', 'k3s-agent')).toMatchObject({ Type: 'notify', ActiveState: 'active' });
    expect(await show(lab, 'server-1', 'k3s')).toMatchObject({ Type: 'notify' });
  });

  it('K3s agents installed before July 2022 are Type=exec: active (running) at once while they retry', async () => {
    lab = await startLab({ topology: 'single', distro: 'k3s', version: 'v1.23.8+k3s1', etcd: 'emulated' });
    expect(await show(lab, 'agent-1', 'k3s-agent')).toMatchObject({ Type: 'exec', ActiveState: 'active' });
    await lab.run('server-1', 'systemctl stop k3s');
    // Type=exec: the start job is done once the process runs, so a blocking restart returns.
    expect(await lab.run('agent-1', 'systemctl restart k3s-agent')).toMatchObject({ code: 0 });
    const text = await retries(lab, 'agent-1', 'k3s-agent', 3);
    expect(await show(lab, 'agent-1', 'k3s-agent')).toMatchObject({
      ActiveState: 'active',
      SubState: 'running',
      NRestarts: '0',
    });
    const unit = parseSystemctlShow((await lab.run('agent-1', 'systemctl show k3s-agent')).stdout);
    expect(diagnose(parseJournal(text), { roles: [], unit }).map((d) => d.code)).toEqual(['agent-waiting-for-server']);
    await lab.run('server-1', 'systemctl start k3s');
    await waitFor('agent up', async () =>
      (await journal(lab!, 'agent-1', 'k3s-agent')).includes('msg="k3s agent is up and running"') ? true : undefined,
    );
  });
});
