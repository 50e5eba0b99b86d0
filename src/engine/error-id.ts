// A supervisor refusal prints only `... error ID NNNNN`; the cause is in that server's journal.
import type { ExecResult } from '../transports/types.js';
import { shJoin, shq } from '../util/shell-quote.js';
import type { StepContext } from './context.js';

/** `secret-encrypt error ID 64661` / `certificate error ID 123`: the cause is only in that server's journal. */
export async function explainErrorId(ctx: StepContext, r: ExecResult): Promise<string | null> {
  const id = /error ID (\d+)/.exec(r.stderr + r.stdout)?.[1];
  if (!id) return null;
  const script = `${shJoin(['journalctl', '-u', ctx.node.unit, '--no-pager', '-n', '2000'])} | grep -F ${shq(`error ID ${id}:`)} | tail -n 1 || true`;
  const j = await ctx.exec(ctx.node, script, 30);
  const line = j.stdout.trim();
  if (!line) return null;
  return /error ID \d+: (.*?)"?$/.exec(line)?.[1] ?? line;
}
