// The few X.509 fields Go's chain building looks at and Node's X509Certificate does not expose: the raw issuer and
// subject names (Go groups candidate parents by raw name), the key identifiers, basicConstraints, keyUsage and
// extKeyUsage, and the validity. A minimal DER reader over public certificates only (RFC 5280 §4.1).

export interface DerNode {
  tag: number;
  /** The whole element (header and content). */
  raw: Buffer;
  content: Buffer;
}

export interface CertFields {
  rawIssuer: Buffer;
  rawSubject: Buffer;
  notBefore: Date;
  notAfter: Date;
  subjectKeyId: Buffer;
  authorityKeyId: Buffer;
  basicConstraintsValid: boolean;
  isCA: boolean;
  /** -1 when unset (Go's MaxPathLen for "no limit"). */
  maxPathLen: number;
  /** null when the certificate has no keyUsage extension. */
  keyCertSign: boolean | null;
  /** Dotted OIDs of extKeyUsage; empty when the extension is absent. */
  extKeyUsage: string[];
  version: number;
}

export function readDer(buf: Buffer, offset = 0): DerNode {
  const tag = buf[offset];
  let len = buf[offset + 1];
  let head = 2;
  if (tag === undefined || len === undefined) throw new Error('DER: truncated element');
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i];
    head += n;
  }
  const end = offset + head + len;
  if (end > buf.length) throw new Error('DER: element runs past its container');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + head, end) };
}

export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let at = 0; at < node.content.length;) {
    const child = readDer(node.content, at);
    out.push(child);
    at += child.raw.length;
  }
  return out;
}

function oidText(content: Buffer): string {
  const parts = [Math.floor(content[0] / 40), content[0] % 40];
  let v = 0;
  for (const b of content.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function timeOf(node: DerNode): Date {
  const s = node.content.toString('latin1');
  // UTCTime YYMMDDHHMMSSZ (years 50-99 are 19xx), GeneralizedTime YYYYMMDDHHMMSSZ.
  const full = node.tag === 0x17 ? `${Number(s.slice(0, 2)) >= 50 ? '19' : '20'}${s}` : s;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(full);
  if (!m) throw new Error(`DER: unsupported time ${s}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function intOf(content: Buffer): number {
  let v = 0;
  for (const b of content) v = v * 256 + b;
  return v;
}

/** The fields of a DER certificate; throws on anything that is not one. */
export function certFields(der: Buffer): CertFields {
  const cert = readDer(der);
  const tbs = children(
    children(cert)[0] ??
      (() => {
        throw new Error('DER: empty certificate');
      })(),
  );
  let i = 0;
  let version = 1;
  if (tbs[0]?.tag === 0xa0) {
    version = intOf(children(tbs[0])[0].content) + 1;
    i = 1;
  }
  const [, , issuer, validity, subject] = tbs.slice(i);
  const [notBefore, notAfter] = children(validity);
  const fields: CertFields = {
    rawIssuer: issuer.raw,
    rawSubject: subject.raw,
    notBefore: timeOf(notBefore),
    notAfter: timeOf(notAfter),
    subjectKeyId: Buffer.alloc(0),
    authorityKeyId: Buffer.alloc(0),
    basicConstraintsValid: false,
    isCA: false,
    maxPathLen: -1,
    keyCertSign: null,
    extKeyUsage: [],
    version,
  };
  const extsWrapper = tbs.find((n) => n.tag === 0xa3);
  for (const ext of extsWrapper ? children(children(extsWrapper)[0]) : []) {
    const parts = children(ext);
    const oid = oidText(parts[0].content);
    const value = readDer(parts[parts.length - 1].content);
    switch (oid) {
      case '2.5.29.14': // subjectKeyIdentifier: OCTET STRING
        fields.subjectKeyId = Buffer.from(value.content);
        break;
      case '2.5.29.35': // authorityKeyIdentifier: SEQUENCE { [0] keyIdentifier OPTIONAL, ... }
        fields.authorityKeyId = Buffer.from(children(value).find((n) => n.tag === 0x80)?.content ?? Buffer.alloc(0));
        break;
      case '2.5.29.19': {
        // basicConstraints: SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLen INTEGER OPTIONAL }
        fields.basicConstraintsValid = true;
        for (const c of children(value)) {
          if (c.tag === 0x01) fields.isCA = c.content[0] !== 0;
          if (c.tag === 0x02) fields.maxPathLen = intOf(c.content);
        }
        break;
      }
      case '2.5.29.15': {
        // keyUsage BIT STRING: keyCertSign is bit 5
        const bits = value.content.subarray(1);
        fields.keyCertSign = ((bits[0] ?? 0) & 0x04) !== 0;
        break;
      }
      case '2.5.29.37': // extKeyUsage: SEQUENCE OF OID
        fields.extKeyUsage = children(value).map((c) => oidText(c.content));
        break;
      default:
        break;
    }
  }
  return fields;
}
