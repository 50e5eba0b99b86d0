// Builds the ONE POSIX sh script that reads everything status needs from a node in a single round trip (the
// round trip, not the commands, is what costs over ssh: 200 nodes × several commands would take minutes).
// The script prints sections "<marker> <kind> <arg>"; the marker carries a random token so that no file or journal
// content can fake a section. Every value from outside (paths, addresses, unit names) is quoted with shq.
// Private keys are never read: curl is handed the key path and reads it on the node itself.
import { randomBytes } from 'node:crypto';
import { certFilesFor } from '../model/cert-files.js';
import { ENCRYPTION_CONFIG, ENCRYPTION_STATE } from '../model/cert-files.js';
import { configFilePath, defaultDataDir, isServer, serviceUnit, type Distro, type Role } from '../model/cluster.js';
import { shq } from '../util/shell-quote.js';
import { ETCD_PROBE_CALLS, etcdProbeDefinitions, type EtcdProbeKind } from './etcd-local-probe.js';

export interface ScanPlan {
  distro: Distro;
  roles: Role[];
  address: string;
  /** From the inventory; null means "read data-dir from config.yaml, else the default". */
  dataDir: string | null;
  /**
   * Addresses of the other etcd servers. Not probed any more: since k3s#8402 a peer's HTTP is on its loopback
   * only, so each member is probed on its own node (etcd-local-probe.ts). Kept for the scan's cache key.
   */
  etcdPeers: string[];
  journalLines: number;
  /** Marker prefix; random by default. */
  marker?: string;
  /** Where config.yaml is (default /etc/rancher/<prog>/config.yaml); tests point it elsewhere. */
  configFile?: string;
}

export const JOURNAL_LINE_BYTES = 4096;
/**
 * At most this much of each certificate and state file is printed (a real one is a few KiB). A hostile or broken
 * file of megabytes would otherwise push the scan's first sections out of the transport's output cap, and the
 * whole node would look unreachable.
 */
export const FILE_BYTES = 65_536;

export function newMarker(): string {
  return `@@keyturn-${randomBytes(8).toString('hex')}`;
}

/** Shell lines that set DD to the data dir: inventory's, else the last data-dir: in config.yaml(.d), else default. */
export function dataDirLines(distro: Distro, dataDir: string | null, config = configFilePath(distro)): string[] {
  if (dataDir) return [`DD=${shq(dataDir)}`];
  // Only a top-level `data-dir:` key; strip a trailing comment and surrounding quotes.
  const sed = `sed -n -e '/^data-dir:/{' -e 's/^data-dir:[[:space:]]*//' -e 's/[[:space:]]#.*$//' -e 's/[[:space:]]*$//' -e 's/^"\\(.*\\)"$/\\1/' -e "s/^'\\(.*\\)'$/\\1/" -e p -e '}'`;
  return [
    `DD=${shq(defaultDataDir(distro))}`,
    `for kt_f in ${shq(config)} ${shq(`${config}.d`)}/*.yaml; do`,
    `  [ -r "$kt_f" ] || continue`,
    `  kt_v=$(${sed} "$kt_f" | tail -n 1)`,
    `  [ -n "$kt_v" ] && DD=$kt_v`,
    'done',
  ];
}

/**
 * The member's own health, the member list and status, on this server's loopback (etcd-local-probe.ts), in the
 * background so a stalled member's timeout overlaps the rest of the scan. Other members are probed on their own
 * nodes: since k3s#8402 nothing HTTP is reachable from a peer.
 */
function etcdLines(): string[] {
  const kinds = Object.keys(ETCD_PROBE_CALLS) as EtcdProbeKind[];
  return [
    ...etcdProbeDefinitions('"$DD/server/tls/etcd"'),
    ...kinds.map((kind, i) => `{ kt_sec ${kind}; ${ETCD_PROBE_CALLS[kind]}; printf '\\n%s rc %s\\n' "$M" "$?"; } > "$KT_T/o.${i + 1}" &`),
  ];
}

/** How far back the journal is searched for "error ID N:" lines that explain a CLI error. */
export const ERROR_ID_SEARCH_LINES = 2000;

/** Error-ID lines kept from the searched journal (the newest). */
const ERROR_ID_LINES = 10;

