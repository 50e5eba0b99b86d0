// k3s#12373: rotate-keys waited 60 s (before the June 2025 releases) for the apiserver to reload the new encryption
// config; the apiserver's one-minute poll can miss that by seconds. The handler then returns an error with the new
// key already in this server's config, the node at reencrypt_active, nothing re-encrypted and the datastore not
// saved. What recognises it and what finishes it, shared by the command step and the re-encryption wait.
import { shJoin, shq } from '../../util/shell-quote.js';
import type { StepContext } from '../context.js';

const RELOAD_TEXT = 'apiserver has not reloaded encryption configuration';

/** k3s#12373: WaitForEncryptionConfigReload gave up (60 s before the June 2025 releases); no secret was rewritten. */
export const RELOAD_TIMED_OUT = new RegExp(RELOAD_TEXT);

/** What to do after k3s#12373: finish what rotate-keys left undone, without a restart (the datastore has the old config). */
export function reloadTimeoutFix(ctx: StepContext, provider: string | null): string {
  const { node } = ctx;
  const keep = `keep ${node.unit} on ${node.name} running and restart no server: the new config is only on ${node.name}, not yet in the datastore`;
  if (provider === 'secretbox') {
    return `${keep}. reencrypt refuses secretbox, so no upstream command finishes this rotation: secrets written since hold the new key, so do not restore the old config alone; restore the pre-rotate etcd snapshot together with ${node.dataDir}/server/cred from this run's cred.keyturn-* backup, or ask upstream (k3s#12373)`;
  }
  return `${keep}. Run \`${node.distro} secrets-encrypt reencrypt --force\` on ${node.name}: it re-encrypts every secret with the new key, removes the old one and saves the config for the other servers (what rotate-keys would have done); then \`keyturn resume\``;
}

/** The server's journal line for it (the cause behind `secret-encrypt error ID N`), or null. */
export async function findReloadTimeout(ctx: StepContext): Promise<string | null> {
  const script = `${shJoin(['journalctl', '-u', ctx.node.unit, '--no-pager', '-n', '2000'])} | grep -F ${shq(RELOAD_TEXT)} | tail -n 1 || true`;
  const r = await ctx.exec(ctx.node, script, 30);
  const line = r.outcome === 'ok' ? r.stdout.trim() : '';
  return line === '' ? null : line;
}
