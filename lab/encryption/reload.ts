// The kube-apiserver's automatic reload of encryption-config.json, which rotate-keys waits for by watching the
// apiserver's reload metrics (k3s pkg/secretsencrypt WaitForEncryptionConfigReload: polls every 5 s until its
// timeout). The apiserver polls the file once a minute and applies a change a few seconds after it sees it. The lab
// applies a change RELOAD_MS after it is written; after the `slow-reload` fault, the node's apiserver sees it only
// at its next minute poll (SLOW_RELOAD_MS): past the 60 s wait of the releases before k3s#12392, so rotate-keys
// fails there although the reload happens seconds later (k3s#12373).
import type { LabNode } from '../lab-node.js';
import type { LabRuntime } from '../lab-runtime.js';
import { encryptionReloadTimeoutSeconds, rotateKeysWaitsForReencrypt } from '../upstream-versions.js';

const RELOAD_MS = 2_000;
const SLOW_RELOAD_MS = 65_000;

interface ReloadState {
  slow: boolean;
  successes: number;
  /** Unix seconds of the last reload (the apiserver's ..._automatic_reload_last_timestamp_seconds). */
  lastSeconds: number;
}

const reloads = new WeakMap<LabNode, ReloadState>();

function stateOf(node: LabNode): ReloadState {
  let s = reloads.get(node);
  if (!s) {
    s = { slow: false, successes: 0, lastSeconds: 0 };
    reloads.set(node, s);
  }
  return s;
}

/** The slow-reload fault: this node's apiserver applies encryption-config changes only at its next minute poll. */
export function slowDownReload(node: LabNode): void {
  stateOf(node).slow = true;
}

export type ReloadResult = { ok: true } | { ok: false; error: string };

/** Waits, as rotate-keys does, until the apiserver has applied the config just written, or upstream's timeout. */
export async function waitForEncryptionConfigReload(lab: LabRuntime, node: LabNode): Promise<ReloadResult> {
  const s = stateOf(node);
  const before = { successes: s.successes, seconds: s.lastSeconds };
  const lag = s.slow ? SLOW_RELOAD_MS : RELOAD_MS;
  const timeoutMs = encryptionReloadTimeoutSeconds(lab.options.version) * 1000;
  const reloaded = () => {
    s.successes += 1;
    s.lastSeconds = Math.floor(lab.clock.now().getTime() / 1000);
    node.journal.service(
      node.prog,
      node.service.mainPid,
      'info',
      `encryption config reloaded successfully ${s.successes} times`,
    );
  };
  if (lag <= timeoutMs) {
    await lab.clock.sleep(lag);
    reloaded();
    return { ok: true };
  }
  await lab.clock.sleep(timeoutMs);
  // The apiserver still applies it a few seconds later: only the wait gave up.
  void lab.clock.sleep(lag - timeoutMs, lab.lifetime.signal).then((done) => done && reloaded());
  const last = `apiserver has not reloaded encryption configuration (reload success: ${s.successes}/${before.successes}, reload timestamp ${s.lastSeconds}/${before.seconds})`;
  // wait.PollUntilContextTimeout since the handler rework; wait.PollImmediate (ErrWaitTimeout) before.
  const timedOut = rotateKeysWaitsForReencrypt(lab.options.version)
    ? 'context deadline exceeded'
    : 'timed out waiting for the condition';
  return { ok: false, error: `${timedOut}: ${last}` };
}
