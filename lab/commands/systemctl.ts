// `systemctl` on a lab node: start/stop/restart/is-active/status/show/reset-failed for the node's upstream unit
// (rke2-server/rke2-agent, k3s/k3s-agent). Other units are not loaded, as on a real node: there is no rke2.service.
// Unit arguments may be glob patterns (systemctl(1) "PARAMETER SYNTAX": fnmatch over the units loaded in memory),
// as upstream's own e2e helpers use them: `systemctl restart k3s* --all`, `systemctl stop k3s*`,
// `systemctl restart rke2-*` (k3s tests/e2e/testutils.go, rke2 tests/e2e/testutils.go). A pattern that matches
// no loaded unit does nothing and succeeds, as systemctl does.
import { systemdTime } from '../clock.js';
import { isServerNode, type LabNode } from '../lab-node.js';
import { agentUnitType } from '../upstream-versions.js';
import type { LabOptions } from '../contract.js';
import type { CommandContext, CommandIO } from './io.js';

const VERBS = [
  'start',
  'stop',
  'restart',
  'try-restart',
  'is-active',
  'is-failed',
  'status',
  'show',
  'reset-failed',
] as const;
type Verb = (typeof VERBS)[number];

function unitName(arg: string): string {
  return arg.endsWith('.service') ? arg : `${arg}.service`;
}

export async function runSystemctl({ lab, node, argv, io }: CommandContext): Promise<number> {
  const { verb, units, properties, noBlock } = parseArgs(argv);
  if (!verb) {
    io.stderr(`Unknown command verb '${argv.find((a) => !a.startsWith('-')) ?? ''}'.\n`);
    return 1;
  }
  if (units.length === 0 && verb !== 'show') {
    io.stderr(`Too few arguments.\n`);
    return 1;
  }
  let code = 0;
  for (const unit of expandUnits(units.length > 0 ? units : [`${node.unit}.service`], [`${node.unit}.service`])) {
    const own = unit === `${node.unit}.service`;
    const result = own
      ? await onOwnUnit(verb, node, lab.options, properties, io, noBlock)
      : onUnknownUnit(verb, unit, properties, io);
    code = code || result;
  }
  return code;
}

