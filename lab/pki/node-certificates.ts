// A node's certificate files at the upstream paths: writing them all, renewing leaves on start like upstream,
// and the two faults that damage them ("expire-certs" backdates leaves, "ca-drift" swaps the server CA).
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { isServer } from '../../src/model/cluster.js';
import { certFilesFor, type CertFile } from '../../src/model/cert-files.js';
import { generateCa, generateServiceKey } from './cluster-cas.js';
import { caNameForFile, leafProfileFor } from './leaf-profiles.js';
import {
  bundlePem,
  keyPathFor,
  normalizePem,
  readIfExists,
  splitPemBundle,
  writeCertificateFile,
  writeKeyFile,
} from './pem-files.js';
import { writeServerDerivedFiles } from './server-derived-files.js';
import { issueLeafCertificate, resignWithValidity } from './signing.js';
import { issuesComponentServingCerts } from '../upstream-versions.js';
import { CLOCK_SLACK_MS, DAY_MS, LEAF_DAYS, type CaMaterial, type NodeCertContext } from './types.js';

const SERVICE_KEY = 'server/tls/service.key';

/** The component serving certificates k3s#12172 added (see issuesComponentServingCerts). */
const COMPONENT_SERVING = [
  'server/tls/kube-controller-manager/kube-controller-manager.crt',
  'server/tls/kube-scheduler/kube-scheduler.crt',
];

function leafFiles(ctx: NodeCertContext): CertFile[] {
  const components = ctx.version === undefined || issuesComponentServingCerts(ctx.version);
  return certFilesFor(ctx.distro, ctx.roles).filter(
    (file) => file.kind === 'leaf' && (components || !COMPONENT_SERVING.includes(file.path)),
  );
}

function issuerOf(ctx: NodeCertContext, file: CertFile): CaMaterial {
  return ctx.cas[caNameForFile(file.issuer)];
}

/** Writes every CA copy and issues every leaf the node's roles call for, replacing what was there. */
export async function writeNodeCertificates(ctx: NodeCertContext, now: Date): Promise<void> {
  await writeCaFiles(ctx);
  await Promise.all(leafFiles(ctx).map((file) => issueLeafFile(ctx, file, now)));
  if (isServer(ctx.roles)) await writeServerDerivedFiles(ctx, now);
}

/**
 * Writes the node's CA files from the cluster CAs, as a server does from the datastore on start (agents get the
 * certificates only). Also writes server/tls/service.key on servers when it is missing.
 */
export async function writeCaFiles(ctx: NodeCertContext): Promise<void> {
  const caFiles = certFilesFor(ctx.distro, ctx.roles).filter((file) => file.kind === 'ca');
  await Promise.all(
    caFiles.map(async (file) => {
      const ca = ctx.cas[caNameForFile(file.path)];
      await writeCertificateFile(path.join(ctx.dataDir, file.path), ca.certPem);
      if (file.hasKey) await writeKeyFile(path.join(ctx.dataDir, keyPathFor(file.path)), ca.keyPem);
    }),
  );
  if (isServer(ctx.roles)) {
    const serviceKey = path.join(ctx.dataDir, SERVICE_KEY);
    if (ctx.cas.serviceKeyPem) await writeKeyFile(serviceKey, ctx.cas.serviceKeyPem);
    else if ((await readIfExists(serviceKey)) === undefined) await writeKeyFile(serviceKey, await generateServiceKey());
  }
}

async function issueLeafFile(ctx: NodeCertContext, file: CertFile, now: Date): Promise<void> {
  const ca = issuerOf(ctx, file);
  const profile = leafProfileFor(file.path, ctx);
  const leaf = await issueLeafCertificate(ca, {
    ...profile,
    notBefore: new Date(now.getTime() - CLOCK_SLACK_MS),
    notAfter: new Date(now.getTime() + LEAF_DAYS * DAY_MS),
  });
  // Key first: a reader that sees the new certificate must find its key.
  await writeKeyFile(path.join(ctx.dataDir, keyPathFor(file.path)), leaf.keyPem);
  await writeCertificateFile(path.join(ctx.dataDir, file.path), bundlePem(leaf.certPem, ca.certPem));
}

type LeafState = 'missing' | 'unreadable' | 'other-ca' | 'expiring' | 'fine';

