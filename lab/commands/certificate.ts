// `<prog> certificate rotate [--service a,b]`, `<prog> certificate check [--output text|table|json]` and
// `<prog> certificate rotate-ca --path DIR [--force]` (rotate-ca.ts).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isServerNode } from '../lab-node.js';
import {
  allServices,
  agentServices,
  certificateCheckOutput,
  invalidServiceMessage,
  rotateLeaves,
  type CheckFormat,
} from '../pki/index.js';
import { takeOption, type CommandContext } from './io.js';
import { logLine } from './logrus.js';
import { rotateCa } from './rotate-ca.js';
import { agentCertificateRotateWorks } from '../upstream-versions.js';

export async function runCertificate(context: CommandContext): Promise<number> {
  const [sub, ...rest] = context.argv;
  switch (sub) {
    case 'rotate':
      return rotate(context, rest);
    case 'check':
      return check(context, rest);
    case 'rotate-ca':
      return rotateCa(context, rest);
    default:
      context.io.stderr(
        `Incorrect Usage: ${context.node.prog} certificate: unknown command "${sub ?? ''}" (check, rotate, rotate-ca)\n`,
      );
      return 1;
  }
}

async function rotate({ lab, node, io }: CommandContext, argv: string[]): Promise<number> {
  const now = lab.clock.now();
  const { value } = takeOption(argv, ['--service', '-s']);
  const requested = value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
  const invalid = invalidServiceMessage(node.prog, requested);
  if (invalid) {
    io.stderr(logLine('fatal', invalid, now));
    return 1;
  }
  const server = isServerNode(node);
  // RKE2's Rotate writes force-restart before it calls k3s's rotate (rancher/rke2 pkg/cli/cmds/cert.go).
  if (node.prog === 'rke2') await writeFile(path.join(node.paths.dataDir, 'force-restart'), '');
  if (!server && !agentCertificateRotateWorks(lab.options.version)) {
    // Before k3s#9785's fix the command read the server token even on agents (upstream-versions.ts).
    io.stderr(
      logLine('fatal', `open ${path.join(node.paths.dataDir, 'server', 'token')}: no such file or directory`, now),
    );
    return 1;
  }
  const services = requested.length > 0 ? requested : server ? allServices(node.prog) : agentServices(node.prog);
  io.stderr(
    logLine(
      'info',
      server
        ? 'Server detected, rotating agent and server certificates'
        : 'Agent detected, rotating agent certificates',
      now,
    ),
  );
  if (server && requested.length === 0) io.stderr(logLine('info', 'Rotating dynamic listener certificate', now));
  for (const service of services) io.stderr(logLine('info', `Rotating certificates for ${service}`, now));
  const { backupDir } = await rotateLeaves(node.certs, now, requested.length > 0 ? requested : undefined);
  io.stderr(
    logLine(
      'info',
      `Successfully backed up certificates to ${backupDir}, please restart ${node.prog} server or agent to rotate certificates`,
      now,
    ),
  );
  return 0;
}

async function check({ lab, node, io }: CommandContext, argv: string[]): Promise<number> {
  const now = lab.clock.now();
  const format = takeOption(argv, ['--output', '-o']).value ?? 'text';
  if (!isCheckFormat(format)) {
    io.stderr(logLine('fatal', `invalid output format ${format}`, now));
    return 1;
  }
  const output = await certificateCheckOutput(node.certs, now, format);
  io.stderr(output.stderr);
  io.stdout(output.stdout);
  // Like upstream: exit 0 even when certificates have expired.
  return 0;
}

function isCheckFormat(value: string): value is CheckFormat {
  return value === 'text' || value === 'table' || value === 'json';
}
