// `keyturn lab up` options: the strings commander hands over, checked and turned into LabOptions.
// Bad input is a UsageError (one line, exit 2) before anything is written.
import { isDistro, type Distro } from '../src/model/cluster.js';
import { inputError } from '../src/errors.js';
import type { EtcdMode, LabOptions, Topology } from './contract.js';

export const DEFAULT_VERSIONS: Record<Distro, string> = {
  rke2: 'v1.32.5+rke2r1',
  k3s: 'v1.32.5+k3s1',
};

export interface RawLabUpOptions {
  topology?: string;
  distro?: string;
  version?: string;
  dir?: string;
  etcd?: string;
  speed?: string;
  net?: string;
  apiPort?: string;
  secrets?: string;
  encryptionProvider?: string;
  joinedAllServers?: boolean | string;
  dataDirInUnit?: boolean | string;
}

export function parseTopology(value: string): Topology {
  switch (value) {
    case 'split':
    case 'ha':
    case 'single':
      return { kind: value };
  }
  const large = /^large:(\d+)$/.exec(value);
  if (large) {
    const nodes = Number(large[1]);
    // Three servers plus agents; every node needs its own last octet.
    if (nodes < 3 || nodes > 254)
      throw inputError('--topology', `large:${nodes} is out of range`, 'use large:N with 3 <= N <= 254');
    return { kind: 'large', nodes };
  }
  throw inputError('--topology', `unknown topology "${value}"`, 'use split, ha, single or large:N');
}

export function parseLabOptions(raw: RawLabUpOptions): LabOptions {
  const distro = raw.distro ?? 'rke2';
  if (!isDistro(distro)) throw inputError('--distro', `unknown distro "${distro}"`, 'use rke2 or k3s');
  if (!raw.dir) throw inputError('--dir', 'missing', 'give a directory for the lab');
  const etcd = raw.etcd ?? 'auto';
  if (!isEtcdMode(etcd)) throw inputError('--etcd', `unknown mode "${etcd}"`, 'use auto, real or emulated');
  const version = raw.version ?? DEFAULT_VERSIONS[distro];
  if (!version.includes(`+${distro}`)) {
    throw inputError('--version', `"${version}" is not a ${distro} version`, `use e.g. ${DEFAULT_VERSIONS[distro]}`);
  }
  const speed = Number(raw.speed ?? '1');
  if (!Number.isFinite(speed) || speed <= 0)
    throw inputError('--speed', `"${raw.speed}" is not a positive number`, 'use e.g. 1 or 20');
  const net = raw.net ?? '127.0.10';
  // Addresses only in 127.0.0.0/8: the lab never touches a real network.
  if (!/^127\.\d{1,3}\.\d{1,3}$/.test(net) || net.split('.').some((o) => Number(o) > 255)) {
    throw inputError('--net', `"${net}" is not a loopback prefix`, 'use three octets in 127.0.0.0/8, e.g. 127.0.10');
  }
  const apiPort = Number(raw.apiPort ?? '0');
  if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535)
    throw inputError('--api-port', `"${raw.apiPort}" is not a port`, 'use 0..65535');
  const secrets = Number(raw.secrets ?? '40');
  if (!Number.isInteger(secrets) || secrets < 0)
    throw inputError('--secrets', `"${raw.secrets}" is not a count`, 'use a whole number');
  const encryptionProvider = raw.encryptionProvider ?? 'aescbc';
  if (encryptionProvider !== 'aescbc' && encryptionProvider !== 'secretbox') {
    throw inputError('--encryption-provider', `unknown provider "${encryptionProvider}"`, 'use aescbc or secretbox');
  }
  const topology = parseTopology(raw.topology ?? 'split');
  const joinedAllServers = raw.joinedAllServers === true || raw.joinedAllServers === 'true';
  if (joinedAllServers && topology.kind === 'single') {
    throw inputError('--joined-all-servers', 'a single server has no peer to join', 'use split, ha or large:N');
  }
  const dataDirInUnit = raw.dataDirInUnit === true || raw.dataDirInUnit === 'true';
  return {
    topology,
    distro,
    version,
    dir: raw.dir,
    etcd,
    speed,
    net,
    apiPort,
    secrets,
    encryptionProvider,
    joinedAllServers,
    dataDirInUnit,
  };
}

function isEtcdMode(value: string): value is EtcdMode {
  return value === 'auto' || value === 'real' || value === 'emulated';
}
