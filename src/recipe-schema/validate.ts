// Validates untrusted recipe data (a recipe file, or one read back from a journal). Returns every problem found.
import { DISTROS } from '../model/cluster.js';
import { parseKubeVersion } from '../model/versions.js';
import type { Recipe } from './types.js';
import { ENCRYPTION_ACTIONS, FLOW_CHOOSERS, NEEDED_WHEN, NODE_SELECTORS, SERVICE_ACTIONS } from './types.js';

export type Validation = { ok: true; recipe: Recipe } | { ok: false; errors: string[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isPosNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const ID = /^[a-z0-9][a-z0-9-]*$/;

class Problems {
  readonly errors: string[] = [];
  add(where: string, problem: string): void {
    this.errors.push(`${where}: ${problem}`);
  }
  need(ok: boolean, where: string, problem: string): boolean {
    if (!ok) this.add(where, problem);
    return ok;
  }
}

function checkVersions(p: Problems, where: string, v: unknown): void {
  if (v === undefined) return;
  if (!p.need(isObj(v), where, 'must be an object of distro → version')) return;
  for (const [k, val] of Object.entries(v as Obj)) {
    p.need((DISTROS as readonly string[]).includes(k), `${where}.${k}`, 'unknown distro');
    p.need(isStr(val) && parseKubeVersion(val) !== undefined, `${where}.${k}`, 'must be a version like v1.30.5+k3s1');
  }
}

function checkOp(p: Problems, where: string, run: unknown): void {
  if (!isObj(run)) return p.add(where, 'must be an object with op');
  const r = run;
  switch (r.op) {
    case 'service':
      p.need(
        (SERVICE_ACTIONS as readonly unknown[]).includes(r.action),
        `${where}.action`,
        'must be stop|start|restart',
      );
      return;
    case 'reset-failed':
    case 'certificate-rotate':
    case 'update-token':
    case 'killall':
      return;
    case 'rotate-ca':
      p.need(
        isStr(r.path) && /^(\/|<data-dir>\/)/.test(String(r.path)),
        `${where}.path`,
        'must be absolute or start with <data-dir>/',
      );
      return;
    case 'secrets-encrypt':
      p.need((ENCRYPTION_ACTIONS as readonly unknown[]).includes(r.action), `${where}.action`, 'unknown action');
      return;
    case 'etcd-snapshot':
      p.need(isStr(r.name) && ID.test(String(r.name)), `${where}.name`, 'must be a simple name');
      return;
    case 'generate-ca':
      p.need(
        isStr(r.path) && /^(\/|<data-dir>\/)/.test(String(r.path)),
        `${where}.path`,
        'must be absolute or start with <data-dir>/',
      );
      return;
    default:
      p.add(`${where}.op`, `unknown op ${JSON.stringify(r.op)}`);
  }
}

const CONDITIONS = [
  'unit-state',
  'node-ready',
  'etcd-healthy',
  'etcd-member-stopped',
  'encryption-stage',
  'reencrypt-finished',
];
const CHECKS = [
  'unit-active',
  'node-ready',
  'etcd-quorum',
  'certs-fresh',
  'cas-unchanged',
  'no-expired-leaf',
  'encryption-stage',
  'encryption-hashes',
  'encryption-provider',
  'ca-consistent',
  'etcd-members-healthy',
  'join-tokens',
];
const BACKUPS = ['tls', 'cred', 'agent-certs'];

function checkStep(p: Problems, where: string, s: unknown): void {
  if (!isObj(s)) return p.add(where, 'must be an object');
  p.need(isStr(s.id) && ID.test(String(s.id)), `${where}.id`, 'must be lower-case letters, digits, dashes');
  p.need(isStr(s.title), `${where}.title`, 'required');
  if (s.when !== undefined) {
    if (p.need(isObj(s.when), `${where}.when`, 'must be an object')) {
      const w = s.when as Obj;
      checkVersions(p, `${where}.when.versionBelow`, w.versionBelow);
      checkVersions(p, `${where}.when.versionAtLeast`, w.versionAtLeast);
    }
  }
  switch (s.kind) {
    case 'command':
      checkOp(p, `${where}.run`, s.run);
      if (s.timeoutSeconds !== undefined) p.need(isPosNum(s.timeoutSeconds), `${where}.timeoutSeconds`, 'must be > 0');
      return;
    case 'wait': {
      p.need(isPosNum(s.timeoutSeconds), `${where}.timeoutSeconds`, 'required, > 0');
      const u = s.until;
      if (p.need(isObj(u) && CONDITIONS.includes(String(u.condition)), `${where}.until`, 'unknown condition')) {
        const c = u as Obj;
        if (c.condition === 'unit-state')
          p.need(Array.isArray(c.states) && c.states.length > 0, `${where}.until.states`, 'required');
        if (c.condition === 'encryption-stage') p.need(isStr(c.stage), `${where}.until.stage`, 'required');
      }
      return;
    }
    case 'gate':
      if (p.need(Array.isArray(s.checks) && s.checks.length > 0, `${where}.checks`, 'at least one check')) {
        (s.checks as unknown[]).forEach((c, i) =>
          p.need(isObj(c) && CHECKS.includes(String(c.check)), `${where}.checks[${i}]`, 'unknown check'),
        );
      }
      return;
    case 'settle':
      if (s.seconds !== undefined) p.need(isPosNum(s.seconds), `${where}.seconds`, 'must be > 0');
      if (s.untilQuorum !== undefined) p.need(typeof s.untilQuorum === 'boolean', `${where}.untilQuorum`, 'boolean');
      return;
    case 'backup':
      p.need(
        Array.isArray(s.what) && s.what.length > 0 && s.what.every((w: unknown) => BACKUPS.includes(String(w))),
        `${where}.what`,
        'list of tls|cred|agent-certs',
      );
      return;
    case 'pause':
      p.need(isStr(s.message), `${where}.message`, 'required');
      return;
    default:
      p.add(`${where}.kind`, `unknown step kind ${JSON.stringify(s.kind)}`);
  }
}

export function validateRecipe(input: unknown): Validation {
  const p = new Problems();
  if (!isObj(input)) return { ok: false, errors: ['recipe: must be an object'] };
  const r = input;
  p.need(isStr(r.name) && ID.test(String(r.name)), 'name', 'must be lower-case letters, digits, dashes');
  p.need(isStr(r.title), 'title', 'required');
  p.need(isStr(r.summary), 'summary', 'required');
  p.need(r.support === 'full' || r.support === 'plan-only', 'support', 'must be full|plan-only');
  p.need(isPosNum(r.settleSeconds), 'settleSeconds', 'must be > 0');
  p.need(Array.isArray(r.references), 'references', 'must be a list');
  if (r.requires !== undefined && p.need(isObj(r.requires), 'requires', 'must be an object')) {
    checkVersions(p, 'requires.versionAtLeast', (r.requires as Obj).versionAtLeast);
    const every = (r.requires as Obj).everyServer;
    p.need(
      every === undefined || (isStr(every) && String(every).length > 0),
      'requires.everyServer',
      'must be a non-empty reason',
    );
  }
  if (r.neededWhen !== undefined)
    p.need(
      (NEEDED_WHEN as readonly unknown[]).includes(r.neededWhen),
      'neededWhen',
      `must be one of ${NEEDED_WHEN.join('|')}`,
    );
  const flows: readonly string[] | undefined =
    r.chooseFlow === undefined ? undefined : (FLOW_CHOOSERS as Record<string, readonly string[]>)[String(r.chooseFlow)];
  if (r.chooseFlow !== undefined)
    p.need(flows !== undefined, 'chooseFlow', `must be one of ${Object.keys(FLOW_CHOOSERS).join('|')}`);
  if (p.need(Array.isArray(r.phases) && r.phases.length > 0, 'phases', 'at least one phase')) {
    const phaseIds = new Set<string>();
    (r.phases as unknown[]).forEach((ph, i) => {
      const w = `phases[${i}]`;
      if (!isObj(ph)) return p.add(w, 'must be an object');
      p.need(isStr(ph.id) && ID.test(String(ph.id)), `${w}.id`, 'must be lower-case letters, digits, dashes');
      p.need(!phaseIds.has(String(ph.id)), `${w}.id`, 'duplicate phase id');
      phaseIds.add(String(ph.id));
      p.need(isStr(ph.title), `${w}.title`, 'required');
      p.need((NODE_SELECTORS as readonly unknown[]).includes(ph.nodes), `${w}.nodes`, 'unknown node selector');
      if (ph.order !== undefined)
        p.need(ph.order === 'forward' || ph.order === 'reverse', `${w}.order`, 'forward|reverse');
      if (ph.rolling !== undefined) p.need(typeof ph.rolling === 'boolean', `${w}.rolling`, 'boolean');
      if (ph.confirm !== undefined)
        p.need(ph.confirm === 'per-node' || ph.confirm === 'none', `${w}.confirm`, 'per-node|none');
      if (ph.flow !== undefined)
        p.need(
          flows !== undefined && flows.includes(String(ph.flow)),
          `${w}.flow`,
          flows ? `must be one of ${flows.join('|')}` : "needs the recipe's chooseFlow",
        );
      if (!p.need(Array.isArray(ph.steps) && ph.steps.length > 0, `${w}.steps`, 'at least one step')) return;
      const stepIds = new Set<string>();
      (ph.steps as unknown[]).forEach((s, j) => {
        checkStep(p, `${w}.steps[${j}]`, s);
        if (isObj(s)) {
          p.need(!stepIds.has(String(s.id)), `${w}.steps[${j}].id`, 'duplicate step id');
          stepIds.add(String(s.id));
          const changes = s.kind === 'command' || s.kind === 'backup' || s.kind === 'pause';
          p.need(
            !(ph.confirm === 'none' && changes),
            `${w}.steps[${j}]`,
            'a phase without confirmation may only wait, settle and gate',
          );
        }
      });
    });
  }
  return p.errors.length === 0 ? { ok: true, recipe: input as unknown as Recipe } : { ok: false, errors: p.errors };
}
