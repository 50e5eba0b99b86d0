// The inventory: nodes the API cannot tell us about, or all of them when the API is down (design.md).
import type { Distro, Role } from './cluster.js';

export interface SshOptions {
  user?: string;
  port?: number;
  identityFile?: string;
  jumpHost?: string;
  /** Extra `-o Key=Value` options, passed through as given. */
  options?: string[];
}

export interface InventoryNode {
  name: string;
  address: string;
  roles?: Role[];
  distro?: Distro;
  dataDir?: string;
  transport: 'ssh' | 'local';
  ssh?: SshOptions;
  sudo?: boolean;
  /** Environment for every command run on the node (the lab puts its bin/ first on PATH here). */
  env?: Record<string, string>;
}

export interface Inventory {
  nodes: InventoryNode[];
}
