// The cluster's bootstrap data as upstream keeps it in the datastore (etcd): the CA certificates and keys, the
// secrets-encryption config and stage, and the token secret. Servers reconcile their disk with it when they start;
// each change bumps a revision so a server knows whether the datastore moved since it last synced (upstream
// compares timestamps instead).
import { randomBytes } from 'node:crypto';
import { tokenCaHash } from '../src/model/token-ca-hash.js';
import { sha256Hex, type ClusterCAs } from './pki/index.js';
import { normalizePem } from './pki/pem-files.js';
import type { EncryptionProvider } from './encryption/config.js';

export type EncryptionStage =
  'start' | 'prepare' | 'rotate' | 'reencrypt_request' | 'reencrypt_active' | 'reencrypt_finished';

export interface EncryptionRecord {
  /** encryption-config.json bytes. */
  config: string;
  /** The persisted stage (reencrypt_active lives only in a Node annotation upstream, never here). */
  stage: EncryptionStage;
  revision: number;
}

export class LabDatastore {
  private caSet: ClusterCAs;
  private caRev = 0;
  encryption: EncryptionRecord;
  /** The password in the join token (`K10<ca hash>::server:<secret>`); the CA hash follows the CAs (joinToken). */
  readonly tokenSecret = randomBytes(16).toString('hex');

  constructor(
    cas: ClusterCAs,
    encryptionConfig: string,
    readonly encryptionProvider: EncryptionProvider,
  ) {
    this.caSet = cas;
    this.encryption = { config: encryptionConfig, stage: 'start', revision: 0 };
  }

  get cas(): ClusterCAs {
    return this.caSet;
  }

  get caRevision(): number {
    return this.caRev;
  }

  /**
   * The token servers write to server/token for the CAs held here, as of `now` (the hash is upstream's hashCA
   * over server-ca.crt as servers write it: after rotate-ca, the DER of the bundle's new root).
   */
  joinToken(now: Date): string {
    return joinToken(normalizePem(this.caSet.serverCa.certPem), this.tokenSecret, now);
  }

  /** `certificate rotate-ca` succeeded: servers take these CAs on their next start. */
  saveCas(cas: ClusterCAs): void {
    this.caSet = cas;
    this.caRev += 1;
  }

  saveEncryption(config: string, stage: EncryptionStage): EncryptionRecord {
    this.encryption = { config, stage, revision: this.encryption.revision + 1 };
    return this.encryption;
  }

  /** The state file's text for the datastore's config: `<stage>-<sha256 of config>`. */
  encryptionState(): string {
    return `${this.encryption.stage}-${sha256Hex(this.encryption.config)}`;
  }
}

/**
 * The join token upstream writes to `<data-dir>/server/token` on every server start (pkg/server/server.go
 * printTokens → clientaccess.FormatToken): `K10<hashCA(server-ca.crt)>::server:<secret>`.
 */
export function joinToken(serverCaCrt: string, secret: string, now: Date): string {
  return `K10${tokenCaHash(serverCaCrt, now).hash}::server:${secret}`;
}
