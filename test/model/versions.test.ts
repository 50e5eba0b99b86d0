import { describe, expect, it } from 'vitest';
import { parseKubeVersion, renewWindowDays } from '../../src/model/versions.js';
import { distroFromVersion, rolesFromLabels, serviceUnit } from '../../src/model/cluster.js';
import { shq } from '../../src/util/shell-quote.js';

describe('versions', () => {
  it('parses every upstream version shape from field-notes', () => {
    expect(parseKubeVersion('v1.32.5+rke2r1')).toMatchObject({ minor: 32, patch: 5, release: 1 });
    expect(parseKubeVersion('v1.29.12+k3s1')).toMatchObject({ minor: 29, patch: 12, release: 1 });
    expect(parseKubeVersion('v1.22.4-rc3+k3s2')).toMatchObject({ minor: 22, patch: 4, release: 2 });
    expect(parseKubeVersion('v1.28.13+k3s-d5b7bac7')).toMatchObject({ minor: 28, patch: 13, release: 0 });
    expect(parseKubeVersion('garbage')).toBeUndefined();
  });

  it('uses the 120-day renew window from the May 2025 releases on, 90 before', () => {
    expect(renewWindowDays('v1.32.5+rke2r1')).toBe(120);
    expect(renewWindowDays('v1.32.4+rke2r1')).toBe(90);
    expect(renewWindowDays('v1.33.1+k3s1')).toBe(120);
    expect(renewWindowDays('v1.33.0+k3s1')).toBe(90);
    expect(renewWindowDays('v1.30.13+k3s1')).toBe(120);
    expect(renewWindowDays('v1.29.12+k3s1')).toBe(90);
    expect(renewWindowDays('v1.36.1+rke2r2')).toBe(120);
  });

  it('knows distros, units and roles', () => {
    expect(distroFromVersion('v1.36.1+rke2r2')).toBe('rke2');
    expect(distroFromVersion('v1.28.13+k3s-d5b7bac7')).toBe('k3s');
    expect(serviceUnit('rke2', ['etcd'])).toBe('rke2-server');
    expect(serviceUnit('k3s', ['control-plane'])).toBe('k3s');
    expect(serviceUnit('k3s', ['worker'])).toBe('k3s-agent');
    expect(rolesFromLabels({ 'node-role.kubernetes.io/etcd': 'true' })).toEqual(['etcd']);
    expect(
      rolesFromLabels({ 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' }),
    ).toEqual(['control-plane']);
    expect(rolesFromLabels({})).toEqual(['worker']);
  });

  it('quotes values for POSIX sh', () => {
    expect(shq('plain-value_1.2')).toBe('plain-value_1.2');
    expect(shq("a'b")).toBe(`'a'\\''b'`);
    expect(shq('$(touch /tmp/x);`y`')).toBe(`'$(touch /tmp/x);\`y\`'`);
    expect(shq('')).toBe("''");
  });
});
