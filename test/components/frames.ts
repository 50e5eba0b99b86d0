// Helpers for asserting on Ink frames: wait for a frame instead of sleeping, strip or inspect colours.
export async function waitForFrame(
  lastFrame: () => string | undefined,
  predicate: (frame: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? '';
    if (predicate(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; last frame:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const SGR = /\u001b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(SGR, '');
}

export const FG = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m' } as const;

/** The line of a frame (colours kept) whose plain text contains `needle`. */
export function lineWith(frame: string, needle: string): string {
  const line = frame.split('\n').find((l) => stripAnsi(l).includes(needle));
  if (line === undefined) throw new Error(`no line contains ${JSON.stringify(needle)} in:\n${stripAnsi(frame)}`);
  return line;
}

/** True when `text` appears in `line` directly inside the given foreground colour. */
export function isColoured(line: string, text: string, colour: keyof typeof FG): boolean {
  return line.includes(`${FG[colour]}${text}`);
}

/**
 * Lets React run the effects of the frame just drawn. Ink re-subscribes input handlers in effects, after the frame
 * is written, so a key sent the moment a frame appears can reach the previous handler (or none).
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Driven {
  lastFrame: () => string | undefined;
  stdin: { write: (data: string) => void };
}

/** Sends one key and waits for the frame that answers it (and its effects). */
export async function press(app: Driven, key: string, until: (frame: string) => boolean): Promise<string> {
  await settle();
  app.stdin.write(key);
  const frame = await waitForFrame(app.lastFrame, until);
  await settle();
  return frame;
}
