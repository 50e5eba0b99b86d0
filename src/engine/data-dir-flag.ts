// `--data-dir DIR` for the CLI subcommands keyturn runs on a node whose data dir is not the default. The
// subcommands read config.yaml's data-dir themselves, but not one given only on the unit's command line
// (`ExecStart=... server --data-dir DIR`): without the flag they work on /var/lib/rancher/<prog> instead, and a
// k3s `certificate rotate` there even reports success having renewed nothing. `certificate rotate|check|rotate-ca`,
// `secrets-encrypt <any>` and `etcd-snapshot <any>` take it after the subcommand (k3s pkg/cli/cmds/certs.go,
// secrets_encrypt.go, etcd_snapshot.go: DataDirFlag; rancher/rke2 pkg/cli/cmds/cert.go, secrets_encrypt.go,
// etcd_snapshot.go: "data-dir").
import { defaultDataDir } from '../model/cluster.js';
import type { PlannedNode } from './plan-types.js';

export function dataDirArgs(node: PlannedNode): string[] {
  return node.dataDir === defaultDataDir(node.distro) ? [] : ['--data-dir', node.dataDir];
}
