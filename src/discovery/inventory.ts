// Loads and validates the YAML inventory (design.md "Cluster access"). Every problem is ONE line naming the file,
// the node and the field, and how to fix it: an operator at 3 a.m. must not have to guess which entry is wrong.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { inputError, type UsageError } from '../errors.js';
import { closest } from '../util/closest.js';
import { DISTROS, ROLES, isDistro, isRole, type Role } from '../model/cluster.js';
import type { Inventory, InventoryNode, SshOptions } from '../model/inventory.js';

// Control characters (including newlines) would break the one-line-per-node output and log lines.
const CONTROL = /[\u0000-\u001f\u007f]/;

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function loadInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? String(err)})`;
    throw inputError(`inventory ${file}`, problem, 'pass --inventory the path of a YAML file with a `nodes:` list');
  }
  return parseInventory(text, file);
}

/** Validates inventory text; `file` names the input in errors. */
export function parseInventory(text: string, file: string): Inventory {
  let doc: unknown;
  try {
    // logLevel 'error': the yaml package would print its warnings (an unknown tag, a collection as a key) to
    // stderr as several lines of their own; here a warning is an error, reported in our one line.
    const parsed = parseDocument(text, { logLevel: 'error' });
    const problem = parsed.errors[0] ?? parsed.warnings[0];
    if (problem) throw problem;
    doc = parsed.toJS();
  } catch (err) {
    const first = String((err as Error).message)
      .split('\n')[0]
      .replace(/:\s*$/, '');
    throw inputError(`inventory ${file}`, `not valid YAML (${first})`, 'fix the YAML syntax');
  }
  if (!isObject(doc) || !Array.isArray(doc.nodes)) {
    throw inputError(
      `inventory ${file}`,
      'has no `nodes:` list',
      'add `nodes:` with one entry per node (name, address)',
    );
  }
  if (doc.nodes.length === 0) {
    throw inputError(
      `inventory ${file}`,
      'its `nodes:` list is empty',
      'add one entry per node (name, address), or leave out --inventory',
    );
  }
  const nodes = doc.nodes.map((raw, i) => parseNode(raw, i, file));
  rejectDuplicates(nodes, 'name', file);
  rejectDuplicates(nodes, 'address', file);
  return { nodes };
}

function rejectDuplicates(nodes: InventoryNode[], field: 'name' | 'address', file: string): void {
  const seen = new Map<string, number>();
  nodes.forEach((n, i) => {
    const prior = seen.get(n[field]);
    if (prior !== undefined) {
      throw inputError(
        `inventory ${file}: node ${JSON.stringify(n.name)} (entry ${i + 1})`,
        `${field} ${JSON.stringify(n[field])} is already used by entry ${prior + 1}`,
        `give every node a unique ${field}`,
      );
    }
    seen.set(n[field], i);
  });
}

function parseNode(raw: unknown, index: number, file: string): InventoryNode {
  const entry = `inventory ${file}: entry ${index + 1}`;
  if (!isObject(raw))
    throw inputError(entry, 'is not a mapping', 'write each node as `- name: ...` with `address: ...`');
  const name = requireText(raw.name, `${entry}: field name`, 'give the node a `name:` (as the API knows it)');
  const where = `inventory ${file}: node ${JSON.stringify(name)}`;
  const fail = (field: string, problem: string, fix: string): UsageError =>
    inputError(`${where}: field ${field}`, problem, fix);
  const address = requireText(
    raw.address,
    `${where}: field address`,
    'give the node an `address:` (IP or host name ssh can reach)',
  );

  rejectUnknownFields(raw, NODE_FIELDS, (field, problem, fix) => fail(field, problem, fix));
  const node: InventoryNode = { name, address, transport: 'ssh' };
  // Required even when the API could tell them: with the API down, a node without roles cannot be put in the
  // rotation order, and a guess there is how two servers end up down at once.
  if (raw.roles === undefined)
    throw fail(
      'roles',
      'is missing',
      `list the node's roles, e.g. roles: [etcd, control-plane] (${ROLES.join(' | ')})`,
    );
  node.roles = parseRoles(raw.roles, fail);
  if (raw.distro !== undefined) {
    if (!isDistro(raw.distro))
      throw fail('distro', `unknown distro ${JSON.stringify(raw.distro)}`, `use one of ${DISTROS.join(', ')}`);
    node.distro = raw.distro;
  }
  if (raw.dataDir !== undefined)
    node.dataDir = requireText(
      raw.dataDir,
      `${where}: field dataDir`,
      'give an absolute path, e.g. /var/lib/rancher/rke2',
    );
  if (raw.transport !== undefined) {
    if (raw.transport !== 'ssh' && raw.transport !== 'local') {
      throw fail('transport', `unknown transport ${JSON.stringify(raw.transport)}`, 'use ssh or local');
    }
    node.transport = raw.transport;
  }
  if (raw.ssh !== undefined) node.ssh = parseSsh(raw.ssh, fail);
  if (raw.sudo !== undefined) {
    if (typeof raw.sudo !== 'boolean')
      throw fail('sudo', `must be true or false, not ${JSON.stringify(raw.sudo)}`, 'write sudo: true or sudo: false');
    node.sudo = raw.sudo;
  }
  if (raw.env !== undefined) node.env = parseEnv(raw.env, fail);
  return node;
}

