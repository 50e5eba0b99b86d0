// Upstream's e2e/integration helpers, ported to the lab: the same command text, run on a node through the lab
// node env (handle.run), output combined like upstream's RunCmdOnNode (vagrant ssh → CombinedOutput).
// Sources: k3s tests/e2e/testutils.go @7e82786f (RestartCluster "systemctl restart k3s* --all", StartCluster
// "systemctl start k3s[-agent]", StopCluster "systemctl stop k3s*", ParseNodes "kubectl get nodes --no-headers -o
// wide"), tests/e2e/rotatecertificate/rotatecertificate.go @b3eaef90 ("k3s --debug certificate rotate").
import { expect } from 'vitest';
import { runWith, waitFor, type LabHandle } from '../support/lab.js';

/** Upstream's RunCmdOnNode: fails on a non-zero exit, returns stdout and stderr together. */
export async function runCmdOnNode(lab: LabHandle, node: string, cmd: string): Promise<string> {
  const r = await lab.run(node, cmd);
  const output = r.stdout + r.stderr;
  if (r.code !== 0) throw new Error(`\`${cmd}\` on ${node} exited ${r.code}: ${output}`);
  return output;
}

/** Gomega's Eventually(func(g Gomega){...}).Should(Succeed()): retries the assertions until they hold. */
export function eventually(what: string, check: () => Promise<void>, timeoutMs = 30_000): Promise<true> {
  return waitFor(
    what,
    async () => {
      await check();
      return true as const;
    },
    timeoutMs,
  );
}

/** e2e.RestartCluster (k3s): one node after the other, `systemctl restart k3s* --all`. */
export async function restartCluster(lab: LabHandle, nodes: string[]): Promise<void> {
  for (const node of nodes) await runCmdOnNode(lab, node, 'systemctl restart k3s* --all');
}

/** e2e.StopCluster (k3s): `systemctl stop k3s*` on each node. */
export async function stopCluster(lab: LabHandle, nodes: string[]): Promise<void> {
  for (const node of nodes) await runCmdOnNode(lab, node, 'systemctl stop k3s*');
}

/** e2e.StartCluster (k3s): `systemctl start k3s`, `-agent` appended on agents. */
export async function startCluster(lab: LabHandle, nodes: string[]): Promise<void> {
  for (const node of nodes)
    await runCmdOnNode(lab, node, `systemctl start k3s${node.includes('agent') ? '-agent' : ''}`);
}

/** e2e.ParseNodes: `kubectl get nodes --no-headers -o wide`, fields[0] name, fields[1] status. */
export async function parseNodes(
  lab: LabHandle,
): Promise<{ name: string; status: string; roles: string; internalIP: string }[]> {
  const r = await runWith(process.env as Record<string, string>, 'kubectl', [
    'get',
    'nodes',
    '--no-headers',
    '-o',
    'wide',
    `--kubeconfig=${lab.kubeconfig}`,
  ]);
  if (r.code !== 0) throw new Error(`unable to get nodes: ${r.stdout}${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      return { name: fields[0], status: fields[1], roles: fields[2], internalIP: fields[5] };
    });
}

/** The "Checks node status" half of upstream's "Checks node and pod status": every node Ready. */
export async function expectAllNodesReady(lab: LabHandle, timeoutMs = 30_000): Promise<void> {
  await eventually(
    'every node Ready',
    async () => {
      const nodes = await parseNodes(lab);
      expect(nodes.length).toBe(lab.nodes.length);
      for (const node of nodes) expect(node.status, node.name).toBe('Ready');
    },
    timeoutMs,
  );
}
