// A kubeconfig like RKE2's /etc/rancher/rke2/rke2.yaml: embedded CA and client certificate, one context.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clusterName: string;
}

export function kubeconfigYaml(o: KubeconfigInput): string {
  const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: o.clusterName, cluster: { server: o.server, 'certificate-authority-data': b64(o.caPem) } }],
    users: [
      {
        name: o.clusterName,
        user: { 'client-certificate-data': b64(o.clientCertPem), 'client-key-data': b64(o.clientKeyPem) },
      },
    ],
    contexts: [{ name: o.clusterName, context: { cluster: o.clusterName, user: o.clusterName } }],
    'current-context': o.clusterName,
    preferences: {},
  };
  return YAML.stringify(config);
}

/** Writes atomically with mode 0600: it holds a client key, and a reader must never see half a file. */
export async function writeKubeconfig(file: string, o: KubeconfigInput): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, kubeconfigYaml(o), { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
