// Parses etcd's JSON gateway answers, fetched with curl on a server using that server's own client certs.
// uint64 fields (IDs, leader, terms) come back as decimal strings: keep them as strings, never as JS numbers
// (they exceed 2^53 and would round).
import { parseUntrustedJson } from '../util/untrusted-text.js';

export interface EtcdHealth {
  healthy: boolean;
  reason: string;
}

export interface EtcdMemberEntry {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface EtcdMemberList {
  /** ID of the member that answered. */
  answeredBy: string | null;
  members: EtcdMemberEntry[];
}

export interface EtcdEndpointStatus {
  memberId: string | null;
  leader: string | null;
  version: string | null;
  errors: string[];
  isLearner: boolean;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = parseUntrustedJson(text.trim());
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** An ID as a decimal string; numbers (lossy JSON from other tools) are accepted if still exact. */
function idString(value: unknown): string | null {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `{"health":"true","reason":""}`; also tolerates a boolean. */
export function parseEtcdHealth(text: string): EtcdHealth | null {
  const doc = parseObject(text);
  if (!doc || !('health' in doc)) return null;
  const healthy = doc.health === true || doc.health === 'true';
  return { healthy, reason: typeof doc.reason === 'string' ? doc.reason : '' };
}

export function parseEtcdMemberList(text: string): EtcdMemberList | null {
  const doc = parseObject(text);
  if (!doc || !Array.isArray(doc.members)) return null;
  const header = (doc.header ?? {}) as Record<string, unknown>;
  const members: EtcdMemberEntry[] = [];
  for (const raw of doc.members as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const m = raw as Record<string, unknown>;
    const id = idString(m.ID);
    if (!id) continue;
    members.push({
      id,
      // A member that was added but never started has no name yet.
      name: typeof m.name === 'string' ? m.name : '',
      peerURLs: strings(m.peerURLs),
      clientURLs: strings(m.clientURLs),
      isLearner: m.isLearner === true,
    });
  }
  return { answeredBy: idString(header.member_id), members };
}

export function parseEtcdStatus(text: string): EtcdEndpointStatus | null {
  const doc = parseObject(text);
  if (!doc || !('header' in doc || 'leader' in doc)) return null;
  const header = (doc.header ?? {}) as Record<string, unknown>;
  return {
    memberId: idString(header.member_id),
    leader: idString(doc.leader),
    version: typeof doc.version === 'string' ? doc.version : null,
    errors: strings(doc.errors),
    isLearner: doc.isLearner === true,
  };
}

/** Host of a URL such as https://10.0.0.1:2379 or https://[fd00::1]:2379 (brackets removed). */
export function urlHost(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}
