// The lab's PKI and secrets-encryption material: cluster CAs, node certificates at the upstream paths, the
// certificate faults, `<prog> certificate check` output and encryption-config.json.
export type { CaMaterial, ClusterCAs, NodeCertContext, CaName } from './types.js';
export { generateClusterCAs, saveClusterCAs, loadClusterCAs, generateCa } from './cluster-cas.js';
export {
  writeNodeCertificates,
  writeCaFiles,
  renewLeaves,
  backdateLeaves,
  driftServerCa,
} from './node-certificates.js';
export { rotateLeaves, type RotateResult } from './rotate.js';
export { agentServices, allServices, invalidServiceMessage, certFilesForService } from './leaf-profiles.js';
export { issueApiServing, issueAdminClient } from './api-certificates.js';
export {
  formatCertificateCheck,
  certificateCheckOutput,
  collectCertificates,
  DEFAULT_WARN_DAYS,
  type CheckFormat,
  type CheckStatus,
  type CheckedCertificate,
  type CheckOutput,
} from './certificate-check.js';
export {
  createEncryptionConfig,
  newEncryptionKey,
  readEncryptionKeys,
  sha256Hex,
  type EncryptionKey,
} from './encryption.js';
export { writeRotateCaBundle, ROTATE_CA_TYPES, type RotateCaType } from './rotate-ca-bundle.js';
export { checkRotateCaBundle, type CaBundleCheck } from './rotate-ca-validate.js';
export { signCaCertificate, generateEcKeyPem, type CaCertificateRequest } from './ca-signing.js';
export { chainsToRoot, issuedBy, isSelfSigned } from './chain.js';