const GLOB = /[*?[]/;

/** Unit arguments as systemctl resolves them: a plain name gets ".service"; a glob names the loaded units it matches. */
function expandUnits(args: string[], loaded: string[]): string[] {
  const units: string[] = [];
  for (const arg of args) {
    const matches = GLOB.test(arg) ? loaded.filter((unit) => globRegExp(arg).test(unit)) : [unitName(arg)];
    for (const unit of matches) if (!units.includes(unit)) units.push(unit);
  }
  return units;
}

/** fnmatch(3) without flags: `*` and `?` match any character (also `.`), `[...]` a set, `[!...]` its complement. */
function globRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, end);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      source += `[${set.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function parseArgs(argv: string[]): {
  verb: Verb | undefined;
  units: string[];
  properties: string[];
  noBlock: boolean;
} {
  const properties: string[] = [];
  const words: string[] = [];
  let noBlock = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--no-block') noBlock = true;
    else if (arg === '-p' || arg === '--property') properties.push(...(argv[++i] ?? '').split(','));
    else if (arg.startsWith('--property=')) properties.push(...arg.slice('--property='.length).split(','));
    else if (arg.startsWith('-p') && arg.length > 2) properties.push(...arg.slice(2).split(','));
    else if (!arg.startsWith('-')) words.push(arg);
    // Other flags (--no-pager, --quiet, -l, --value) do not change what the lab answers, except below.
  }
  const [verbWord, ...units] = words;
  const verb = (VERBS as readonly string[]).includes(verbWord) ? (verbWord as Verb) : undefined;
  return { verb, units, properties: properties.filter((p) => p !== ''), noBlock };
}

async function onOwnUnit(
  verb: Verb,
  node: LabNode,
  options: LabOptions,
  properties: string[],
  io: CommandIO,
  noBlock: boolean,
): Promise<number> {
  const service = node.service;
  const unit = `${node.unit}.service`;
  switch (verb) {
    case 'start':
    case 'restart':
    case 'try-restart': {
      if (verb === 'try-restart' && service.state !== 'active') return 0;
      const job = verb === 'start' ? service.start() : service.restart();
      // --no-block queues the job and returns at once, as systemd does: the start goes on (and may fail) later.
      if (noBlock) {
        void job.catch(() => undefined);
        return 0;
      }
      const result = await job;
      if (result.ok) return 0;
      io.stderr(
        `Job for ${unit} failed because the control process exited with error code.\n` +
          `See "systemctl status ${unit}" and "journalctl -xeu ${unit}" for details.\n`,
      );
      return 1;
    }
    case 'stop':
      if (noBlock) {
        void service.stop().catch(() => undefined);
        return 0;
      }
      await service.stop();
      return 0;
    case 'reset-failed':
      service.resetFailed();
      return 0;
    case 'is-active':
      io.stdout(`${service.state}\n`);
      return service.state === 'active' ? 0 : 3;
    case 'is-failed':
      io.stdout(`${service.state}\n`);
      return service.state === 'failed' ? 0 : 1;
    case 'show':
      io.stdout(showProperties(ownProperties(node, options), properties));
      return 0;
    case 'status':
      io.stdout(await statusText(node));
      return service.state === 'active' ? 0 : 3;
  }
}

function onUnknownUnit(verb: Verb, unit: string, properties: string[], io: CommandIO): number {
  switch (verb) {
    case 'stop':
      io.stderr(`Failed to stop ${unit}: Unit ${unit} not loaded.\n`);
      return 5;
    case 'start':
    case 'restart':
    case 'try-restart':
      io.stderr(`Failed to ${verb} ${unit}: Unit ${unit} not found.\n`);
      return 5;
    case 'reset-failed':
      io.stderr(`Failed to reset failed state of unit ${unit}: Unit ${unit} not loaded.\n`);
      return 1;
    case 'is-active':
      io.stdout('inactive\n');
      return 3;
    case 'is-failed':
      io.stdout('inactive\n');
      return 1;
    case 'status':
      io.stderr(`Unit ${unit} could not be found.\n`);
      return 4;
    case 'show':
      // Like systemd: show answers for any name, with LoadState=not-found.
      io.stdout(showProperties(unknownProperties(unit), properties));
      return 0;
  }
}

type Properties = Record<string, string>;

function ownProperties(node: LabNode, { version, dataDirInUnit }: LabOptions): Properties {
  const s = node.service;
  return {
    ExecStart: execStart(node, dataDirInUnit),
    Type: isServerNode(node) ? 'notify' : agentUnitType(node.prog, version),
    Restart: 'always',
    RestartUSec: '5s',
    MainPID: String(s.mainPid),
    Result: s.result,
    NRestarts: String(s.nRestarts),
    Id: `${node.unit}.service`,
    Description: node.description,
    LoadState: 'loaded',
    ActiveState: s.state,
    SubState: s.subState,
    ActiveEnterTimestamp: s.activeEnteredAt ? systemdTime(s.activeEnteredAt) : '',
    UnitFileState: 'enabled',
  };
}

/**
 * `systemctl show -p ExecStart` as systemd prints it for upstream's units (`ExecStart=/usr/local/bin/<prog> server`
 * or `agent`, from k3s install.sh and rke2's rke2-server.service); the node's data dir is on it only when the lab
 * gives it there instead of in config.yaml.
 */
function execStart(node: LabNode, dataDirInUnit: boolean): string {
  const bin = `/usr/local/bin/${node.prog}`;
  const argv = [
    bin,
    isServerNode(node) ? 'server' : 'agent',
    ...(dataDirInUnit ? ['--data-dir', node.paths.dataDir] : []),
  ].join(' ');
  return `{ path=${bin} ; argv[]=${argv} ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }`;
}

function unknownProperties(unit: string): Properties {
  return {
    MainPID: '0',
    NRestarts: '0',
    Id: unit,
    LoadState: 'not-found',
    ActiveState: 'inactive',
    SubState: 'dead',
    ActiveEnterTimestamp: '',
  };
}

function showProperties(all: Properties, wanted: string[]): string {
  const keys = wanted.length > 0 ? wanted : Object.keys(all);
  return keys.map((key) => `${key}=${all[key] ?? ''}\n`).join('');
}

async function statusText(node: LabNode): Promise<string> {
  const s = node.service;
  const since = s.activeEnteredAt ? ` since ${systemdTime(s.activeEnteredAt)}` : '';
  const active = s.state === 'active' ? `active (running)${since}` : `${s.state} (${s.subState})`;
  const dot = s.state === 'active' ? '●' : s.state === 'failed' ? '×' : '○';
  const lines = [
    `${dot} ${node.unit}.service - ${node.description}`,
    `     Loaded: loaded (/usr/local/lib/systemd/system/${node.unit}.service; enabled; preset: enabled)`,
    `     Active: ${active}`,
  ];
  if (s.mainPid) lines.push(`   Main PID: ${s.mainPid} (${node.prog})`);
  return lines.join('\n') + '\n';
}
