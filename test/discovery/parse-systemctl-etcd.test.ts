import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../support/paths.js';
import { parseEtcdHealth, parseEtcdMemberList, parseEtcdStatus, urlHost } from '../../src/discovery/parse-etcd.js';
import { parseSystemctlShow } from '../../src/discovery/parse-systemctl.js';

describe('systemctl show', () => {
  it('reads Key=Value lines', () => {
    const s = parseSystemctlShow(
      'NRestarts=7\nActiveState=activating\nSubState=auto-restart\nActiveEnterTimestamp=Thu 2025-01-23 12:12:39 UTC\nLoadState=loaded\n',
    );
    expect(s).toEqual({
      activeState: 'activating',
      subState: 'auto-restart',
      restarts: 7,
      activeEnterTimestamp: 'Thu 2025-01-23 12:12:39 UTC',
      loadState: 'loaded',
    });
  });
  it('reads a unit systemd does not know and rejects other text', () => {
    expect(
      parseSystemctlShow(
        'ActiveState=inactive\nSubState=dead\nNRestarts=0\nActiveEnterTimestamp=\nLoadState=not-found',
      ),
    ).toMatchObject({ activeState: 'inactive', activeEnterTimestamp: null, loadState: 'not-found' });
    expect(parseSystemctlShow('Failed to connect to bus')).toBeNull();
  });
});

describe('etcd JSON gateway', () => {
  it('reads /health both ways', () => {
    expect(parseEtcdHealth('{"health":"true","reason":""}')).toEqual({ healthy: true, reason: '' });
    expect(parseEtcdHealth('{"health":"false","reason":"RAFT NO LEADER"}')).toEqual({
      healthy: false,
      reason: 'RAFT NO LEADER',
    });
    expect(parseEtcdHealth('curl: (7) Failed to connect')).toBeNull();
  });

  it('keeps 64-bit member IDs as exact decimal strings', () => {
    const text = JSON.stringify({
      header: { cluster_id: '14841639068965178418', member_id: '10276657743932975437', raft_term: '3' },
      members: [
        {
          ID: '10276657743932975437',
          name: 'etcd-1-3f2a1b4c',
          peerURLs: ['https://10.0.0.1:2380'],
          clientURLs: ['https://10.0.0.1:2379'],
        },
        { ID: '18249187646912138824', peerURLs: ['https://10.0.0.2:2380'], isLearner: true },
      ],
    });
    const list = parseEtcdMemberList(text);
    expect(list?.answeredBy).toBe('10276657743932975437');
    expect(list?.members).toEqual([
      {
        id: '10276657743932975437',
        name: 'etcd-1-3f2a1b4c',
        peerURLs: ['https://10.0.0.1:2380'],
        clientURLs: ['https://10.0.0.1:2379'],
        isLearner: false,
      },
      { id: '18249187646912138824', name: '', peerURLs: ['https://10.0.0.2:2380'], clientURLs: [], isLearner: true },
    ]);
    expect(parseEtcdMemberList('{"error":"x"}')).toBeNull();
  });

  it('reads maintenance/status', () => {
    const s = parseEtcdStatus(
      '{"header":{"member_id":"10276657743932975437"},"version":"3.5.21","dbSize":"20480","leader":"18249187646912138824","errors":["NOSPACE"]}',
    );
    expect(s).toEqual({
      memberId: '10276657743932975437',
      leader: '18249187646912138824',
      version: '3.5.21',
      errors: ['NOSPACE'],
      isLearner: false,
    });
  });

  it('takes hosts out of URLs, IPv6 included', () => {
    expect(urlHost('https://10.0.0.1:2379')).toBe('10.0.0.1');
    expect(urlHost('https://[fd00::1]:2379')).toBe('fd00::1');
    expect(urlHost('nope')).toBeNull();
  });
});

describe('etcd /health answers of 3.4 and 3.5+ (fixture)', () => {
  it('reads health and reason from every upstream shape', () => {
    const lines = readFileSync(`${fixturesDir}/etcd-health-json-answers.txt`, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(lines.map(parseEtcdHealth)).toEqual([
      { healthy: true, reason: '' },
      { healthy: false, reason: 'RAFT NO LEADER' },
      { healthy: true, reason: '' },
      { healthy: false, reason: '' },
    ]);
  });
});
