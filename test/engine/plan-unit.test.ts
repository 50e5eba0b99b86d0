// The plan acts on the unit discovery found on each node: a K3s unit installed as k3s-<INSTALL_K3S_NAME> (k3s
// install.sh) is stopped, started and followed by that name, not by the default the planner would guess.
import { describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import { planRun } from '../../src/engine/plan.js';
import { renderPlanText } from '../../src/engine/render-plan.js';
import { cluster } from './support/clusters.js';

describe('plan: the discovered unit', () => {
  it('uses k3s-prod where discovery found it, and the default name elsewhere', () => {
    const c = cluster('ha', 'k3s');
    const s1 = c.nodes.find((n) => n.name === 'server-1')!;
    s1.service = { ...s1.service, unit: 'k3s-prod' };
    const r = planRun(findRecipe('rotate-certs')!, c);
    if (!r.ok) throw new Error(r.refusal.reason);
    const text = renderPlanText(r.plan);
    expect(text).toMatch(/systemctl stop k3s-prod\b/);
    expect(text).toMatch(/systemctl stop k3s\b(?!-)/);
  });
});

describe('plan: the discovered data dir', () => {
  it('uses the data dir the scan found (e.g. --data-dir on the unit) when the inventory gives none', () => {
    const c = cluster('single', 'k3s');
    c.nodes[0].dataDir = '/opt/k3s';
    const r = planRun(findRecipe('rotate-certs')!, c);
    if (!r.ok) throw new Error(r.refusal.reason);
    expect(r.plan.nodes[0].dataDir).toBe('/opt/k3s');
    const inventory = planRun(findRecipe('rotate-certs')!, c, { nodeFacts: { 'server-1': { dataDir: '/srv/k3s' } } });
    expect(inventory.ok && inventory.plan.nodes[0].dataDir).toBe('/srv/k3s');
  });
});
