// Every certificate of one node as a scrollable table. Paths are shown relative to the node's data dir (printed
// once above) because absolute paths would leave no room for the columns that matter.
import React from 'react';
import { Box, Text } from 'ink';
import type { CertificateInfo } from '../src/model/status.js';
import { TableCell } from './TableCell.js';
import { TONE_COLOR, certTone, formatDays } from './node-facts.js';

export interface CertificateListProps {
  certificates: readonly CertificateInfo[];
  /** First row shown (the screen scrolls with ↑/↓). */
  offset: number;
  rows: number;
  width: number;
}

const W = { subject: 22, notAfter: 10, days: 6, status: 13, kind: 4, sha: 8 };
const FIXED = W.subject + W.notAfter + W.days + W.status + W.kind + W.sha + 6;
// Wide terminals: the path column stops growing here and the subject gets the rest.
const MAX_PATH = 48;
const MAX_SUBJECT = 40;

/** The directory before `server/` or `agent/` when every path shares it, e.g. /var/lib/rancher/rke2. */
export function commonDataDir(paths: readonly string[]): string | null {
  const dirs = paths.map((p) => {
    const m = /^(.*?)\/(server|agent)\//.exec(p);
    return m ? m[1] : null;
  });
  const first = dirs[0];
  return first && dirs.every((d) => d === first) ? first : null;
}

function commonName(subject: string): string {
  const m = /CN=([^,/]+)/.exec(subject);
  return m ? m[1] : subject;
}

export function CertificateList({ certificates, offset, rows, width }: CertificateListProps): React.JSX.Element {
  const dataDir = commonDataDir(certificates.map((c) => c.path));
  const spare = Math.max(0, width - FIXED - 2);
  const pathWidth = Math.max(20, Math.min(MAX_PATH, spare));
  const subjectWidth = W.subject + Math.max(0, Math.min(MAX_SUBJECT - W.subject, spare - pathWidth));
  const start = Math.max(0, Math.min(offset, certificates.length - rows));
  const shown = certificates.slice(start, start + rows);
  const h = (w: number, text: string, last = false) => <TableCell width={w} text={text} bold last={last} />;
  return (
    <Box flexDirection="column">
      <Text bold>
        Certificates ({certificates.length}){dataDir ? <Text dimColor> under {dataDir}/</Text> : null}
      </Text>
      <Box>
        {h(pathWidth, 'PATH')}
        {h(subjectWidth, 'SUBJECT')}
        {h(W.notAfter, 'NOT AFTER')}
        {h(W.days, 'LEFT')}
        {h(W.status, 'STATUS')}
        {h(W.kind, 'KIND')}
        {h(W.sha, 'SHA256', true)}
      </Box>
      {certificates.length === 0 ? <Text dimColor>no certificates could be read on this node</Text> : null}
      {shown.map((c) => {
        const color = TONE_COLOR[certTone(c.status)];
        return (
          <Box key={c.path}>
            <TableCell width={pathWidth} text={dataDir ? c.path.slice(dataDir.length + 1) : c.path} />
            <TableCell width={subjectWidth} text={commonName(c.subject)} />
            <TableCell width={W.notAfter} text={c.notAfter.slice(0, 10)} />
            <TableCell width={W.days} text={formatDays(c.daysLeft)} color={color} />
            <TableCell width={W.status} text={c.status} color={color} />
            <TableCell width={W.kind} text={c.isCA ? 'CA' : 'leaf'} dim={!c.isCA} />
            <TableCell width={W.sha} text={c.sha256.replace(/:/g, '').slice(0, 8).toLowerCase()} dim last />
          </Box>
        );
      })}
      {certificates.length > rows ? (
        <Text dimColor>
          rows {start + 1}–{start + shown.length} of {certificates.length} (↑/↓ to scroll)
        </Text>
      ) : null}
    </Box>
  );
}
