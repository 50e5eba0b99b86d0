// The terminal a screen command draws on: the process's own streams, or a test's.
export interface WizardIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}
