// The on-node sh that finds (and, for update-token, rewrites) a node's secure join tokens `K10<CA hash>::…`
// where upstream reads them: `token:`/`agent-token:` in /etc/rancher/<prog>/config.yaml and config.yaml.d/*.yaml
// (<PROG>_CONFIG_FILE moves it, as the CLI's --config flag reads that variable), the files `token-file:` /
// `agent-token-file:` / <PROG>_TOKEN_FILE name, and <PROG>_TOKEN / <PROG>_AGENT_TOKEN in the unit's
// environment files (k3s install.sh: /etc/systemd/system/<unit>.service.env; RKE2 units: /etc/default/<unit>,
// /etc/sysconfig/<unit>, <unit>.env beside the unit; whatever `systemctl show -p EnvironmentFiles` adds).
// A token passed in the unit's ExecStart is reported, never edited.
//
// The secret never leaves the node: the script prints file names, key names and the 64-hex CA hash only (sed
// captures those groups and nothing after `::`), and the rewrite replaces the literal `K10<old>::` with
// `K10<new>::` in place (sed into a 0600 temp file, then `cat >` so the file keeps its inode, owner and mode),
// after a `cp -p` backup beside the file. Only hashes are in argv.
import type { Distro } from '../../model/cluster.js';
import { shq } from '../../util/shell-quote.js';
import type { PlannedNode } from '../plan-types.js';

/** Replaced at run time by the hashes the run's generate-ca step recorded (the plan cannot know them). */
export const OLD_HASH_MARK = '@OLD_TOKEN_CA_HASH@';
export const NEW_HASH_MARK = '@NEW_TOKEN_CA_HASH@';

/** `key hash` of a line holding a K10 token (YAML `key: value` or env `[export ]KEY=value`, quoted or not). */
const KEYED = String.raw`s/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}\([A-Za-z_][A-Za-z0-9_-]*\)[[:space:]]*[:=][[:space:]]*["']\{0,1\}K10\([0-9a-f]\{64\}\)::.*$/\2 \3/p`;
/** A token file holds the bare token. */
const BARE = String.raw`s/^[[:space:]]*K10\([0-9a-f]\{64\}\)::.*$/(file) \1/p`;

function envFiles(distro: Distro, unit: string): string[] {
  return [
    `/etc/systemd/system/${unit}.service.env`,
    `/etc/default/${unit}`,
    `/etc/sysconfig/${unit}`,
    `/usr/local/lib/systemd/system/${unit}.env`,
    `/usr/lib/systemd/system/${unit}.env`,
    `/etc/rancher/${distro}/${unit}.env`,
  ];
}

function discovery(node: PlannedNode): string {
  const up = node.distro.toUpperCase();
  const tokenFileExprs = [
    String.raw`s/^[[:space:]]*\(agent-\)\{0,1\}token-file[[:space:]]*:[[:space:]]*//p`,
    String.raw`s/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}` +
      `${up}_` +
      String.raw`\(AGENT_\)\{0,1\}TOKEN_FILE=//p`,
  ];
  const unquote = [
    String.raw`s/[[:space:]]#.*$//`,
    String.raw`s/^["']//`,
    String.raw`s/["'][[:space:]]*$//`,
    String.raw`s/[[:space:]]*$//`,
  ];
  return `CONF=\${${up}_CONFIG_FILE:-${shq(`/etc/rancher/${node.distro}/config.yaml`)}}
UNIT=${shq(node.unit)}
files() {
  for f in "$CONF" "$CONF.d"/*.yaml "$CONF.d"/*.yml ${envFiles(node.distro, node.unit).map(shq).join(' ')}; do
    [ -f "$f" ] && printf '%s\\n' "$f"
  done
  systemctl show -p EnvironmentFiles "$UNIT" 2>/dev/null | sed -n 's/^EnvironmentFiles=\\([^ ]*\\).*/\\1/p' | while IFS= read -r f; do [ -f "$f" ] && printf '%s\\n' "$f"; done
}
tokenfiles() {
  files | while IFS= read -r f; do sed -n ${tokenFileExprs.map((e) => `-e ${shq(e)}`).join(' ')} "$f" 2>/dev/null; done |
    sed ${unquote.map((e) => `-e ${shq(e)}`).join(' ')} | while IFS= read -r t; do [ -n "$t" ] && [ -f "$t" ] && printf '%s\\n' "$t"; done
}
candidates() { { files; tokenfiles; } | awk '!seen[$0]++'; }
report() {
  IFS='
'
  for f in $(candidates); do
    if [ ! -r "$f" ]; then printf 'unreadable|%s\\n' "$f"; continue; fi
    sed -n -e ${shq(KEYED)} -e ${shq(BARE)} "$f" | while IFS=' ' read -r key hash; do printf 'token|%s|%s|%s\\n' "$f" "$key" "$hash"; done
  done
  unset IFS
  systemctl cat "$UNIT" 2>/dev/null | grep -o 'K10[0-9a-f]\\{64\\}::' | sort -u | while read -r t; do
    h=\${t#K10}; printf 'unit|%s|ExecStart|%s\\n' "$UNIT" "\${h%::}"
  done
}`;
}

