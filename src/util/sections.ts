// Splits marked-up script output into sections (the node scan, the etcd gate's probe). A section starts at a line
// "<marker> <kind> [arg]"; a line "<marker> rc N" inside a section records the exit code of the command that
// produced it (curl).

export interface ScanSection {
  kind: string;
  arg: string;
  body: string;
  rc: number | null;
}

export function splitSections(output: string, marker: string): ScanSection[] {
  const sections: ScanSection[] = [];
  let current: { kind: string; arg: string; lines: string[]; rc: number | null } | null = null;
  const close = () => {
    if (!current) return;
    // The header is printed after a newline so that a file without a final newline cannot hide it; drop that line.
    const lines = current.lines;
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    sections.push({ kind: current.kind, arg: current.arg, body: lines.join('\n'), rc: current.rc });
    current = null;
  };
  const prefix = `${marker} `;
  for (const line of output.split('\n')) {
    if (!line.startsWith(prefix)) {
      current?.lines.push(line);
      continue;
    }
    const rest = line.slice(prefix.length);
    const rc = /^rc (\d+)$/.exec(rest);
    if (rc && current) {
      current.rc = Number(rc[1]);
      continue;
    }
    close();
    const space = rest.indexOf(' ');
    current =
      space < 0
        ? { kind: rest, arg: '', lines: [], rc: null }
        : { kind: rest.slice(0, space), arg: rest.slice(space + 1), lines: [], rc: null };
  }
  close();
  return sections;
}

/** The body of the first section of a kind (and arg, if given). */
export function sectionBody(sections: readonly ScanSection[], kind: string, arg?: string): ScanSection | undefined {
  return sections.find((s) => s.kind === kind && (arg === undefined || s.arg === arg));
}
