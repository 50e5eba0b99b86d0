// The emulation's raft outcome without any sockets: leadership, terms, publication, listing and the JSON answers.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../../lab/etcd/emulated/endpoints.js';
import { EmulatedQuorum } from '../../../lab/etcd/emulated/quorum.js';
import { loadMemberTls, type MemberTls } from '../../../lab/etcd/emulated/tls-material.js';
import { memberIdOf } from '../../../lab/etcd/member-ids.js';
import { haveBinaries } from '../../support/binaries.js';
import { makeTestLab, type TestLab } from './harness.js';

const available = haveBinaries('openssl');

describe.skipIf(!available)('EmulatedQuorum', () => {
  let lab: TestLab;
  const tls = new Map<string, MemberTls>();

  beforeAll(() => {
    lab = makeTestLab('quorum', '127.0.59', 3); // addresses only named in certs: nothing listens
    for (const spec of lab.specs) {
      const loaded = loadMemberTls(spec.tlsDir);
      if (loaded.kind !== 'loaded') throw new Error(loaded.reason);
      tls.set(spec.name, loaded.tls);
    }
  });
  afterAll(() => rmSync(lab.root, { recursive: true, force: true }));

  const names = () => lab.specs.map((s) => s.name);
  const ask = (q: EmulatedQuorum, member: string, path: string, method = 'POST', body = '{}') =>
    answer(q, member, 'client', { method, path, body });

  it('needs a majority, keeps a running leader, and elects anew (new term) when it stops', () => {
    const [a, b, c] = names();
    const q = new EmulatedQuorum(lab.specs, 't');
    q.join(a, tls.get(a)!);
    expect(q.currentLeader()).toBeNull();
    expect(q.viewOf(a)).toEqual({ kind: 'stalled' });
    q.join(b, tls.get(b)!);
    expect(q.currentLeader()).toBe(a);
    const term = q.raft().term;
    q.join(c, tls.get(c)!);
    q.leave(b);
    expect(q.currentLeader()).toBe(a);
    expect(q.raft().term).toBe(term);
    q.join(b, tls.get(b)!);
    q.leave(a);
    expect(q.currentLeader()).toBe(b);
    expect(q.raft().term).toBeGreaterThan(term);
    q.leave(c);
    expect(q.currentLeader()).toBeNull();
    expect(q.viewOf(b)).toEqual({ kind: 'no-leader' });
    expect(q.viewOf(a)).toEqual({ kind: 'stopped' });
  });

  it('lists members by ascending ID, unstarted ones without name or client URLs', () => {
    const [a, b] = names();
    const q = new EmulatedQuorum(lab.specs, 't');
    q.join(a, tls.get(a)!);
    q.join(b, tls.get(b)!);
    const reply = ask(q, a, '/v3/cluster/member/list');
    expect(reply.status).toBe(200);
    const { header, members } = JSON.parse(reply.body);
    expect(header.member_id).toBe(memberIdOf(a));
    expect(members.map((m: { ID: string }) => BigInt(m.ID))).toEqual(
      [...members.map((m: { ID: string }) => BigInt(m.ID))].sort((x, y) => (x < y ? -1 : 1)),
    );
    const unstarted = members.find((m: { ID: string }) => m.ID === memberIdOf(names()[2]));
    expect(Object.keys(unstarted)).toEqual(['ID', 'peerURLs']);
  });

  it('answers like etcd 3.4 to wrong methods, unknown paths and bad bodies', () => {
    const [a, b] = names();
    const q = new EmulatedQuorum(lab.specs, 't');
    q.join(a, tls.get(a)!);
    q.join(b, tls.get(b)!);
    expect(ask(q, a, '/v3/cluster/member/list', 'GET')).toMatchObject({ status: 405, body: 'Method Not Allowed\n' });
    expect(ask(q, a, '/livez', 'GET')).toMatchObject({ status: 404, body: '404 page not found\n' });
    expect(ask(q, a, '/v3/maintenance/status', 'POST', '')).toMatchObject({ status: 200 });
    const bad = ask(q, a, '/v3/maintenance/status', 'POST', 'nojson');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 3 });
    expect(answer(q, a, 'metrics', { method: 'GET', path: '/health', body: '' })).toMatchObject({
      status: 200,
      body: '{"health":"true"}',
    });
    expect(answer(q, a, 'metrics', { method: 'GET', path: '/version', body: '' }).status).toBe(404);
  });

  it('member IDs are stable decimal uint64 strings derived from the name', () => {
    expect(memberIdOf('node-1')).toBe(memberIdOf('node-1'));
    expect(memberIdOf('node-1')).not.toBe(memberIdOf('node-2'));
    expect(memberIdOf('node-1')).toMatch(/^[1-9]\d*$/);
    expect(BigInt(memberIdOf('node-1')) < 2n ** 64n).toBe(true);
  });
});
