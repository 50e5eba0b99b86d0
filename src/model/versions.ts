// Version arithmetic for upstream release gates (renew window, rotate-keys support, known-broken releases).

export interface KubeVersion {
  major: number;
  minor: number;
  patch: number;
  /** The distro release number after the suffix: 1 in +rke2r1 / +k3s1; 0 when absent. */
  release: number;
  raw: string;
}

/** Parses v1.32.5+rke2r1, v1.29.12+k3s1, v1.22.4-rc3+k3s2, v1.28.13+k3s-d5b7bac7. */
export function parseKubeVersion(raw: string): KubeVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.]+)?(?:\+(?:rke2r|k3s)(\d+)?)?/.exec(raw.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), release: Number(m[4] ?? 0), raw };
}

export function compareVersions(a: KubeVersion, b: KubeVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || a.release - b.release;
}

function atLeast(v: KubeVersion, minor: number, patch: number): boolean {
  if (v.major !== 1) return v.major > 1;
  return v.minor > minor || (v.minor === minor && v.patch >= patch);
}

/**
 * Leaves are re-issued on start when within this many days of expiry: 120 since the May 2025 releases
 * (v1.33.1, v1.32.5, v1.31.9, v1.30.13), 90 before.
 */
export function renewWindowDays(version: string): number {
  const v = parseKubeVersion(version);
  if (!v) return 90;
  if (v.major > 1 || v.minor >= 34) return 120;
  const fixed: Record<number, number> = { 33: 1, 32: 5, 31: 9, 30: 13 };
  const patch = fixed[v.minor];
  if (patch === undefined) return 90;
  return atLeast(v, v.minor, patch) ? 120 : 90;
}
