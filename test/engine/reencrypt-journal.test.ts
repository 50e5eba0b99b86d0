// With the API down, re-encryption progress comes from the node's journal. The script that reads it must let
// through both forms upstream has logged the events in; run here in a real sh with a stand-in journalctl.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { journalProgressScript } from '../../src/engine/encryption/reencrypt.js';
import type { PlannedNode } from '../../src/engine/plan-types.js';

const run = promisify(execFile);

// klog form: k3s#11439 (v1.29.12-rc1, Dec 2024). Older broadcaster form through logrus: k3s#5934 (v1.23.9, Aug
// 2022; the message tail as k3s#5933 shows it).
const KLOG = `Dec 13 02:24:13 ip-172-31-5-173 k3s[9091]: I1213 02:24:13.095812    9091 event.go:376] "Event occurred" object="ip-172-31-5-173" fieldPath="" kind="Node" apiVersion="" type="Normal" reason="SecretsProgress" message="reencrypted 50 secrets"`;
const OLD = `Aug 04 21:16:09 ip-172-31-10-84 k3s[119863]: time="2022-08-04T21:16:09Z" level=info msg="Event(v1.ObjectReference{Kind:\\"Node\\", Namespace:\\"\\", Name:\\"ip-172-31-10-84\\", UID:\\"ip-172-31-10-84\\", APIVersion:\\"\\", ResourceVersion:\\"\\", FieldPath:\\"\\"}): type: 'Normal' reason: 'SecretsProgress' reencrypted 8490 secrets"`;
const OTHER = `Aug 04 21:16:10 ip-172-31-10-84 k3s[119863]: time="2022-08-04T21:16:10Z" level=info msg="Tunnel server egress proxy mode: agent"`;

describe('the journal progress script', () => {
  it('keeps the events in both forms and nothing else', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kt-journal-'));
    await writeFile(path.join(dir, 'journal.txt'), `${KLOG}\n${OTHER}\n${OLD}\n`);
    await writeFile(path.join(dir, 'journalctl'), `#!/bin/sh\ncat '${path.join(dir, 'journal.txt')}'\n`);
    await chmod(path.join(dir, 'journalctl'), 0o755);
    const node = { unit: 'k3s', name: 'n1' } as PlannedNode;
    const { stdout } = await run('/bin/sh', ['-c', journalProgressScript(node)], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    });
    expect(stdout.trimEnd().split('\n')).toEqual([KLOG, OLD]);
  });
});
