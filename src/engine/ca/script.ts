// The POSIX sh script that generates a rotate-ca bundle ON the server (keys never leave it), the way upstream's
// contrib/util/rotate-default-ca-certs.sh does: per cluster CA a new self-signed root, the same root cross-signed
// by the current root, and a new intermediate signed by the new root. `<type>-ca.crt` = intermediate + new root +
// cross-signed root + old root (so it chains to the current CA), `<type>-ca.key` = intermediate key + root key;
// `service.key` = a new RSA key followed by the current one. Needs `openssl` (1.1 or 3) and `sha256sum` on the node.
// Prints only file names and the new server-ca sha256, never key material. A complete bundle is kept (re-running
// is safe); a partial one is redone.
import { shq } from '../../util/shell-quote.js';
import type { PlannedNode } from '../plan-types.js';

export const CA_TYPES = ['client', 'server', 'request-header', 'etcd/peer', 'etcd/server'] as const;
const DAYS = 7300;

export function renderGenerateCa(node: PlannedNode, dir: string): string {
  const tls = `${node.dataDir}/server/tls`;
  const types = CA_TYPES.map(shq).join(' ');
  return `set -e
umask 077
command -v openssl >/dev/null 2>&1 || { echo 'openssl is not on the PATH of this node: install it (the bundle is generated on the node so keys never leave it)' >&2; exit 127; }
DIR=${shq(dir)}
TLS=${shq(tls)}
PROG=${shq(node.distro)}
if [ -f "$DIR/tls/.keyturn-complete" ]; then echo "bundle already generated in $DIR"; printf 'server-ca-sha256=%s\\n' "$(sha256sum "$DIR/tls/server-ca.crt" | cut -d ' ' -f 1)"; exit 0; fi
rm -rf "$DIR.partial"
mkdir -p "$DIR.partial/tls/etcd" "$DIR.partial/work"
W="$DIR.partial/work"
cat > "$W/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyEncipherment, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
STAMP=$(date +%s)
nth() { awk -v n="$2" -v re="$3" 'BEGIN { c = 0 } $0 ~ "-----BEGIN " re { c++ } c == n { print } $0 ~ "-----END " re && c == n { exit }' "$1"; }
count() { grep -c -- "-----BEGIN $2" "$1" || true; }
serial() { printf '0x%s' "$(openssl rand -hex 16)"; }
for TYPE in ${types}; do
  FLAT=$(echo "$TYPE" | tr '/' '-')
  CRT="$TLS/$TYPE-ca.crt"; KEY="$TLS/$TYPE-ca.key"
  [ -f "$CRT" ] && [ -f "$KEY" ] || { echo "missing $CRT or $KEY" >&2; exit 2; }
  # After an earlier rotation the current root is the second certificate (and key) of the files.
  N=1; [ "$(count "$CRT" CERTIFICATE)" -gt 1 ] && N=2
  nth "$CRT" "$N" 'CERTIFICATE' > "$W/$FLAT-root-old.pem"
  K=1; [ "$(count "$KEY" '[A-Z ]*PRIVATE KEY')" -gt 1 ] && K=2
  nth "$KEY" "$K" '[A-Z ]*PRIVATE KEY' > "$W/$FLAT-root-old.key"
  openssl ecparam -name prime256v1 -genkey -noout -out "$W/$FLAT-root.key" 2>/dev/null
  openssl ecparam -name prime256v1 -genkey -noout -out "$W/$FLAT-ca.key" 2>/dev/null
  openssl req -new -x509 -config "$W/ca.cnf" -extensions v3_ca -key "$W/$FLAT-root.key" -subj "/CN=$PROG-$FLAT-root@$STAMP" -days ${DAYS} -sha256 -set_serial "$(serial)" -out "$W/$FLAT-root-ssigned.pem"
  openssl req -new -config "$W/ca.cnf" -key "$W/$FLAT-root.key" -subj "/CN=$PROG-$FLAT-root@$STAMP" -out "$W/$FLAT-root.csr"
  openssl x509 -req -in "$W/$FLAT-root.csr" -CA "$W/$FLAT-root-old.pem" -CAkey "$W/$FLAT-root-old.key" -set_serial "$(serial)" -days ${DAYS} -sha256 -extfile "$W/ca.cnf" -extensions v3_ca -out "$W/$FLAT-root-xsigned.pem" 2>/dev/null
  openssl req -new -config "$W/ca.cnf" -key "$W/$FLAT-ca.key" -subj "/CN=$PROG-$FLAT-ca@$STAMP" -out "$W/$FLAT-ca.csr"
  openssl x509 -req -in "$W/$FLAT-ca.csr" -CA "$W/$FLAT-root-ssigned.pem" -CAkey "$W/$FLAT-root.key" -set_serial "$(serial)" -days ${DAYS} -sha256 -extfile "$W/ca.cnf" -extensions v3_ca -out "$W/$FLAT-ca.pem" 2>/dev/null
  cat "$W/$FLAT-ca.pem" "$W/$FLAT-root-ssigned.pem" "$W/$FLAT-root-xsigned.pem" "$W/$FLAT-root-old.pem" > "$DIR.partial/tls/$TYPE-ca.crt"
  cat "$W/$FLAT-ca.key" "$W/$FLAT-root.key" > "$DIR.partial/tls/$TYPE-ca.key"
  openssl verify -CAfile "$W/$FLAT-root-old.pem" -untrusted "$W/$FLAT-root-xsigned.pem" "$W/$FLAT-ca.pem" >/dev/null
  echo "$TYPE-ca: new root and intermediate, cross-signed by the current root"
done
openssl genrsa -out "$W/service-new.key" 2048 2>/dev/null
cat "$W/service-new.key" "$TLS/service.key" > "$DIR.partial/tls/service.key"
rm -rf "$W" "$DIR"
touch "$DIR.partial/tls/.keyturn-complete"
mv "$DIR.partial" "$DIR"
printf 'server-ca-sha256=%s\\n' "$(sha256sum "$DIR/tls/server-ca.crt" | cut -d ' ' -f 1)"`;
}
