// Which test files are "system" tests (they start labs, sshd, tmux, etcd, or the CLI in a child) and which are
// "unit" tests (the inner loop: `npm run test:unit`). Decided from the files themselves, so a new test file lands in
// the right project without a list to keep: a file is a system test when it, or any test helper it imports
// (transitively, inside test/), uses one of the markers below. test/support/unit-guard.ts makes the unit project
// fail loudly should a unit file start one of those processes anyway (e.g. through a dynamic import).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Helpers that start real processes, and the names that reach them. */
const SYSTEM_MARKERS = [
  /bin\/keyturn\.js/,
  /support\/lab\.js'/,
  /support\/sshd\.js'/,
  /support\/binaries\.js'/,
  /e2e\/run-tmux\.js'/,
  /\bcliArgs\b/,
  /\btestChildPath\b/,
  /\bstartEtcd\b/,
];

/** Folders whose tests are system tests whatever they import: test/build bundles and runs Ink programs with esbuild. */
const SYSTEM_DIRS = ['test/build/'];

/** Where those names are defined: naming a path starts nothing, so importing these alone does not make a system test. */
const DEFINITIONS = ['test/support/paths.ts', 'test/support/built.ts', 'test/support/projects.ts'];

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures' || existsSync(path.join(full, 'fixtures.test.ts'))) out.push(...testFiles(full));
    } else if (/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Relative imports of a TypeScript file, resolved to files under test/ (src/ is product code: no markers there). */
function testImports(file: string, testDir: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const resolved = path.resolve(path.dirname(file), spec);
    for (const candidate of [resolved.replace(/\.js$/, '.ts'), resolved.replace(/\.js$/, '.tsx'), resolved]) {
      if (candidate.startsWith(testDir + path.sep) && existsSync(candidate) && /\.tsx?$/.test(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

/** Test files split into the two projects, as paths relative to `root`. */
export function splitTestFiles(root: string): { unit: string[]; system: string[] } {
  const testDir = path.join(root, 'test');
  const memo = new Map<string, boolean>();
  const isSystem = (file: string): boolean => {
    const known = memo.get(file);
    if (known !== undefined) return known;
    memo.set(file, false); // cycles: a file in progress counts as clean until proven otherwise
    if (DEFINITIONS.some((d) => file === path.join(root, d))) return false;
    const text = readFileSync(file, 'utf8');
    const found = SYSTEM_MARKERS.some((m) => m.test(text)) || testImports(file, testDir).some(isSystem);
    memo.set(file, found);
    return found;
  };
  const unit: string[] = [];
  const system: string[] = [];
  for (const file of testFiles(testDir).sort()) {
    const relative = path.relative(root, file);
    (SYSTEM_DIRS.some((d) => relative.startsWith(d)) || isSystem(file) ? system : unit).push(relative);
  }
  return { unit, system };
}
