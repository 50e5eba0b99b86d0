// A text cut for a one-line message (diagnoses quote log messages; the whole line stays in the evidence).
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
