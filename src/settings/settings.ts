// keyturn's settings file (conf): remembered node lists per cluster, so that `status` still knows every node when
// the API is down and no inventory was given. Never run state (that lives in the run journals).
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import type { Inventory, InventoryNode } from '../model/inventory.js';

export interface RememberedCluster {
  nodes: InventoryNode[];
  savedAt: string;
  /** Each node's kubelet version as the API last told it: the renew window and recipe gates depend on it. */
  versions?: Record<string, string>;
}

interface SettingsShape {
  clusters: Record<string, RememberedCluster>;
}

// Environment entries that look like credentials are not written to disk; PATH and the like are kept because the
// node cannot be reached the same way without them (the lab puts its bin/ first on PATH).
const SECRET_NAME = /TOKEN|SECRET|PASS|KEY|CRED|AUTH|COOKIE|SESSION/i;

export function withoutSecrets(node: InventoryNode): InventoryNode {
  const copy: InventoryNode = structuredClone(node);
  if (copy.env) {
    const env = Object.fromEntries(Object.entries(copy.env).filter(([k]) => !SECRET_NAME.test(k)));
    if (Object.keys(env).length > 0) copy.env = env;
    else delete copy.env;
  }
  return copy;
}

/** Where conf puts a project's config without `cwd` (env-paths' `config` for "keyturn", no suffix). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir(), platform = process.platform): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Preferences', 'keyturn');
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'keyturn', 'Config');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'keyturn');
}

export class Settings {
  private readonly conf: Conf<SettingsShape>;

  /** `cwd` (or KEYTURN_CONFIG_DIR) overrides the user config directory, for tests and portable installs. */
  constructor(cwd: string | undefined = process.env.KEYTURN_CONFIG_DIR) {
    // The file names nodes, addresses, ssh users and key paths: 0600 in a 0700 directory. The directory is made
    // here, before conf would make it with the default 0755 (an existing directory keeps its mode).
    const dir = cwd || defaultConfigDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.conf = new Conf<SettingsShape>({
      projectName: 'keyturn',
      projectSuffix: '',
      cwd: dir,
      configFileMode: 0o600,
      defaults: { clusters: {} },
      // Cluster keys are URLs and paths, full of dots.
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: true,
    });
  }

  get path(): string {
    return this.conf.path;
  }

  remembered(key: string): Inventory | null {
    const entry = this.conf.get('clusters')[key];
    return entry && Array.isArray(entry.nodes) && entry.nodes.length > 0 ? { nodes: entry.nodes } : null;
  }

  /** The versions remembered under the key, by node name (empty when none). */
  rememberedVersions(key: string): Record<string, string> {
    const versions = this.conf.get('clusters')[key]?.versions;
    if (!versions || typeof versions !== 'object') return {};
    return Object.fromEntries(Object.entries(versions).filter(([, v]) => typeof v === 'string' && v !== ''));
  }

  remember(key: string, nodes: readonly InventoryNode[], now = new Date(), versions: Record<string, string> = {}): void {
    const clusters = { ...this.conf.get('clusters') };
    clusters[key] = { nodes: nodes.map(withoutSecrets), savedAt: now.toISOString(), versions: { ...versions } };
    this.conf.set('clusters', clusters);
  }
}
