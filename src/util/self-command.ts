// How to start this same keyturn again, however it was started: `node bin/keyturn.js` (or tsx from source) needs
// node's flags and the script before the arguments; the single binary (npm run build:binary, a Node single
// executable application) is started alone: it ignores a script argument and would take it for a command.
import { isSea } from 'node:sea';

/** True inside the single keyturn binary. */
export function runningAsBinary(): boolean {
  return isSea();
}

/** process.execPath runs keyturn with these words before the command's own arguments. */
export function selfArgs(): string[] {
  return runningAsBinary() ? [] : [...process.execArgv, process.argv[1]];
}
