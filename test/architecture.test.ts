// Holds the one-way import lines of design.md: the engine and the components touch the world only through ports.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './support/paths.js';
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from './support/import-graph.js';

const rules: { dir: string; forbidden: RegExp; why: string }[] = [
  {
    dir: 'src/engine',
    forbidden:
      /^(react|ink|ink-.*|zx|@kubernetes\/client-node|conf|node:fs|fs|node:child_process|child_process|node:net|node:https?)$|\/(transports|lab|screens|hooks|settings|journal)\/(?!types\.js)|\.\.\/\.\.\/components/,
    why: 'the engine is pure: it reaches the world only through ports',
  },
  {
    dir: 'components',
    forbidden:
      /^(zx|@kubernetes\/client-node|conf|node:fs|fs|node:child_process|child_process)$|\/(transports|engine|lab|settings|journal|discovery)\//,
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
      const offenders = files.flatMap((f) =>
        importsOf(f)
          .map((e) => e.spec)
          .filter((i) => rule.forbidden.test(i))
          .map((i) => `${f} imports ${i}`),
      );
      expect(offenders).toEqual([]);
    });
  }

  it("src/commands reach the run use case through src/run; only run-screen.ts makes the run screen's bridge", () => {
    const commands = sourceFiles('src/commands');
    const usesRun = commands.filter((f) => importsOf(f).some((e) => /^\.\.\/run\//.test(e.spec)));
    expect(usesRun).toEqual(
      expect.arrayContaining([
        'src/commands/run.ts',
        'src/commands/resume.ts',
        'src/commands/wizard.tsx',
        'src/commands/run-screen.ts',
      ]),
    );
    const bridgeImporters = commands.filter((f) => importsOf(f).some((e) => /\/hooks\/run-bridge\.js$/.test(e.spec)));
    expect(bridgeImporters).toEqual(['src/commands/run-screen.ts']);
  });

  it("hooks/run-bridge.ts implements the run layer's UI port", () => {
    const text = readFileSync(path.join(repoRoot, 'src/hooks/run-bridge.ts'), 'utf8');
    expect(importsOf('src/hooks/run-bridge.ts').map((e) => e.spec)).toContain('../run/ui-port.js');
    expect(text).toMatch(/class RunBridge implements [^{]*\bRunUi\b/);
  });

  it('the lab stands beside the product: it imports only src/model, src/util and src/errors.ts', () => {
    const files = sourceFiles('lab');
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((f) =>
      importsOf(f)
        .filter((e) => e.target !== null && !e.target.startsWith('lab/'))
        .filter((e) => !/^src\/(model|util)\/|^src\/errors\.ts$/.test(e.target ?? ''))
        .map((e) => `${f} imports ${e.spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('only the lab commands (src/commands/lab-*.ts) import the lab', () => {
    const files = ['src', 'components', 'recipes'].flatMap(sourceFiles);
    const importers = files.filter((f) => importsOf(f).some((e) => e.target?.startsWith('lab/')));
    expect(importers.length).toBeGreaterThan(0); // the rule reads real imports
    expect(importers.filter((f) => !/^src\/commands\/lab-[\w-]+\.ts$/.test(f))).toEqual([]);
  });

  it('outside src/engine, code imports only src/engine/index.ts: the engine can move and split its files freely', () => {
    const files = ['src', 'components', 'recipes'].flatMap(sourceFiles).filter((f) => !f.startsWith('src/engine/'));
    const users = files.filter((f) => importsOf(f).some((e) => e.target === 'src/engine/index.ts'));
    expect(users.length).toBeGreaterThan(0); // the rule reads real imports
    const offenders = files.flatMap((f) =>
      importsOf(f)
        .filter((e) => e.target?.startsWith('src/engine/') && e.target !== 'src/engine/index.ts')
        .map((e) => `${f} imports ${e.spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
