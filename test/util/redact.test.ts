// The one redactor (#15 item 6): what it hides, what it keeps, and that keyturn's own plans pass through unchanged.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECIPES } from '../../recipes/index.js';
import type { RunEvent } from '../../src/engine/events.js';
import { planRun } from '../../src/engine/plan.js';
import { renderPlanText } from '../../src/engine/render-plan.js';
import { applyEvent, initialState } from '../../src/engine/reducer.js';
import { renderReport } from '../../src/engine/report.js';
import { openFileJournal, readJournal } from '../../src/journal/index.js';
import { Settings } from '../../src/settings/settings.js';
import { isSecretName, redact, redactDeep, REDACTED } from '../../src/util/redact.js';
import { cluster } from '../engine/support/clusters.js';

const hex = (n: number) => randomBytes(n).toString('hex');

describe('redact', () => {
  const hash = hex(32);
  const secret = hex(16);
  const cases: [string, string, string][] = [
    [
      'join token in a logrus line',
      `level=info msg="joining with K10${hash}::server:${secret}"`,
      `level=info msg="joining with K10${hash}::server:${REDACTED}"`,
    ],
    ['short join token (no user)', `token: K10${hash}::${secret}`, `token: K10${hash}::${REDACTED}`],
    [
      'token without a CA hash (upstream parseToken accepts it)',
      `K10::server:${secret}:with:colons`,
      `K10::server:${REDACTED}`,
    ],
    ['bootstrap-token form', `K10${hash}::abcdef.${secret}`, `K10${hash}::${REDACTED}`],
    ['bare token under a token key', `token: ${secret}`, `token: ${REDACTED}`],
    ['env assignment', `env K3S_TOKEN=${secret} sh -c id`, `env K3S_TOKEN=${REDACTED} sh -c id`],
    [
      'flag and value',
      `k3s agent --token ${secret} --server https://s:6443`,
      `k3s agent --token ${REDACTED} --server https://s:6443`,
    ],
    ['flag=value', `--agent-token=${secret}`, `--agent-token=${REDACTED}`],
    [
      'bearer header',
      `curl -H "Authorization: Bearer ${secret}.${secret}" https://x`,
      `curl -H "Authorization: Bearer ${REDACTED}" https://x`,
    ],
    ['basic header', `Authorization: Basic ${secret}`, `Authorization: Basic ${REDACTED}`],
    ['URL userinfo', `HTTPS_PROXY=http://ops:${secret}@proxy:3128`, `HTTPS_PROXY=http://ops:${REDACTED}@proxy:3128`],
    ['JSON fields', `{"password":"${secret}","user":"u"}`, `{"password":"${REDACTED}","user":"u"}`],
    ['JSON inside a Go-quoted msg', `msg="{\\"apiKey\\": \\"${secret}\\"}"`, `msg="{\\"apiKey\\": \\"${REDACTED}\\"}"`],
  ];
  for (const [what, input, expected] of cases) {
    it(`hides: ${what}`, () => {
      expect(redact(input)).toBe(expected);
      expect(redact(expected)).toBe(expected); // idempotent
    });
  }

  it('keeps what is not a secret: paths to one, placeholders, switches, ordinary fields, certificate subjects', () => {
    for (const text of [
      'k3s agent --token-file /etc/rancher/k3s/token --secrets-encryption',
      'K3S_TOKEN_FILE=/etc/k3s/token',
      '[keyturn] new join-token CA hash: K10abcdef12 (tokens become K10abcdef12::<user>:<password>)',
      'keyturn: node etcd-1 (10.0.0.1) unreachable over SSH: Connection refused',
      'CN=system:node:cp-1, O=system:nodes',
      'time="2026-01-01T00:00:00Z" level=info msg="Active key aescbckey-2026 ok" node=cp-1',
      'https://10.0.0.1:6443 ssh://root@bastion',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });

  it('judges names once for env, flags and fields (the settings use the same rule)', () => {
    for (const name of [
      'K3S_TOKEN',
      'RKE2_AGENT_TOKEN',
      'AWS_SECRET_ACCESS_KEY',
      'DB_PASSWORD',
      'apiKey',
      'api-key',
      'SSH_KEY',
      'session',
      'GITHUB_PAT_TOKEN',
    ])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ['PATH', 'HOME', 'HTTPS_PROXY', 'keyturn', 'NO_PROXY', 'KUBECONFIG'])
      expect(isSecretName(name), name).toBe(false);
  });

  it("leaves every recipe's plan text unchanged (no false positive in keyturn's own commands)", () => {
    for (const distro of ['rke2', 'k3s'] as const) {
      for (const recipe of RECIPES) {
        const planned = planRun(recipe, cluster('split', distro));
        if (!planned.ok) continue;
        const text = renderPlanText(planned.plan);
        expect(redact(text), `${recipe.name} on ${distro}`).toBe(text);
        expect(redactDeep(planned.plan)).toEqual(planned.plan);
      }
    }
  });
});

describe('redaction where keyturn persists and prints', () => {
  it("a token in a failure's journal evidence is not in the run journal file nor in the report", async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kt-redact-'));
    const token = `K10${hex(32)}::server:${hex(16)}`;
    const bearer = hex(20);
    const planned = planRun(
      RECIPES.find((r) => r.name === 'rotate-certs')!,
      cluster('split', 'rke2'),
      { runId: 'r-redact' },
    );
    if (!planned.ok) throw new Error(planned.refusal.reason);
    const created: RunEvent = {
      type: 'run-created',
      at: 't0',
      runId: 'r-redact',
      plan: planned.plan,
      operator: { user: 'u', host: 'h' },
      cluster: { server: `https://admin:${bearer}@10.0.0.1:6443` },
    };
    const key = planned.plan.blocks[0].steps[0].key;
    const evidence = [
      `Dec 04 etcd-1 rke2[9]: level=error msg="join failed with token ${token}"`,
      `Authorization: Bearer ${bearer}`,
    ];
    const failed: RunEvent = {
      type: 'run-failed',
      at: 't1',
      failure: {
        node: 'etcd-1',
        key,
        check: 'unit-active',
        message: `etcd-1 failed: K3S_TOKEN=${token}`,
        command: null,
        exitCode: 1,
        evidence,
        fix: 'see the journal',
      },
    };
    const journal = await openFileJournal(stateDir, 'r-redact');
    await journal.append(created);
    await journal.append(failed);
    await journal.close();
    const file = readFileSync(journal.path, 'utf8');
    for (const secret of [token.split(':').at(-1)!, bearer]) expect(file).not.toContain(secret);
    expect(file).toContain(REDACTED);
    // The plan in run-created is kept exactly (resume runs its commands).
    const events = (await readJournal(stateDir, 'r-redact')).events;
    expect((events[0] as Extract<RunEvent, { type: 'run-created' }>).plan).toEqual(planned.plan);
    // And a journal written before the redactor (raw events) still prints a redacted report.
    const state = applyEvent(initialState(created), failed);
    const report = renderReport(state);
    for (const secret of [token.split(':').at(-1)!, bearer]) expect(report).not.toContain(secret);
    expect(report).toContain(`join failed with token K10`);
  });

  it('an inventory HTTPS_PROXY with a password is not saved in settings; the rest of the node is', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kt-redact-settings-'));
    const pw = hex(12);
    const settings = new Settings(dir);
    settings.remember(`api:https://admin:${pw}@10.0.0.1:6443`, [
      {
        name: 'n',
        address: '10.0.0.9',
        transport: 'ssh',
        ssh: { options: [`ProxyCommand=curl -H 'Authorization: Bearer ${pw}' x`] },
        env: { HTTPS_PROXY: `http://ops:${pw}@proxy:3128`, PATH: '/usr/bin', NO_PROXY: '10.0.0.0/8' },
      },
    ]);
    const saved = readFileSync(settings.path, 'utf8');
    expect(saved).not.toContain(pw);
    const again = new Settings(dir).remembered(`api:https://admin:${pw}@10.0.0.1:6443`);
    expect(again?.nodes[0].env).toEqual({ PATH: '/usr/bin', NO_PROXY: '10.0.0.0/8' });
  });
});
