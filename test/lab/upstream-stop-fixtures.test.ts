// The lab's text against upstream's own: the agent rotate failure of v1.29.3 (k3s#9785) and the RKE2 unit's stop
// semantics that static-pods.ts models (a unit stop kills only containerd and kubelet; the killall script kills
// the shims and removes the control-plane pod manifests).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logLine } from '../../lab/commands/logrus.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/upstream/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .slice(1)
    .join('\n');

describe('upstream stop and agent-rotate facts the lab reproduces', () => {
  it('the agent rotate failure: the same fatal message, logrus text form', () => {
    const upstream = /FATA\[0000\] (.+?)\s*$/m.exec(fixture('k3s-certificate-rotate-agent-fails-v1.29.3.txt'))![1];
    expect(upstream).toBe('open /var/lib/rancher/k3s/server/token: no such file or directory');
    expect(logLine('fatal', upstream, new Date(0))).toContain(`level=fatal msg="${upstream}"`);
  });

  it('rke2-server stops only containerd and kubelet; the killall stops the units, kills shims, removes etcd and apiserver manifests', () => {
    const text = fixture('rke2-server-unit-and-killall.txt');
    expect(text).toContain('KillMode=process');
    expect(/grep -Eo '\[0-9\]\+ \((.+?)\)'/.exec(text)![1].split('|')).toEqual(['containerd', 'kubelet']);
    expect(text).toContain('systemctl stop rke2-server.service');
    expect(text).toMatch(/POD_MANIFESTS_DIR\}\/etcd\.yaml[\s\S]*kube-apiserver\.yaml/);
  });
});
