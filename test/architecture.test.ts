// Holds the one-way import lines of design.md: the engine and the components touch the world only through ports.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/paths.js';

function sourceFiles(dir: string): string[] {
  const full = path.join(repoRoot, dir);
  let entries: string[];
  try {
    entries = readdirSync(full);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(repoRoot, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx)$/.test(name) ? [rel] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push(m[1] ?? m[2]);
  }
  return found;
}

const rules: { dir: string; forbidden: RegExp; why: string }[] = [
  {
    dir: 'src/engine',
    forbidden: /^(react|ink|ink-.*|zx|@kubernetes\/client-node|conf|node:fs|fs|node:child_process|child_process|node:net|node:https?)$|\/(transports|lab|screens|hooks|settings|journal)\/(?!types\.js)|\.\.\/\.\.\/components/,
    why: 'the engine is pure: it reaches the world only through ports',
  },
  {
    dir: 'components',
    forbidden: /^(zx|@kubernetes\/client-node|conf|node:fs|fs|node:child_process|child_process)$|\/(transports|engine|lab|settings|journal|discovery)\//,
    why: 'components take props and return frames',
  },
  {
    dir: 'recipes',
    forbidden: /^(?!\.\.\/src\/recipe-schema\/|\.\/)/,
    why: 'recipes are plain data',
  },
  {
    dir: 'src/run',
    forbidden: /^(react|ink|ink-.*)$|\/(commands|screens|hooks)\/|\.\.\/\.\.\/components/,
    why: 'the run use case reaches the screen only through its UI port (ui-port.ts)',
  },
  {
    dir: 'src/recipe-schema',
    forbidden: /\/(engine|transports|lab|screens|hooks|discovery)\//,
    why: 'the schema sits below the engine',
  },
];

describe('architecture', () => {
  for (const rule of rules) {
    it(`${rule.dir}: ${rule.why}`, () => {
      const files = sourceFiles(rule.dir);
      expect(files.length).toBeGreaterThan(0);
      const offenders = files.flatMap((f) => importsOf(f).filter((i) => rule.forbidden.test(i)).map((i) => `${f} imports ${i}`));
      expect(offenders).toEqual([]);
    });
  }

  it('src/commands reach the run use case through src/run; only run-screen.ts makes the run screen\'s bridge', () => {
    const commands = sourceFiles('src/commands');
    const usesRun = commands.filter((f) => importsOf(f).some((i) => /^\.\.\/run\//.test(i)));
    expect(usesRun).toEqual(expect.arrayContaining(['src/commands/run.ts', 'src/commands/resume.ts', 'src/commands/wizard.tsx', 'src/commands/run-screen.ts']));
    const bridgeImporters = commands.filter((f) => importsOf(f).some((i) => /\/hooks\/run-bridge\.js$/.test(i)));
    expect(bridgeImporters).toEqual(['src/commands/run-screen.ts']);
  });

  it('hooks/run-bridge.ts implements the run layer\'s UI port', () => {
    const text = readFileSync(path.join(repoRoot, 'src/hooks/run-bridge.ts'), 'utf8');
    expect(importsOf('src/hooks/run-bridge.ts')).toContain('../run/ui-port.js');
    expect(text).toMatch(/class RunBridge implements [^{]*\bRunUi\b/);
  });
});
