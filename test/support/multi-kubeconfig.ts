// One kubeconfig with several contexts, as an operator's ~/.kube/config holds after copying in each cluster's admin
// kubeconfig: each lab's (one context each, all named alike by `lab up`) renamed to the given name, plus optional
// contexts pointing at addresses where nothing listens. The first context is the current one.
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { parse, stringify } from 'yaml';

type Named = { name: string; [key: string]: unknown };
interface Doc {
  clusters: Named[];
  contexts: Named[];
  users: Named[];
}

/** A 127.0.0.1 port nothing listens on (bound then released): connecting there is refused at once. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function writeMultiKubeconfig(
  file: string,
  labs: { context: string; kubeconfig: string }[],
  dead: { context: string; server: string }[] = [],
): Promise<string> {
  const merged: Doc = { clusters: [], contexts: [], users: [] };
  for (const { context, kubeconfig } of labs) {
    const doc = parse(await readFile(kubeconfig, 'utf8')) as Doc;
    merged.clusters.push({ ...doc.clusters[0], name: context });
    merged.users.push({ ...doc.users[0], name: context });
    merged.contexts.push({ name: context, context: { cluster: context, user: context } });
  }
  for (const { context, server } of dead) {
    // The first lab's CA and user: only the address is wrong.
    merged.clusters.push({ name: context, cluster: { ...(merged.clusters[0].cluster as object), server } });
    merged.contexts.push({ name: context, context: { cluster: context, user: labs[0].context } });
  }
  const contexts = [...labs.map((l) => l.context), ...dead.map((d) => d.context)];
  await writeFile(file, stringify({ apiVersion: 'v1', kind: 'Config', ...merged, 'current-context': contexts[0] }), {
    mode: 0o600,
  });
  return file;
}
