// `-o json|yaml` (`--output`) for the commands that print a document: status, plan and report. One home for the
// choice (`--json` stays an alias of `-o json`) and for how a document is written. docs/json.md lists every field.
import { stringify } from 'yaml';
import { inputError, UsageError } from '../errors.js';

export const OUTPUT_FORMATS = ['json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputOptions {
  /** `-o` / `--output`: commander has already checked it against OUTPUT_FORMATS. */
  output?: string;
  /** The older `--json` (status): the same as `-o json`. */
  json?: boolean;
}

/** The document format asked for, or null for the command's own text; `--json -o yaml` asks for two at once. */
export function outputFormat(opts: OutputOptions): OutputFormat | null {
  const asked = opts.output;
  if (asked !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(asked)) {
    throw inputError(`-o ${asked}`, 'unknown output format', `use one of: ${OUTPUT_FORMATS.join(', ')}`);
  }
  const format = asked as OutputFormat | undefined;
  if (opts.json && format !== undefined && format !== 'json')
    throw new UsageError(`--json and -o ${format} ask for two formats — pass one of them`);
  return format ?? (opts.json ? 'json' : null);
}

/** The document as the operator asked for it, newline-terminated. */
export function formatDocument(doc: unknown, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(doc, null, 2)}\n`;
    case 'yaml':
      // No anchors and aliases: a reader of the document should not need a YAML library that resolves them.
      return stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
  }
}

/**
 * Several documents, one per cluster (`status --all-contexts`): JSON Lines for json (one compact document a line, so
 * `jq` and line tools take them one by one), a YAML stream of documents separated by `---` for yaml.
 */
export function formatDocuments(docs: readonly unknown[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return docs.map((doc) => `${JSON.stringify(doc)}\n`).join('');
    case 'yaml':
      return docs.map((doc) => `---\n${formatDocument(doc, 'yaml')}`).join('');
  }
}
