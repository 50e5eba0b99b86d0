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
    ...kinds.map(
      (kind, i) =>
        `{ kt_sec ${kind}; ${ETCD_PROBE_CALLS[kind]}; printf '\\n%s rc %s\\n' "$M" "$?"; } > "$KT_T/o.${i + 1}" &`,
    ),
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

/** The unit properties status reads (ExecStart is read too, but stays on the node). */
const UNIT_PROPERTIES = 'ActiveState,SubState,NRestarts,ActiveEnterTimestamp,LoadState';

/**
 * Shell lines that set KT_U to the node's unit, KT_S (and KT_SRC) to its `systemctl show` of UNIT_PROPERTIES, and
 * KT_E to its ExecStart line, which stays on the node (it may carry a token). One systemctl call in the common case.
 * RKE2's units have fixed names; K3s's install.sh names the unit `k3s-${INSTALL_K3S_NAME}` when a name is given,
 * so for K3s the unit is the one whose ExecStart runs `k3s server` (servers) or `k3s agent` (agents), the default
 * name first; only when the default does not run the role are the installed units listed.
 */
export function unitLines(distro: Distro, roles: readonly Role[]): string[] {
  const unit = serviceUnit(distro, roles);
  const show = `systemctl show -p ${UNIT_PROPERTIES}`;
  const lines = [
    `KT_U=${shq(unit)}`,
    `kt_all=$(${show},ExecStart "$KT_U" 2>&1); KT_SRC=$?`,
    `KT_E=$(printf '%s\\n' "$kt_all" | sed -n '/^ExecStart=/p')`,
    `KT_S=$(printf '%s\\n' "$kt_all" | sed '/^ExecStart=/d')`,
  ];
  if (distro !== 'k3s') return lines;
  const runs = `grep -Eq ${shq(`argv\\[\\]=([^ ;]*/)?k3s ${isServer(roles) ? 'server' : 'agent'}( |;|$)`)}`;
  return [
    ...lines,
    `if ! printf '%s\\n' "$KT_E" | ${runs}; then`,
    `  for kt_c in $(systemctl list-unit-files --type=service --no-legend --no-pager 'k3s*' 2>/dev/null | awk '$1 ~ /^k3s[-A-Za-z0-9_.@]*[.]service$/ { print $1 }' | head -n 16); do`,
    '    [ "$kt_c" = "$KT_U.service" ] && continue',
    '    kt_e=$(systemctl show -p ExecStart "$kt_c" 2>/dev/null)',
    `    if printf '%s\\n' "$kt_e" | ${runs}; then KT_U=\${kt_c%.service}; KT_E=$kt_e; KT_S=$(${show} "$KT_U" 2>&1); KT_SRC=$?; break; fi`,
    '  done',
    'fi',
  ];
}

/**
 * Shell lines that set DD from `--data-dir`/`-d` on the unit's command line (KT_E), when there is one: a flag wins
 * over config.yaml, as upstream's config-file handling puts the file's values before the command line's.
 */
export function execStartDataDirLines(): string[] {
  const sed = String.raw`sed -n -e 's/^.*argv\[\]=[^;]* --data-dir[= ]\([^ ;]*\).*$/\1/p' -e t -e 's/^.*argv\[\]=[^;]* -d[= ]\([^ ;]*\).*$/\1/p'`;
  return [`kt_v=$(printf '%s\\n' "$KT_E" | ${sed} | head -n 1)`, '[ -n "$kt_v" ] && DD=$kt_v'];
}

/** How far back the journal is read when the unit's current start is unknown (never active, or no GNU date). */
export const JOURNAL_WINDOW = '-1h';

/**
 * Shell lines that set KT_SINCE to the unit's current start (from KT_S): only lines since then make a diagnosis,
 * so a restart loop that was fixed stops being diagnosed.
 */
function sinceLines(): string[] {
  return [
    `kt_aet=$(printf '%s\\n' "$KT_S" | sed -n 's/^ActiveEnterTimestamp=//p')`,
    `KT_SINCE=${shq(JOURNAL_WINDOW)}`,
    'if [ -n "$kt_aet" ] && [ "$kt_aet" != n/a ]; then kt_at=$(date -d "$kt_aet" +%s 2>/dev/null) && KT_SINCE="@$kt_at"; fi',
  ];
}