/** Lists the node's secure tokens: `token|file|key|hash`, `unit|unit|ExecStart|hash`, `unreadable|file`. */
export function renderTokenScan(node: PlannedNode): string {
  return `set -u\n${discovery(node)}\nreport`;
}

/**
 * Moves every `K10<old>::` to `K10<new>::` (backup `<file>.keyturn-<unix time>` first), prints `updated|file|
 * backup`, then the scan of what the node holds now. Exit 3: the unit's ExecStart still carries the old hash.
 */
export function renderTokenUpdate(node: PlannedNode): string {
  return `set -u
umask 077
OLD=${shq(OLD_HASH_MARK)}
NEW=${shq(NEW_HASH_MARK)}
${discovery(node)}
TS=$(date +%s)
IFS='
'
for f in $(candidates); do
  grep -q "K10$OLD::" "$f" 2>/dev/null || continue
  b="$f.keyturn-$TS"
  cp -p "$f" "$b" || { echo "cannot back up $f" >&2; exit 4; }
  sed "s/K10$OLD::/K10$NEW::/g" "$f" > "$f.keyturn-tmp" && cat "$f.keyturn-tmp" > "$f" && rm -f "$f.keyturn-tmp" || { rm -f "$f.keyturn-tmp"; echo "cannot rewrite $f (backup: $b)" >&2; exit 4; }
  printf 'updated|%s|%s\\n' "$f" "$b"
done
unset IFS
report
if systemctl cat "$UNIT" 2>/dev/null | grep -q "K10$OLD::"; then
  echo "the ExecStart of $UNIT passes a token with the old CA hash: keyturn does not edit unit files" >&2
  exit 3
fi`;
}

export interface TokenFinding {
  kind: 'token' | 'unit';
  /** File (or unit name for kind 'unit'). */
  where: string;
  /** The YAML or env key, `(file)` for a token file, `ExecStart` for the unit. */
  key: string;
  hash: string;
}

export interface TokenReport {
  tokens: TokenFinding[];
  unreadable: string[];
  updated: { file: string; backup: string }[];
}

export function parseTokenReport(stdout: string): TokenReport {
  const out: TokenReport = { tokens: [], unreadable: [], updated: [] };
  for (const line of stdout.split('\n')) {
    const f = line.trim().split('|');
    if ((f[0] === 'token' || f[0] === 'unit') && f.length === 4 && /^[0-9a-f]{64}$/.test(f[3]))
      out.tokens.push({ kind: f[0], where: f[1], key: f[2], hash: f[3] });
    else if (f[0] === 'unreadable' && f.length === 2) out.unreadable.push(f[1]);
    else if (f[0] === 'updated' && f.length === 3) out.updated.push({ file: f[1], backup: f[2] });
  }
  return out;
}
