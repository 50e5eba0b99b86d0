// The spinner's frames, apart from the component so the wizard's first frame can be painted without Ink.
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function spinnerFrame(tick: number): string {
  return FRAMES[tick % FRAMES.length];
}
