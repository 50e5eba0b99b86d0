// Copies tls (and cred) aside on the node under a name carrying the run id, then records the certificates as
// they were: the "before" that certs-fresh and cas-unchanged compare with.
import { backupPlans } from '../commands.js';
import type { HandlerResult, StepContext } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { readCerts } from '../checks/certs.js';
import { fixFor } from '../fixes.js';

export async function runBackupStep(ctx: StepContext): Promise<HandlerResult> {
  const { step } = ctx;
  if (step.step.kind !== 'backup' || step.command === null) throw new Error(`bug: ${step.key} is not a backup step`);
  const dests = backupPlans(step.step.what, ctx.node, ctx.plan.runId).map((p) => p.dest);
  const r = await ctx.exec(ctx.node, step.command, 600);
  if (r.outcome !== 'ok') {
    const evidence = execEvidence(ctx, r);
    return failed(ctx, { check: 'backup', message: `backup failed on ${ctx.node.name}`, command: step.command, exitCode: r.code, evidence, fix: fixFor('backup', ctx.node, evidence, ctx.plan.recipe) });
  }
  const certs = await readCerts(ctx);
  if (!certs.ok) {
    return failed(ctx, { check: 'backup', message: `could not read certificates on ${ctx.node.name}: ${certs.detail}`, command: null, exitCode: null, evidence: [], fix: fixFor('connection', ctx.node, [], ctx.plan.recipe) });
  }
  return { status: 'done', summary: `copied to ${dests.join(', ')}`, execs: ctx.execs, data: { backups: dests, certs: certs.certs } };
}
