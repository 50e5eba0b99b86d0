// The cluster's five CAs, named like upstream (`<prog>-server-ca@<unix-ts>`, `etcd-peer-ca@<unix-ts>`), valid ten
// years and never renewed automatically. The lab keeps them in one JSON file, playing the datastore's copy.
import { generateKeyPair as generateRsaKeyPair } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Distro } from '../../src/model/cluster.js';
import { writeKeyFile } from './pem-files.js';
import { createSelfSignedCa } from './signing.js';
import { CA_DAYS, CA_NAMES, CLOCK_SLACK_MS, DAY_MS, type CaMaterial, type ClusterCAs } from './types.js';

const generateRsa = promisify(generateRsaKeyPair);

/** A new self-signed CA valid from `now` for ten years. */
export async function generateCa(commonName: string, now: Date): Promise<CaMaterial> {
  const pair = await createSelfSignedCa({
    commonName,
    notBefore: new Date(now.getTime() - CLOCK_SLACK_MS),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    usages: [],
    dnsNames: [],
    ipAddresses: [],
  });
  return { ...pair, commonName };
}

export async function generateClusterCAs(distro: Distro, now: Date): Promise<ClusterCAs> {
  const stamp = Math.floor(now.getTime() / 1000);
  const [serverCa, clientCa, requestHeaderCa, etcdServerCa, etcdPeerCa, serviceKeyPem] = await Promise.all([
    generateCa(`${distro}-server-ca@${stamp}`, now),
    generateCa(`${distro}-client-ca@${stamp}`, now),
    generateCa(`${distro}-request-header-ca@${stamp}`, now),
    generateCa(`etcd-server-ca@${stamp}`, now),
    generateCa(`etcd-peer-ca@${stamp}`, now),
    generateServiceKey(),
  ]);
  return { serverCa, clientCa, requestHeaderCa, etcdServerCa, etcdPeerCa, serviceKeyPem };
}

/** Upstream's service-account signing key is RSA 2048 in PKCS#1 ("RSA PRIVATE KEY"). */
export async function generateServiceKey(): Promise<string> {
  const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  return privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
}

export async function saveClusterCAs(file: string, cas: ClusterCAs): Promise<void> {
  // Holds every CA key: owner-only, like the datastore's bootstrap data.
  await writeKeyFile(file, JSON.stringify(cas, null, 2));
}

export async function loadClusterCAs(file: string): Promise<ClusterCAs> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  return parseClusterCAs(parsed, file);
}

function parseClusterCAs(value: unknown, source: string): ClusterCAs {
  if (!isRecord(value)) throw new Error(`${source}: not a JSON object of cluster CAs`);
  const read = (name: string): CaMaterial => {
    const ca = value[name];
    if (
      !isRecord(ca) ||
      typeof ca.certPem !== 'string' ||
      typeof ca.keyPem !== 'string' ||
      typeof ca.commonName !== 'string'
    ) {
      throw new Error(`${source}: ${name} is missing or incomplete (needs certPem, keyPem, commonName)`);
    }
    return { certPem: ca.certPem, keyPem: ca.keyPem, commonName: ca.commonName };
  };
  const [serverCa, clientCa, requestHeaderCa, etcdServerCa, etcdPeerCa] = CA_NAMES.map(read);
  const cas: ClusterCAs = { serverCa, clientCa, requestHeaderCa, etcdServerCa, etcdPeerCa };
  if (typeof value.serviceKeyPem === 'string') cas.serviceKeyPem = value.serviceKeyPem;
  return cas;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
