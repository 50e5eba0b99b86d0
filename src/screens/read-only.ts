// The read-only wizard's header (`keyturn --read-only`), one text for Ink's frames (App.tsx) and the plain first
// frame painted before Ink loads (first-paint.ts): the two must draw the same line. Which keys are off is the
// keymap's `dangerous` flag (keymap.ts readOnlyKeymap), not this file.
export const READ_ONLY_LABEL = 'READ-ONLY';
export const READ_ONLY_NOTE = 'keys that change the cluster or its runs are off';
/** Rows the header takes above every App screen. */
export const READ_ONLY_ROWS = 1;