/**
 * `kt_cert PATH [KEY]`: the certificate's bytes (cert-missing / cert-dir when it is not a regular file) and, with
 * KEY, whether the private key beside it exists (test -f only: key contents are never read). A missing key lists
 * the backups that hold one, upstream's (`tls-<unix-ts>`) and keyturn's (`tls.keyturn-<run>`, `certs.keyturn-<run>`),
 * newest first, each marked "same" when its certificate is byte-identical to the current one (then its key pairs).
 */
function certLines(): string[] {
  return [
    `kt_cert() { if [ -d "$DD/$1" ]; then kt_sec "cert-dir $1"; elif [ -f "$DD/$1" ]; then kt_sec "cert $1"; head -c ${FILE_BYTES} "$DD/$1" 2>&1; else kt_sec "cert-missing $1"; fi; [ -n "$2" ] && [ -f "$DD/$1" ] && [ ! -f "$DD/\${1%.crt}.key" ] && kt_keymiss "$1"; }`,
    'kt_keymiss() {',
    '  kt_sec "key-missing ${1%.crt}.key"',
    '  kt_f=$1',
    '  case $1 in',
    '    server/tls/*) kt_r=${1#server/tls/}; set -- "$DD"/server/tls-[0-9]* "$DD"/server/tls.keyturn-* ;;',
    // Upstream copies agent leaves flat into the tls-<ts> backup: agent/tls-<ts> on agents, server/tls-<ts> on servers.
    '    agent/*) kt_r=${1#agent/}; set -- "$DD"/agent/tls-[0-9]* "$DD"/server/tls-[0-9]* "$DD"/agent/certs.keyturn-* ;;',
    '    *) return ;;',
    '  esac',
    '  for kt_d; do',
    '    [ -f "$kt_d/${kt_r%.crt}.key" ] || continue',
    `    if cmp -s "$kt_d/$kt_r" "$DD/$kt_f"; then kt_m=same; else kt_m=differs; fi`,
    `    printf '%s %s\\n' "$kt_m" "\${kt_d#"$DD"/}"`,
    '  done',
    '}',
  ];
}

export function buildScanScript(plan: ScanPlan): string {
  const marker = plan.marker ?? newMarker();
  const server = isServer(plan.roles);
  const etcd = server && plan.roles.includes('etcd');
  const lines: string[] = [
    `M=${shq(marker)}`,
    `kt_sec() { printf '\\n%s %s\\n' "$M" "$1"; }`,
    ...unitLines(plan.distro, plan.roles),
    ...dataDirLines(plan.distro, plan.dataDir, plan.configFile),
    ...(plan.dataDir ? [] : execStartDataDirLines()),
    ...sinceLines(),
    // Slow commands (journalctl, curl) run in the background into files while the certificates are read, so a
    // scan costs about one command's time, not the sum; the files are printed at the end.
    'KT_T=$(mktemp -d 2>/dev/null) || { KT_T="/tmp/keyturn-scan.$$"; mkdir -p "$KT_T"; }',
    'trap \'rm -rf "$KT_T"\' EXIT',
    'kt_sec begin',
    'kt_sec data-dir',
    `printf '%s\\n' "$DD"`,
    'kt_sec unit',
    `printf '%s\\n' "$KT_U"`,
    'kt_sec systemctl',
    `printf '%s\\n' "$KT_S"`,
    `printf '\\n%s rc %s\\n' "$M" "$KT_SRC"`,
    // One journalctl call and one awk: the last lines for diagnoses, and older "error ID N" lines that explain CLI
    // errors, each cut to JOURNAL_LINE_BYTES (bytes: LC_ALL=C), all since the unit's current start. One process
    // instead of a tail | cut and a grep | tail | cut: on a node that is struggling, and on 200 of them, every
    // process counts.
    // A journalctl too old to parse the --since value fails before printing anything: then it is read unbounded.
    `{ journalctl -u "$KT_U" -n ${ERROR_ID_SEARCH_LINES} --since "$KT_SINCE" --no-pager 2>/dev/null || journalctl -u "$KT_U" -n ${ERROR_ID_SEARCH_LINES} --no-pager 2>&1; } | LC_ALL=C awk -v m="$M" ${journalAwk(plan.journalLines)} > "$KT_T/o.j" &`,
  ];
  if (etcd) lines.push(...etcdLines());
  lines.push(...certLines());
  for (const file of certFilesFor(plan.distro, plan.roles))
    lines.push(file.hasKey ? `kt_cert ${shq(file.path)} key` : `kt_cert ${shq(file.path)}`);
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
