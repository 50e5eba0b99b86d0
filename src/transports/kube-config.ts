// Finds and reads kubeconfig files the way kubectl does, and turns every problem with them into a one-line
// UsageError naming the file and the fix. Knows nothing of @kubernetes/client-node (kept out of fast paths).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { inputError, UsageError } from '../errors.js';
import { checkClientCertificate } from './kube-client-cert.js';

export interface KubeconfigSelection {
  kubeconfig?: string;
  context?: string;
}

/** The merged kubeconfig with the chosen context, ready for client-node's loadFromString. */
export interface LoadedKubeconfig {
  /** The files read, in precedence order (for messages). */
  files: string[];
  contextName: string;
  server: string;
  /** Plain kubeconfig document; relative file paths already resolved against their own file. */
  document: KubeconfigDocument;
}

type Named = { name: string; [key: string]: unknown };
export interface KubeconfigDocument {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: Named[];
  contexts: Named[];
  users: Named[];
  'current-context': string;
}

/** --kubeconfig, else every existing file in KUBECONFIG (kubectl skips missing ones), else ~/.kube/config. */
export function resolveKubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit !== undefined) {
    if (!existsSync(explicit))
      throw inputError(`--kubeconfig ${explicit}`, 'file not found', 'pass an existing kubeconfig file');
    return [path.resolve(explicit)];
  }
  const fromEnv = env.KUBECONFIG?.split(path.delimiter).filter(Boolean) ?? [];
  if (fromEnv.length > 0) {
    const existing = fromEnv.filter((file) => existsSync(file)).map((file) => path.resolve(file));
    if (existing.length === 0) {
      throw inputError(
        `KUBECONFIG=${env.KUBECONFIG}`,
        'none of its files exist',
        'point KUBECONFIG at a kubeconfig file or pass --kubeconfig',
      );
    }
    return [...new Set(existing)];
  }
  const fallback = path.join(homedir(), '.kube', 'config');
  if (!existsSync(fallback)) {
    throw inputError(
      fallback,
      'no kubeconfig found',
      'pass --kubeconfig FILE, set KUBECONFIG, or use --inventory to reach nodes over SSH',
    );
  }
  return [fallback];
}

/** The context names of the kubeconfig kubectl would read (for shell completion): none when there is none. */
export function kubeconfigContextNames(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  return mergeFiles(resolveKubeconfigFiles(explicit, env)).contexts.map((c) => c.name);
}

export function loadKubeconfig(selection: KubeconfigSelection, env: NodeJS.ProcessEnv = process.env): LoadedKubeconfig {
  const files = resolveKubeconfigFiles(selection.kubeconfig, env);
  const document = mergeFiles(files);
  const where = files.join(':');
  if (document.clusters.length === 0 && document.contexts.length === 0 && document.users.length === 0) {
    // YAML, but nothing kubectl could use: say so rather than "no current-context" (which sends one hunting for --context).
    throw inputError(
      where,
      'not a kubeconfig (it defines no clusters, contexts or users)',
      'pass a kubeconfig file, e.g. a copy of /etc/rancher/<rke2|k3s>/<rke2|k3s>.yaml',
    );
  }
  const contextNames = document.contexts.map((c) => c.name);
  const contextName = selection.context ?? document['current-context'];
  if (!contextName) {
    throw new UsageError(
      `${where}: no current-context — pass --context with one of: ${contextNames.join(', ') || '(none defined)'}`,
    );
  }
  const context = document.contexts.find((c) => c.name === contextName);
  if (!context) {
    throw new UsageError(`context '${contextName}' not in ${where}; contexts: ${contextNames.join(', ') || '(none)'}`);
  }
  const contextBody = asRecord(context.context);
  const clusterName = String(contextBody.cluster ?? '');
  const cluster = document.clusters.find((c) => c.name === clusterName);
  if (!cluster)
    throw inputError(
      where,
      `context '${contextName}' names cluster '${clusterName}', which is not defined`,
      'fix the kubeconfig',
    );
  const clusterBody = asRecord(cluster.cluster);
  const server = typeof clusterBody.server === 'string' ? clusterBody.server : '';
  if (!/^https?:\/\//.test(server)) {
    throw inputError(
      where,
      `cluster '${clusterName}' has no valid server URL`,
      'set clusters[].cluster.server to https://HOST:PORT',
    );
  }
  if (server.startsWith('http://') && clusterBody['insecure-skip-tls-verify'] !== true) {
    throw inputError(
      where,
      `cluster '${clusterName}' uses plain ${server}`,
      'use https, or set insecure-skip-tls-verify: true for a test server',
    );
  }
  const caFile = clusterBody['certificate-authority'];
  if (typeof caFile === 'string' && caFile !== '' && !existsSync(caFile)) {
    throw inputError(
      where,
      `certificate-authority ${caFile} of cluster '${clusterName}' not found`,
      'fix the path or embed certificate-authority-data',
    );
  }
  const userName = contextBody.user === undefined ? undefined : String(contextBody.user);
  const user = userName === undefined ? undefined : document.users.find((u) => u.name === userName);
  if (userName !== undefined && !user) {
    throw inputError(
      where,
      `context '${contextName}' names user '${userName}', which is not defined`,
      'fix the kubeconfig',
    );
  }
  if (user) checkClientCertificate(where, user.name, asRecord(user.user));
  return { files, contextName, server, document: { ...document, 'current-context': contextName } };
}

