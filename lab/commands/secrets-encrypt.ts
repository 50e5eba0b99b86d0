// `<prog> secrets-encrypt prepare|rotate|reencrypt|rotate-keys|enable|disable|status`: the CLI side. It talks to
// the local supervisor, so it needs a running control-plane server (otherwise: connection refused, as upstream),
// prints upstream's success lines, and fails with upstream's "see server log for details" errors.
import { isControlPlane, type LabNode } from '../lab-node.js';
import { CLIENT_TIMEOUT_MS, handleStageRequest, type StageRequest, type StageResult } from '../encryption/stages.js';
import type { ReencryptResult } from '../encryption/reencrypt.js';
import { rotateKeysSupport, rotateKeysWaitsForReencrypt } from '../upstream-versions.js';
import { takeFlag, type CommandContext } from './io.js';
import { connectionRefused } from './logrus.js';
import { printEncryptionStatus } from './secrets-encrypt-status.js';
import { failWithClientError, failWithServerError } from './server-error.js';

export { compareHashes } from './secrets-encrypt-status.js';

const SUBCOMMANDS = ['status', 'enable', 'disable', 'prepare', 'rotate', 'reencrypt', 'rotate-keys'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** What the CLI prints on success, one line on stdout. */
const SUCCESS: Record<Exclude<Subcommand, 'status'>, string> = {
  enable: 'secrets-encryption enabled',
  disable: 'secrets-encryption disabled',
  prepare: 'prepare completed successfully',
  rotate: 'rotate completed successfully',
  reencrypt: 'reencryption started',
  'rotate-keys': 'keys rotated, reencryption started',
};

/** What the CLI prints on success; rotate-keys says "finished" once it waits for the re-encryption (k3s#10612). */
function successLine(subcommand: Exclude<Subcommand, 'status'>, version: string): string {
  return subcommand === 'rotate-keys' && rotateKeysWaitsForReencrypt(version)
    ? 'keys rotated, reencryption finished'
    : SUCCESS[subcommand];
}

/** Upstream's handler waits a second after a change "so things have time to sync to disk". */
const HANDLER_SETTLE_MS = 1_000;

export async function runSecretsEncrypt(context: CommandContext): Promise<number> {
  const { lab, node, io, argv } = context;
  const [sub, ...rest] = argv;
  const subcommand = SUBCOMMANDS.find((s) => s === sub);
  // Releases before v1.28 have no rotate-keys: urfave/cli answers like for any unknown command.
  if (
    !subcommand ||
    (subcommand === 'rotate-keys' && rotateKeysSupport(node.prog, lab.options.version) === 'unknown-command')
  ) {
    io.stderr(`No help topic for '${sub ?? ''}'\n`);
    return 3;
  }
  const path = `/v1-${node.prog}/encrypt/${subcommand === 'status' ? 'status' : 'config'}`;
  if (!answersEncryptionRequests(node)) {
    io.stderr(connectionRefused(node.prog, path, lab.clock.now(), subcommand === 'status' ? 'Get' : 'Put'));
    return 1;
  }
  if (subcommand === 'status') return printEncryptionStatus(context, rest);

  const force = takeFlag(rest, ['-f', '--force']).present;
  const skip = takeFlag(rest, ['-s', '--skip']).present;
  const result = await handleStageRequest(lab, node, requestFor(subcommand, force, skip));
  return finish(context, subcommand, path, result);
}

/** The supervisor with a local apiserver: control-plane servers whose service is up. */
function answersEncryptionRequests(node: LabNode): boolean {
  return isControlPlane(node) && node.service.state === 'active';
}

function requestFor(subcommand: Exclude<Subcommand, 'status'>, force: boolean, skip: boolean): StageRequest {
  switch (subcommand) {
    case 'prepare':
    case 'rotate':
      return { kind: subcommand, force };
    case 'reencrypt':
      return { kind: 'reencrypt', force, skip };
    case 'rotate-keys':
    case 'enable':
    case 'disable':
      return { kind: subcommand };
  }
}

async function finish(
  context: CommandContext,
  subcommand: Exclude<Subcommand, 'status'>,
  path: string,
  result: StageResult,
): Promise<number> {
  const { lab, node, io } = context;
  switch (result.kind) {
    case 'refused':
      return failWithServerError(
        lab,
        node,
        io,
        { path, status: '400 Bad Request', component: 'secret-encrypt' },
        result.error,
      );
    case 'done':
      await lab.clock.sleep(HANDLER_SETTLE_MS);
      io.stdout(`${successLine(subcommand, lab.options.version)}\n`);
      return 0;
    case 'working': {
      const outcome = await withinClientTimeout(context, result.finished, result.clientTimeoutMs);
      if (outcome === 'timeout') {
        // The server keeps reencrypting: only the client gave up (k3s#11384).
        return failWithClientError(
          lab,
          node,
          io,
          path,
          'context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        );
      }
      if (outcome.kind === 'interrupted') return failWithClientError(lab, node, io, path, 'EOF');
      io.stdout(`${successLine(subcommand, lab.options.version)}\n`);
      return 0;
    }
  }
}

async function withinClientTimeout(
  { lab }: CommandContext,
  finished: Promise<ReencryptResult>,
  timeoutMs: number,
): Promise<ReencryptResult | 'timeout'> {
  const giveUp = new AbortController();
  const timeout = lab.clock.sleep(timeoutMs, giveUp.signal).then(() => 'timeout' as const);
  try {
    return await Promise.race([finished, timeout]);
  } finally {
    giveUp.abort();
  }
}

export { CLIENT_TIMEOUT_MS };
