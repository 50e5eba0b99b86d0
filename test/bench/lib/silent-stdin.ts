import { PassThrough } from 'node:stream';

/** A terminal's input that never types: enough for Ink's raw mode (the run screen reads keys). */
export class SilentStdin extends PassThrough {
  isTTY = true;
  setRawMode(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
