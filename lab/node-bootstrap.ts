// What a start reconciles before the node's components run: a server takes the cluster's bootstrap data (CA
// certificates, encryption config and stage) from the datastore — or, on releases with k3s#11233, from the disk
// of the peer it joined — and writes its join token; an agent takes the CA certificates its server serves.
// Leaves signed by a CA the node no longer holds are then re-issued by renewLeaves, as upstream does on start.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ENCRYPTION_CONFIG, ENCRYPTION_STATE } from '../src/model/cert-files.js';
import { joinToken } from './datastore.js';
import type { LabNode } from './lab-node.js';
import type { LabRuntime } from './lab-runtime.js';
import { writeCaFiles, type ClusterCAs } from './pki/index.js';
import { bootstrapsFromPeerDisk } from './upstream-versions.js';

type Log = (level: 'info' | 'warning', msg: string) => void;

/** Where a starting server's CA certificates come from. */
type CaSource = { kind: 'datastore' } | { kind: 'peer'; peer: LabNode };

export async function reconcileServerBootstrap(lab: LabRuntime, node: LabNode, log: Log): Promise<void> {
  await reconcileServerCas(lab, node, log);
  await reconcileEncryption(lab, node, log);
  await writeJoinToken(lab, node);
}

export async function reconcileAgentCas(lab: LabRuntime, node: LabNode, log: Log): Promise<void> {
  // Agents fetch /cacerts from the server they connect to, which serves what it loaded at its own start.
  const server = lab.activeControlPlane();
  if (!server || server.certs.cas === node.certs.cas) return;
  await adoptCas(node, server.certs.cas);
  log('info', `Updated CA certificates from server ${server.spec.name}`);
}

function caSourceOf(lab: LabRuntime, node: LabNode): CaSource {
  const peer = node.joinTarget === null ? undefined : lab.node(node.joinTarget);
  if (peer && bootstrapsFromPeerDisk(lab.options.version)) return { kind: 'peer', peer };
  return { kind: 'datastore' };
}

async function reconcileServerCas(lab: LabRuntime, node: LabNode, log: Log): Promise<void> {
  const source = caSourceOf(lab, node);
  switch (source.kind) {
    case 'datastore': {
      const { datastore } = lab;
      if (node.syncedCaRevision >= datastore.caRevision) return;
      node.syncedCaRevision = datastore.caRevision;
      if (datastore.cas === node.certs.cas) return;
      await adoptCas(node, datastore.cas);
      log(
        'info',
        'Reconciling bootstrap data between datastore and disk: cluster CA certificates updated from the datastore',
      );
      return;
    }
    case 'peer': {
      // The bug: the peer answers from its disk, so whatever it loaded wins over a newer datastore.
      log('info', `Retrieving bootstrap data from https://${source.peer.spec.address}`);
      if (source.peer.certs.cas === node.certs.cas) return;
      await adoptCas(node, source.peer.certs.cas);
      log('info', `Cluster CA certificates updated from ${source.peer.spec.name}`);
      return;
    }
    default: {
      const never: never = source;
      throw new Error(`unknown CA source ${JSON.stringify(never)}`);
    }
  }
}

async function adoptCas(node: LabNode, cas: ClusterCAs): Promise<void> {
  node.certs = { ...node.certs, cas };
  await writeCaFiles(node.certs);
}

/**
 * A server whose datastore copy moved on since it last synced writes the datastore's config and state; otherwise
 * it keeps its disk (a hand-edited config stays, with its own hash). The annotation is the state file's stage
 * with the hash of the config on disk.
 */
async function reconcileEncryption(lab: LabRuntime, node: LabNode, log: Log): Promise<void> {
  const record = lab.datastore.encryption;
  const configFile = path.join(node.paths.dataDir, ENCRYPTION_CONFIG);
  if (node.syncedEncryptionRevision < record.revision) {
    node.syncedEncryptionRevision = record.revision;
    const current = await readFile(configFile, 'utf8').catch(() => null);
    if (current !== record.config) {
      await writeFile(configFile, record.config, { mode: 0o600 });
      log(
        'info',
        'Reconciling bootstrap data between datastore and disk: encryption config updated from the datastore',
      );
    }
    await writeFile(path.join(node.paths.dataDir, ENCRYPTION_STATE), lab.datastore.encryptionState(), { mode: 0o600 });
  }
}

async function writeJoinToken(lab: LabRuntime, node: LabNode): Promise<void> {
  const serverCa = await readFile(path.join(node.paths.dataDir, 'server/tls/server-ca.crt'), 'utf8');
  const token = joinToken(serverCa, lab.datastore.tokenSecret, lab.clock.now()) + '\n';
  await writeFile(path.join(node.paths.dataDir, 'server', 'token'), token, { mode: 0o600 });
  await writeFile(path.join(node.paths.dataDir, 'server', 'node-token'), token, { mode: 0o600 });
}