type Fail = (field: string, problem: string, fix: string) => UsageError;

const NODE_FIELDS = ['name', 'address', 'roles', 'distro', 'dataDir', 'transport', 'ssh', 'sudo', 'env'] as const;
const SSH_FIELDS = ['user', 'port', 'identityFile', 'jumpHost', 'options'] as const;

/** A field keyturn does not know is a typo until proven otherwise: left alone, `transprot: local` would mean ssh. */
function rejectUnknownFields(raw: Raw, known: readonly string[], fail: Fail, prefix = ''): void {
  for (const field of Object.keys(raw)) {
    if (known.includes(field)) continue;
    const near = closest(field, known);
    throw fail(
      `${prefix}${field}`,
      'is not a field keyturn knows',
      near ? `did you mean ${prefix}${near}?` : `use only ${known.map((k) => prefix + k).join(', ')}`,
    );
  }
}

function requireText(value: unknown, input: string, fix: string): string {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string' || value.trim() === '') throw inputError(input, 'is missing or empty', fix);
  if (CONTROL.test(value)) throw inputError(input, 'contains a control character or newline', 'remove it');
  return value;
}

function parseRoles(value: unknown, fail: Fail): Role[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0)
    throw fail('roles', 'must be a non-empty list', `list some of ${ROLES.join(', ')}`);
  return list.map((r) => {
    if (!isRole(r)) throw fail('roles', `unknown role ${JSON.stringify(r)}`, `use ${ROLES.join('|')}`);
    return r;
  });
}

function parseSsh(value: unknown, fail: Fail): SshOptions {
  if (!isObject(value)) throw fail('ssh', 'must be a mapping', 'write ssh: {user: ..., port: 22}');
  rejectUnknownFields(value, SSH_FIELDS, fail, 'ssh.');
  const ssh: SshOptions = {};
  for (const key of ['user', 'identityFile', 'jumpHost'] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '' || CONTROL.test(v))
      throw fail(`ssh.${key}`, 'must be a non-empty one-line string', `fix ssh.${key}`);
    ssh[key] = v;
  }
  if (value.port !== undefined) {
    const port = value.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw fail(
        'ssh.port',
        `must be a number 1-65535, not ${JSON.stringify(port)}`,
        'write e.g. port: 22 (no quotes)',
      );
    }
    ssh.port = port;
  }
  if (value.options !== undefined) {
    const opts = value.options;
    if (!Array.isArray(opts) || !opts.every((o) => typeof o === 'string' && !CONTROL.test(o))) {
      throw fail('ssh.options', 'must be a list of strings', 'write options: ["StrictHostKeyChecking=yes"]');
    }
    ssh.options = opts as string[];
  }
  return ssh;
}

function parseEnv(value: unknown, fail: Fail): Record<string, string> {
  if (!isObject(value)) throw fail('env', 'must be a mapping of NAME: value', 'write env: {PATH: /usr/bin}');
  const env: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    // The key is quoted in the message: it may hold a newline, which would break the one-line error.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw fail(`env ${JSON.stringify(key)}`, 'is not a valid variable name', 'use letters, digits and _');
    if (typeof v !== 'string')
      throw fail(`env.${key}`, `must be a string, not ${JSON.stringify(v)}`, 'quote the value');
    env[key] = v;
  }
  return env;
}
