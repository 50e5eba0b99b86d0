// Facts about RKE2/K3s that every layer agrees on (see field-notes): distros, roles, unit names, default paths.

export const DISTROS = ['rke2', 'k3s'] as const;
export type Distro = (typeof DISTROS)[number];

export const ROLES = ['etcd', 'control-plane', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export function isDistro(value: unknown): value is Distro {
  return typeof value === 'string' && (DISTROS as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A server runs etcd or the control plane; everything else is an agent. */
export function isServer(roles: readonly Role[]): boolean {
  return roles.includes('etcd') || roles.includes('control-plane');
}

/**
 * The script upstream installs beside the binary (tarball: /usr/local/bin or /opt/rke2/bin; RPM: /usr/bin; k3s:
 * its BIN_DIR, /usr/local/bin by default) that stops the units and kills every container they started
 * (rancher/rke2 bundle/bin/rke2-killall.sh; k3s-io/k3s install.sh create_killall).
 */
export function killallScript(distro: Distro): string {
  return `${distro}-killall.sh`;
}

/** Upstream unit names. There is no `rke2.service`: stopping "rke2" fails with "Unit rke2.service not loaded". */
export function serviceUnit(distro: Distro, roles: readonly Role[]): string {
  const server = isServer(roles);
  switch (distro) {
    case 'rke2':
      return server ? 'rke2-server' : 'rke2-agent';
    case 'k3s':
      return server ? 'k3s' : 'k3s-agent';
    default:
      return assertNever(distro);
  }
}

export function defaultDataDir(distro: Distro): string {
  return `/var/lib/rancher/${distro}`;
}

export function configFilePath(distro: Distro): string {
  return `/etc/rancher/${distro}/config.yaml`;
}

/** Roles from upstream node labels; no role label means an agent (worker). */
export function rolesFromLabels(labels: Record<string, string | undefined>): Role[] {
  const roles: Role[] = [];
  if (labels['node-role.kubernetes.io/etcd'] === 'true') roles.push('etcd');
  if (
    labels['node-role.kubernetes.io/control-plane'] === 'true' ||
    labels['node-role.kubernetes.io/master'] === 'true'
  ) {
    roles.push('control-plane');
  }
  if (roles.length === 0) roles.push('worker');
  return roles;
}

/** Distro from a kubelet version such as v1.32.5+rke2r1 or v1.29.12+k3s1; undefined when it names neither. */
export function distroFromVersion(version: string): Distro | undefined {
  if (/\+rke2/.test(version)) return 'rke2';
  if (/\+k3s/.test(version)) return 'k3s';
  return undefined;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
