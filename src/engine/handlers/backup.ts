// Copies tls (and cred) aside on the node under a name carrying the run id, then records the certificates as
// they were: the "before" that certs-fresh and cas-unchanged compare with. Both in one round trip: the copy, a
// marker line once it succeeded, then the certificate files.
import { backupPlans } from '../commands.js';
import type { HandlerResult, StepContext } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { certsFrom, readCertsScript } from '../checks/certs.js';
import { fixFor } from '../fixes.js';

const COPIED = '@@keyturn-backup-done@@';

export async function runBackupStep(ctx: StepContext): Promise<HandlerResult> {
  const { step } = ctx;
  if (step.step.kind !== 'backup' || step.command === null) throw new Error(`bug: ${step.key} is not a backup step`);
  const dests = backupPlans(step.step.what, ctx.node, ctx.plan.runId).map((p) => p.dest);
  // The plan's command runs as written, in a subshell; the marker says it finished with exit 0.
  const r = await ctx.exec(
    ctx.node,
    `(\n${step.command}\n) && printf '%s\\n' '${COPIED}' && ${readCertsScript(ctx.node)}`,
    600,
  );
  const copied = r.stdout.split('\n').includes(COPIED);
  if (!copied) {
    const evidence = execEvidence(ctx, r);
    return failed(ctx, {
      check: 'backup',
      message: `backup failed on ${ctx.node.name}`,
      command: step.command,
      exitCode: r.code,
      evidence,
      fix: fixFor('backup', ctx.node, evidence, ctx.plan.recipe),
    });
  }
  if (r.outcome !== 'ok') {
    return failed(ctx, {
      check: 'backup',
      message: `could not read certificates on ${ctx.node.name}: ${r.outcome}: ${r.stderr.trim()}`,
      command: null,
      exitCode: null,
      evidence: [],
      fix: fixFor('connection', ctx.node, [], ctx.plan.recipe),
    });
  }
  return {
    status: 'done',
    summary: `copied to ${dests.join(', ')}`,
    execs: ctx.execs,
    data: { backups: dests, certs: certsFrom(r.stdout.slice(r.stdout.indexOf(COPIED) + COPIED.length)) },
  };
}
