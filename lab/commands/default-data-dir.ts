// A CLI subcommand run without `--data-dir` on a node whose data dir is given only on its unit's command line
// (LabOptions.dataDirInUnit): the subcommand reads config.yaml (no data-dir there) and falls back to the default
// /var/lib/rancher/<prog>, which does not exist on such a node. What upstream then does, per subcommand:
//  - k3s `certificate rotate`: no <default>/server, so "Agent detected": it backs up and deletes agent files that are
//    not there and reports success, renewing nothing (k3s pkg/cli/cert/cert.go rotate/backupCertificates);
//    rke2 first writes <default>/force-restart and fails on the missing directory (rancher/rke2 pkg/cli/cmds/cert.go).
//  - `secrets-encrypt`: reads the server token from <default>/server/token (k3s pkg/cli/secretsencrypt commandPrep).
//  - `etcd-snapshot save`: "etcd database not found in <default>/server" (k3s pkg/cli/etcdsnapshot save).
// Other subcommands (certificate check, rotate-ca) answer as usual (null).
import { defaultDataDir } from '../../src/model/cluster.js';
import type { CommandContext } from './io.js';
import { logLine } from './logrus.js';

export function answerAtDefaultDataDir({ lab, node, io, argv }: CommandContext, sub: string): number | null {
  const now = lab.clock.now();
  const dir = defaultDataDir(node.prog);
  const fatal = (msg: string) => {
    io.stderr(logLine('fatal', msg, now));
    return 1;
  };
  if (sub === 'certificate' && argv[0] === 'rotate') {
    if (node.prog === 'rke2') return fatal(`open ${dir}/force-restart: no such file or directory`);
    io.stderr(logLine('info', 'Agent detected, rotating agent certificates', now));
    const backup = `${dir}/agent/tls-${Math.floor(now.getTime() / 1000)}`;
    io.stderr(
      logLine(
        'info',
        `Successfully backed up certificates to ${backup}, please restart ${node.prog} server or agent to rotate certificates`,
        now,
      ),
    );
    return 0;
  }
  if (sub === 'secrets-encrypt') return fatal(`open ${dir}/server/token: no such file or directory`);
  if (sub === 'etcd-snapshot') return fatal(`etcd database not found in ${dir}/server`);
  return null;
}
