// The emulated cluster's quorum view, read from the shared state (no network round trip needed).
import type { EtcdClusterHealth } from '../types.js';
import type { EmulatedQuorum } from './quorum.js';

export function emulatedHealth(quorum: EmulatedQuorum, allNames: string[]): EtcdClusterHealth {
  const leader = quorum.currentLeader();
  const running = quorum.runningNames();
  const stopped = allNames.filter((n) => !running.includes(n));
  const views = running.map((name) => ({ name, view: quorum.viewOf(name) }));
  const inQuorum = views.filter((v) => v.view.kind === 'in-quorum').map((v) => v.name);
  const outside = views.filter((v) => v.view.kind !== 'in-quorum').map((v) => `${v.name}: ${v.view.kind}`);
  const summary = `${inQuorum.length}/${allNames.length} members healthy (quorum ${quorum.quorumSize()})`;
  const problems = [...stopped.map((n) => `${n} stopped`), ...outside];
  const reason = [summary, leader !== null ? `leader ${leader}` : 'no quorum', ...problems].join('; ');
  return { healthy: leader !== null, leader, running, reason };
}
