// Options every command that reads a cluster accepts, as kubectl reads them.
export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  inventory?: string;
  /** Directory for keyturn's run journals and locks (default: KEYTURN_STATE_DIR or ~/.local/state/keyturn). */
  stateDir?: string;
}

/** Ctrl-C (SIGINT): 128 + 2, what a shell reports for a program SIGINT ended, after keyturn's own clean shutdown. */
export const INTERRUPTED_EXIT_CODE = 130;
