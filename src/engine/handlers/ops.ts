// What a command's result means beyond its exit code, per op: a reencrypt CLI timeout is "still running"
// (k3s#11384); a failed rotate-keys/reencrypt is checked against the server before it counts as failed
// (k3s#12373); a supervisor "error ID NNNNN" is explained by that server's journal line; an etcd snapshot's name
// is recorded. Returns null when the generic handling applies.
import type { NodeOp } from '../../recipe-schema/types.js';
import type { ExecResult } from '../../transports/types.js';
import type { HandlerResult, StepContext } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { caOpResult } from '../ca/ops.js';
import { tokenUpdateResult } from '../ca/tokens.js';
import { explainErrorId } from '../error-id.js';
import { readServerWork } from '../encryption/cli-failure.js';
import { RELOAD_TIMED_OUT, reloadTimeoutFix } from '../encryption/reload-timeout.js';

const CLIENT_GAVE_UP = /context deadline exceeded|Client\.Timeout exceeded|: EOF"?\s*$/m;

function encryptionFix(cause: string, ctx: StepContext): string {
  const resume = 'then `keyturn resume` re-checks and continues';
  if (/hash does not match between (\S+) and (\S+)/.test(cause)) {
    return `the servers hold different encryption configs: restart the server(s) named (they load the datastore's config on start) or restore ${ctx.node.dataDir}/server/cred from this run's cred.keyturn-* backup, ${resume}`;
  }
  if (/incorrect stage/.test(cause))
    return `a server is at an unexpected stage: \`${ctx.node.distro} secrets-encrypt status\` on each control-plane server; restart the ones behind, ${resume}`;
  if (/secretbox/.test(cause))
    return 'secretbox rotates only with rotate-keys: upgrade to a release with safe rotate-keys';
  if (/does not support rotate-keys/.test(cause))
    return 'upgrade the named node (rotate-keys needs k3s v1.30.5+/v1.31.1+, RKE2 v1.30.2+), or plan again for the classic flow';
  if (/invalid hash/.test(cause))
    return `the named server's encryption-config.json changed since it published its hash: restore it from the cred.keyturn-* backup or restart it, ${resume}`;
  return `read the cause above in the journal of ${ctx.node.name}, fix it, ${resume}`;
}

export async function interpretOpResult(ctx: StepContext, op: NodeOp, r: ExecResult): Promise<HandlerResult | null> {
  switch (op.op) {
    case 'secrets-encrypt': {
      if (r.outcome === 'ok') return null;
      const long = op.action === 'reencrypt' || op.action === 'rotate-keys';
      if (long && (r.outcome === 'timeout' || (r.outcome === 'exit' && CLIENT_GAVE_UP.test(r.stderr)))) {
        return {
          status: 'done',
          summary: `the CLI gave up waiting (${r.outcome === 'timeout' ? 'our timeout' : 'client timeout'}); the server keeps re-encrypting (k3s#11384): the next step polls it`,
          execs: ctx.execs,
        };
      }
      const cause = await explainErrorId(ctx, r);
      if (long) {
        // The CLI failed; the server may not have (k3s#12373, k3s#11384): read it again before calling it failed.
        const work = await readServerWork(ctx, op.action === 'rotate-keys' ? 'rotate-keys' : 'reencrypt');
        const why = cause ?? (r.stderr.trim().split('\n').slice(-1)[0] || r.outcome);
        if (work.kind !== 'idle') {
          return {
            status: 'done',
            summary: `the CLI failed (${why}), but ${work.detail}: the next step follows it`,
            execs: ctx.execs,
          };
        }
        if (cause && RELOAD_TIMED_OUT.test(cause)) {
          const evidence = [`${ctx.node.name} journal: ${cause}`, work.detail, ...execEvidence(ctx, r)];
          return failed(ctx, {
            check: 'encryption-stage',
            message: `\`${r.script}\` failed on ${ctx.node.name}: the apiserver had not reloaded the new encryption config when the wait ended (k3s#12373; 60 s before v1.30.14, v1.31.10, v1.32.6, v1.33.2). The new key is in ${ctx.node.name}'s config but no secret was re-encrypted (${work.detail})`,
            command: r.script,
            exitCode: r.code,
            evidence,
            fix: reloadTimeoutFix(ctx, work.provider),
          });
        }
      }
      if (!cause) return null;
      const evidence = [`${ctx.node.name} journal: ${cause}`, ...execEvidence(ctx, r)];
      const named = /between (\S+) and (\S+)|on node (\S+)|node (\S+) is running/.exec(cause);
      const nodes = named ? named.slice(1).filter(Boolean).join(' and ') : ctx.node.name;
      return failed(ctx, {
        check: 'encryption-stage',
        message: `\`${r.script}\` refused on ${ctx.node.name}: ${cause} (${nodes})`,
        command: r.script,
        exitCode: r.code,
        evidence,
        fix: encryptionFix(cause, ctx),
      });
    }
    case 'etcd-snapshot': {
      if (r.outcome !== 'ok') return null;
      const file = r.stdout.trim().split('\n').filter(Boolean).slice(-1)[0];
      const name = /Snapshot (\S+) saved/.exec(r.stderr)?.[1] ?? file ?? op.name;
      return {
        status: 'done',
        summary: `snapshot ${name} saved${file && file !== name ? ` (${file})` : ''}`,
        execs: ctx.execs,
        data: { snapshot: file || name },
      };
    }
    case 'rotate-ca':
    case 'generate-ca':
      return caOpResult(ctx, op, r);
    case 'update-token':
      return tokenUpdateResult(ctx, r);
    case 'service':
    case 'reset-failed':
    case 'certificate-rotate':
    case 'killall':
      return null;
    default: {
      const never: never = op;
      throw new Error(`unexpected op ${JSON.stringify(never)}`);
    }
  }
}