/**
 * The awk program (quoted) that prints the journal section (the last `lines` lines) and the error-ids section
 * (the last ERROR_ID_LINES lines matching `error ID N`) from journalctl's output, each line cut to
 * JOURNAL_LINE_BYTES. Expects the marker in awk variable m.
 */
function journalAwk(lines: number): string {
  const n = Math.max(0, Math.floor(lines));
  const program = [
    `n > 0 { j[NR % n] = substr($0, 1, ${JOURNAL_LINE_BYTES}) }`,
    `/error ID [0-9]+/ { e[k++ % ${ERROR_ID_LINES}] = substr($0, 1, ${JOURNAL_LINE_BYTES}) }`,
    'END {',
    '  printf "\\n%s journal\\n", m',
    '  if (n > 0) for (i = (NR > n ? NR - n + 1 : 1); i <= NR; i++) print j[i % n]',
    '  printf "\\n%s error-ids\\n", m',
    `  for (i = (k > ${ERROR_ID_LINES} ? k - ${ERROR_ID_LINES} : 0); i < k; i++) print e[i % ${ERROR_ID_LINES}]`,
    '}',
  ].join('\n');
  return `-v n=${n} ${shq(program)}`;
}

export function buildScanScript(plan: ScanPlan): string {
  const marker = plan.marker ?? newMarker();
  const server = isServer(plan.roles);
  const unit = serviceUnit(plan.distro, plan.roles);
  const etcd = server && plan.roles.includes('etcd');
  const lines: string[] = [
    `M=${shq(marker)}`,
    `kt_sec() { printf '\\n%s %s\\n' "$M" "$1"; }`,
    ...dataDirLines(plan.distro, plan.dataDir, plan.configFile),
    // Slow commands (systemctl, journalctl, curl) run in the background into files while the certificates are
    // read, so a scan costs about one command's time, not the sum; the files are printed at the end.
    'KT_T=$(mktemp -d 2>/dev/null) || { KT_T="/tmp/keyturn-scan.$$"; mkdir -p "$KT_T"; }',
    "trap 'rm -rf \"$KT_T\"' EXIT",
    'kt_sec begin',
    'kt_sec data-dir',
    `printf '%s\\n' "$DD"`,
    `{ kt_sec systemctl; systemctl show -p ActiveState,SubState,NRestarts,ActiveEnterTimestamp,LoadState ${shq(unit)} 2>&1; printf '\\n%s rc %s\\n' "$M" "$?"; } > "$KT_T/o.s" &`,
    // One journalctl call and one awk: the last lines for diagnoses, and older "error ID N" lines that explain CLI
    // errors, each cut to JOURNAL_LINE_BYTES (bytes: LC_ALL=C). One process instead of a tail | cut and a
    // grep | tail | cut: on a node that is struggling, and on 200 of them, every process counts.
    `journalctl -u ${shq(unit)} -n ${ERROR_ID_SEARCH_LINES} --no-pager 2>&1 | LC_ALL=C awk -v m="$M" ${journalAwk(plan.journalLines)} > "$KT_T/o.j" &`,
  ];
  if (etcd) lines.push(...etcdLines());
  lines.push(
    // cert PATH: the file's bytes; cert-missing / cert-dir when it is not a regular file.
    `kt_cert() { if [ -d "$DD/$1" ]; then kt_sec "cert-dir $1"; elif [ -f "$DD/$1" ]; then kt_sec "cert $1"; head -c ${FILE_BYTES} "$DD/$1" 2>&1; else kt_sec "cert-missing $1"; fi; }`,
  );
  for (const file of certFilesFor(plan.distro, plan.roles)) lines.push(`kt_cert ${shq(file.path)}`);
  if (server) {
    lines.push(
      'kt_sec enc-state',
      `head -c ${FILE_BYTES} "$DD/"${shq(ENCRYPTION_STATE)} 2>&1`,
      'kt_sec enc-config-sha256',
      // Hashed on the node: the config holds the encryption keys and never leaves it.
      `sha256sum "$DD/"${shq(ENCRYPTION_CONFIG)} 2>&1`,
    );
  }
  // One cat for every background result (o.*), and the trap removes the directory: every process counts on a
  // node that is struggling.
  lines.push('wait', 'cat "$KT_T"/o.* 2>/dev/null', 'kt_sec end', 'exit 0');
  return `${lines.join('\n')}\n`;
}
