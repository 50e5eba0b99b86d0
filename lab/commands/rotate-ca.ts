// `<prog> certificate rotate-ca --path DIR [--force]`: uploads the CA bundle in DIR (files under DIR/tls/ named
// as upstream's rotate-default-ca-certs.sh writes them) to the supervisor, which validates it and saves it to the
// datastore. Nothing on disk changes here: servers take the new CAs when they next start, agents after them.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isServerNode } from '../lab-node.js';
import { checkRotateCaBundle } from '../pki/index.js';
import { takeFlag, takeOption, type CommandContext } from './io.js';
import { connectionRefused, logLine } from './logrus.js';
import { failWithServerError } from './server-error.js';

export async function rotateCa({ lab, node, io, cwd }: CommandContext, argv: string[]): Promise<number> {
  const now = lab.clock.now();
  const { value: given, rest } = takeOption(argv, ['--path']);
  const force = takeFlag(rest, ['--force']).present;
  if (!given) {
    io.stderr('Incorrect Usage: Required flag "path" not set\n');
    return 1;
  }
  const dir = path.resolve(cwd ?? process.cwd(), given);
  const requestPath = `/v1-${node.prog}/cert/cacerts?force=${force}`;
  if (!isServerNode(node) || node.service.state !== 'active') {
    io.stderr(connectionRefused(node.prog, requestPath, now, 'Put'));
    return 1;
  }
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    io.stderr(logLine('fatal', `stat ${dir}: no such file or directory`, now));
    return 1;
  }
  const check = await checkRotateCaBundle(dir, lab.datastore.cas);
  const log = (level: 'info' | 'warning', msg: string) =>
    node.journal.service(node.prog, node.service.mainPid, level, msg);
  if (check.errors.length > 0) {
    const joined = check.errors.join(', ');
    if (!force) {
      const request = { path: requestPath, status: '500 Internal Server Error', component: 'certificate' };
      return failWithServerError(lab, node, io, request, `failed to validate new CA certificates and keys: ${joined}`);
    }
    log('warning', `Save of CA certificates and keys forced, ignoring validation errors: ${joined}`);
  }
  lab.datastore.saveCas(check.cas);
  log('info', `certificate: Cluster Certificate Authority data has been updated, ${node.prog} must be restarted.`);
  io.stdout('certificates saved to datastore\n');
  return 0;
}