/** The contexts of the kubeconfig kubectl would read, in file order, and its current-context ('' when none). */
export interface KubeconfigContexts {
  files: string[];
  names: string[];
  current: string;
}

export function kubeconfigContexts(
  kubeconfig: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): KubeconfigContexts {
  const files = resolveKubeconfigFiles(kubeconfig, env);
  const document = mergeFiles(files);
  return { files, names: document.contexts.map((c) => c.name), current: document['current-context'] };
}

/** Merges like kubectl: for each name the first file that defines it wins, and so does the first current-context. */
function mergeFiles(files: string[]): KubeconfigDocument {
  const merged: KubeconfigDocument = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [],
    contexts: [],
    users: [],
    'current-context': '',
  };
  for (const file of files) {
    const config = readOne(file);
    for (const key of ['clusters', 'contexts', 'users'] as const) {
      for (const entry of namedList(file, config, key)) {
        if (!merged[key].some((existing) => existing.name === entry.name))
          merged[key].push(resolvePaths(file, key, entry));
      }
    }
    const current = config['current-context'];
    if (!merged['current-context'] && typeof current === 'string') merged['current-context'] = current;
  }
  return merged;
}

function readOne(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw inputError(
      file,
      `cannot read kubeconfig (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'check the path and permissions',
    );
  }
  let parsed: unknown;
  try {
    // logLevel 'error': the yaml package would otherwise print warnings (e.g. an unknown tag) to stderr as
    // several lines of their own, breaking the one-line error contract.
    parsed = parse(text, { logLevel: 'error' });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0].replace(/:\s*$/, '');
    throw inputError(file, `not valid YAML (${message})`, 'fix the file or fetch a fresh kubeconfig');
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw inputError(
      file,
      'not a kubeconfig (expected a mapping with clusters, contexts, users)',
      'pass a kubeconfig file',
    );
  }
  return parsed as Record<string, unknown>;
}

function namedList(file: string, config: Record<string, unknown>, key: 'clusters' | 'contexts' | 'users'): Named[] {
  const list = config[key] ?? [];
  if (!Array.isArray(list)) throw inputError(file, `'${key}' is not a list`, 'fix the kubeconfig');
  return list.map((entry, index) => {
    const record = asRecord(entry);
    if (typeof record.name !== 'string' || record.name === '') {
      throw inputError(file, `${key}[${index}] has no name`, 'fix the kubeconfig');
    }
    return record as Named;
  });
}

const PATH_FIELDS: Record<'clusters' | 'contexts' | 'users', { body: string; fields: string[] }> = {
  clusters: { body: 'cluster', fields: ['certificate-authority'] },
  users: { body: 'user', fields: ['client-certificate', 'client-key', 'tokenFile'] },
  contexts: { body: 'context', fields: [] },
};

/** kubectl resolves relative paths against the kubeconfig that mentions them, not the working directory. */
function resolvePaths(file: string, key: 'clusters' | 'contexts' | 'users', entry: Named): Named {
  const { body, fields } = PATH_FIELDS[key];
  const inner = { ...asRecord(entry[body]) };
  for (const field of fields) {
    const value = inner[field];
    if (typeof value === 'string' && value !== '' && !path.isAbsolute(value))
      inner[field] = path.resolve(path.dirname(file), value);
  }
  return { ...entry, [body]: inner };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
