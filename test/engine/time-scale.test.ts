// A rehearsal (`keyturn demo`, the lab at --speed F) divides keyturn's own settle, gate and wait times by F, in the
// plan (journalled, so a resume keeps them); a plan without a time scale — every real cluster — is untouched.
import { describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import { planRun } from '../../src/engine/plan.js';
import type { Plan } from '../../src/engine/plan-types.js';
import { renderPlanText } from '../../src/engine/render-plan.js';
import { scaledMs, scaledSeconds } from '../../src/engine/time-scale.js';
import { cluster } from './support/clusters.js';

function plan(timeScale?: number, settleSeconds?: number): Plan {
  const r = planRun(findRecipe('rotate-certs')!, cluster('ha'), { timeScale, settleSeconds });
  if (!r.ok) throw new Error(r.refusal.reason);
  return r.plan;
}

const seconds = (p: Plan, kind: 'settle' | 'gate' | 'wait') =>
  p.blocks
    .flatMap((b) => b.steps)
    .flatMap((s) =>
      s.step.kind === kind
        ? [s.step.kind === 'settle' ? (s.step.seconds ?? null) : (s.step.timeoutSeconds ?? null)]
        : [],
    );

describe("time scale: a rehearsal waits at the lab's speed", () => {
  it("divides the settle window, the recipe's shorter agent window and the gate timeouts, rounding up", () => {
    const real = plan();
    const rehearsal = plan(20);
    expect(real.settleSeconds).toBe(150);
    expect(rehearsal.settleSeconds).toBe(8); // 150 / 20 = 7.5
    expect(rehearsal.timeScale).toBe(20);
    expect(seconds(real, 'settle')).toContain(30); // agents
    expect(seconds(rehearsal, 'settle')).toContain(2); // 30 / 20 = 1.5
    const gates = seconds(real, 'gate');
    expect(gates.filter((g) => g !== null).length).toBeGreaterThan(0);
    expect(seconds(rehearsal, 'gate')).toEqual(gates.map((g) => (g === null ? null : Math.ceil(g / 20))));
    expect(renderPlanText(rehearsal)).toContain("divided by the lab's speed 20");
    expect(renderPlanText(rehearsal)).toMatch(/watch rke2-server for 8s/);
  });

  it("scales the operator's own settle choice the same way", () => {
    expect(plan(20, 300).settleSeconds).toBe(15);
  });

  it("leaves a real cluster's plan untouched (no time scale, or 1)", () => {
    for (const p of [plan(), plan(1)]) {
      expect(p.settleSeconds).toBe(150);
      expect(p.timeScale).toBeUndefined();
      expect(renderPlanText(p)).not.toContain('Rehearsal');
    }
    expect(scaledSeconds(150, undefined)).toBe(150);
    expect(scaledMs(5000, undefined)).toBe(5000);
    expect(scaledMs(5000, 4)).toBe(1250);
  });
});
