// Issue #15 item 6 on a lab: a join token and a bearer token in a node's journal line, and a kubeconfig whose
// server URL carries user:password, reach `status` (JSON and text) only redacted, and the settings not at all.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { StatusReport } from '../../src/model/status.js';
import { filesUnder } from '../support/secrets.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { makeSandbox, type CliResult } from './support.js';

const box = makeSandbox('kt-redact-lab-');
let lab: LabHandle;
const joinSecret = randomBytes(16).toString('hex');
const bearer = randomBytes(24).toString('base64url');
const urlPassword = randomBytes(12).toString('hex');
const token = `K10${randomBytes(32).toString('hex')}::server:${joinSecret}`;
let json: CliResult;
let text: CliResult;

beforeAll(async () => {
  lab = await startLab({ topology: 'split' });
  const node = lab.nodes.find((n) => n.name === 'cp-1')!;
  const bin = path.join(path.dirname(node.dataDir), 'bin');
  // A wrapped node command: cp-1's journal holds an etcd handshake failure (a diagnosis, so its line is evidence)
  // that also logs the join token and an Authorization header.
  const file = path.join(bin, 'journalctl');
  renameSync(file, `${file}.real`);
  const line = `Dec 04 03:00:00 cp-1 rke2[77]: time="2026-12-04T03:00:00Z" level=error msg="failed to get etcd MemberList: token ${token} rejected; Authorization: Bearer ${bearer}"`;
  writeFileSync(file, `#!/bin/sh\n"${file}.real" "$@"\nprintf '%s\\n' '${line}'\n`);
  chmodSync(file, 0o755);
  // The same kubeconfig with user:password in the server URL.
  const config = parse(readFileSync(lab.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] };
  for (const c of config.clusters)
    c.cluster.server = c.cluster.server.replace('https://', `https://admin:${urlPassword}@`);
  const kubeconfig = box.write('kubeconfig-userinfo', stringify(config));
  const args = ['status', '--kubeconfig', kubeconfig, '--inventory', lab.inventory];
  json = await box.cli([...args, '--json']);
  text = await box.cli(args);
}, 240_000);

afterAll(async () => {
  await lab?.stop();
  rmSync(box.dir, { recursive: true, force: true });
});

describe('redaction on a lab (status, settings)', () => {
  it('the journal line reached the report, redacted: the token hash kept, its secret and the bearer token gone', () => {
    const report = JSON.parse(json.stdout) as StatusReport;
    const cp1 = report.nodes.find((n) => n.name === 'cp-1')!;
    const evidence = cp1.diagnoses.flatMap((d) => d.evidence).join('\n');
    expect(evidence).toContain(`${token.split('::')[0]}::server:[redacted]`);
    expect(evidence).toContain('Bearer [redacted]');
  });

  it('no secret on stdout or stderr of status --json or status', () => {
    for (const out of [json, text]) {
      for (const secret of [joinSecret, bearer, urlPassword]) {
        expect(out.stdout).not.toContain(secret);
        expect(out.stderr).not.toContain(secret);
      }
    }
    expect(text.stdout).toContain('[redacted]');
  });

  it('the settings and the state dir hold none of them', () => {
    const files = [...filesUnder(box.configDir, () => true), ...filesUnder(box.stateDir, (n) => !n.includes('/ssh/'))];
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      for (const secret of [joinSecret, bearer, urlPassword]) expect(readFileSync(f, 'utf8'), f).not.toContain(secret);
  });
});
