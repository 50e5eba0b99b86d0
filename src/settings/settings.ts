// keyturn's settings file (conf): remembered node lists per cluster, so that `status` still knows every node when
// the API is down and no inventory was given. Never run state (that lives in the run journals).
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import type { Inventory, InventoryNode } from '../model/inventory.js';
import { ensureOwnDir, refuseLinkedFile } from '../util/private-dir.js';
import { isSecretName, redact, redactDeep } from '../util/redact.js';
import { neutraliseStrings } from '../util/untrusted-text.js';

export interface RememberedCluster {
  nodes: InventoryNode[];
  savedAt: string;
  /** Each node's kubelet version as the API last told it: the renew window and recipe gates depend on it. */
  versions?: Record<string, string>;
}

interface SettingsShape {
  clusters: Record<string, RememberedCluster>;
}

// Environment entries that hold credentials are not written to disk — by their name (K3S_TOKEN) or by their value
// (HTTPS_PROXY=http://user:pw@…: the redactor would change it); PATH and the like are kept because the node cannot
// be reached the same way without them (the lab puts its bin/ first on PATH). Everything else is redacted.
export function withoutSecrets(node: InventoryNode): InventoryNode {
  const { env: original, ...rest } = node;
  const copy: InventoryNode = redactDeep(structuredClone(rest));
  if (original) {
    const env = Object.fromEntries(Object.entries(original).filter(([k, v]) => !isSecretName(k) && redact(v) === v));
    if (Object.keys(env).length > 0) copy.env = env;
    else delete copy.env;
  }
  return copy;
}

/** Where conf puts a project's config without `cwd` (env-paths' `config` for "keyturn", no suffix). */
export function defaultConfigDir(
  env: NodeJS.ProcessEnv = process.env,
  home = os.homedir(),
  platform = process.platform,
): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Preferences', 'keyturn');
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'keyturn', 'Config');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'keyturn');
}

/** conf's file name for configName "config". */
const SETTINGS_FILE = 'config.json';

/** The remembered lists are keyed by API URL or inventory path; a URL's password is no part of the key. */
const keyOf = (key: string) => redact(key);

export class Settings {
  private readonly conf: Conf<SettingsShape>;
  private readonly dir: string;

  /** `cwd` (or KEYTURN_CONFIG_DIR) overrides the user config directory, for tests and portable installs. */
  constructor(cwd: string | undefined = process.env.KEYTURN_CONFIG_DIR) {
    // The file names nodes, addresses, ssh users and key paths: 0600 in a 0700 directory. The directory is made
    // here, before conf would make it with the default 0755 (an existing directory keeps its mode).
    // conf writes through a temp file and a rename, but it first resolves links (atomically's realpath): a link
    // planted at the settings file would have its target overwritten and chmod'ed. So the folder must be ours and
    // closed to others, and the file not a link, before conf reads (and may rewrite) it and before every write.
    this.dir = path.resolve(cwd || defaultConfigDir());
    checkOwnDirAndFile(this.dir);
    this.conf = new Conf<SettingsShape>({
      projectName: 'keyturn',
      projectSuffix: '',
      cwd: this.dir,
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
    const entry = this.conf.get('clusters')[keyOf(key)];
    // Cleaned on read as on write: a file written by an older keyturn (or by hand) may hold node text with escape
    // sequences (JSON's \u001b decodes to ESC) and credentials that keyturn no longer stores.
    return entry && Array.isArray(entry.nodes) && entry.nodes.length > 0
      ? { nodes: entry.nodes.map((n) => withoutSecrets(neutraliseStrings(n))) }
      : null;
  }

  /** Every node name remembered from the scans of any cluster (for shell completion), sorted, each once. */
  rememberedNodeNames(): string[] {
    const names = Object.values(this.conf.get('clusters')).flatMap((c) =>
      Array.isArray(c?.nodes) ? c.nodes.map((n) => n.name) : [],
    );
    return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))].sort();
  }

  /** The versions remembered under the key, by node name (empty when none). */
  rememberedVersions(key: string): Record<string, string> {
    const versions = this.conf.get('clusters')[keyOf(key)]?.versions;
    if (!versions || typeof versions !== 'object') return {};
    return neutraliseStrings(
      Object.fromEntries(Object.entries(versions).filter(([, v]) => typeof v === 'string' && v !== '')),
    );
  }

  remember(
    key: string,
    nodes: readonly InventoryNode[],
    now = new Date(),
    versions: Record<string, string> = {},
  ): void {
    checkOwnDirAndFile(this.dir);
    const clusters = { ...this.conf.get('clusters') };
    clusters[keyOf(key)] = { nodes: nodes.map(withoutSecrets), savedAt: now.toISOString(), versions: { ...versions } };
    this.conf.set('clusters', clusters);
  }
}

/** Again before each write: a link planted after start-up is refused too. */
function checkOwnDirAndFile(dir: string): void {
  ensureOwnDir(dir, 'config dir', 'owner-writes');
  refuseLinkedFile(path.join(dir, SETTINGS_FILE), 'settings file');
}