async function leafState(ctx: NodeCertContext, file: CertFile, renewBefore: Date): Promise<LeafState> {
  const certText = await readIfExists(path.join(ctx.dataDir, file.path));
  const keyText = await readIfExists(path.join(ctx.dataDir, keyPathFor(file.path)));
  if (certText === undefined || keyText === undefined) return 'missing';
  const [leafPem] = splitPemBundle(certText);
  if (!leafPem) return 'unreadable';
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
  } catch {
    return 'unreadable';
  }
  // After a CA rotation the leaves of the old CA are re-issued too, as upstream does on start.
  if (!leaf.verify(new X509Certificate(issuerOf(ctx, file).certPem).publicKey)) return 'other-ca';
  return new Date(leaf.validTo).getTime() <= renewBefore.getTime() ? 'expiring' : 'fine';
}

/**
 * What a start does to the node's leaves: every leaf that is missing, unreadable, signed by another CA, expired or
 * within `windowDays` of expiry is re-issued under the cluster CA. CAs are never renewed. Returns relative paths.
 */
export async function renewLeaves(ctx: NodeCertContext, now: Date, windowDays: number): Promise<string[]> {
  const renewBefore = new Date(now.getTime() + windowDays * DAY_MS);
  const renewed: string[] = [];
  await Promise.all(
    leafFiles(ctx).map(async (file) => {
      const state = await leafState(ctx, file, renewBefore);
      switch (state) {
        case 'fine':
          return;
        case 'missing':
        case 'unreadable':
        case 'other-ca':
        case 'expiring':
          await issueLeafFile(ctx, file, now);
          renewed.push(file.path);
          return;
        default: {
          const never: never = state;
          throw new Error(`unexpected leaf state ${String(never)}`);
        }
      }
    }),
  );
  // What a server rewrites on every start besides its leaves (nochain CA copies, service.current.key, ...).
  if (isServer(ctx.roles)) await writeServerDerivedFiles(ctx, now);
  return sortedLike(leafFiles(ctx), renewed);
}

/**
 * The "expire-certs" fault (the cluster was down for `days`): every existing leaf is re-signed with its validity
 * moved `days` earlier — same key, subject, SANs and CA — so 365-day leaves are expired after 400 days.
 */
export async function backdateLeaves(ctx: NodeCertContext, days: number): Promise<string[]> {
  const shiftMs = days * DAY_MS;
  const changed: string[] = [];
  await Promise.all(
    leafFiles(ctx).map(async (file) => {
      const certFile = path.join(ctx.dataDir, file.path);
      const text = await readIfExists(certFile);
      if (text === undefined) return;
      const [leafPem, ...rest] = splitPemBundle(text);
      if (!leafPem) return;
      const leaf = new X509Certificate(leafPem);
      const notBefore = new Date(new Date(leaf.validFrom).getTime() - shiftMs);
      const notAfter = new Date(new Date(leaf.validTo).getTime() - shiftMs);
      const resigned = await resignWithValidity(issuerOf(ctx, file), leafPem, notBefore, notAfter);
      await writeCertificateFile(certFile, [resigned, ...rest].map(normalizePem).join(''));
      changed.push(file.path);
    }),
  );
  return sortedLike(leafFiles(ctx), changed);
}

/**
 * The "ca-drift" fault: this node's server CA files are replaced by a different self-signed CA with the same CN,
 * so its fingerprint differs from the other nodes' (what k3s#11233 leaves behind after a CA rotation).
 */
export async function driftServerCa(ctx: NodeCertContext, now: Date): Promise<void> {
  const impostor = await generateCa(ctx.cas.serverCa.commonName, now);
  if (isServer(ctx.roles)) {
    await writeKeyFile(path.join(ctx.dataDir, 'server/tls/server-ca.key'), impostor.keyPem);
    await writeCertificateFile(path.join(ctx.dataDir, 'server/tls/server-ca.crt'), impostor.certPem);
  }
  await writeCertificateFile(path.join(ctx.dataDir, 'agent/server-ca.crt'), impostor.certPem);
}

/** `paths` in the order of `files`, so results do not depend on which write finished first. */
function sortedLike(files: CertFile[], paths: string[]): string[] {
  const order = files.map((file) => file.path);
  return [...paths].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}
