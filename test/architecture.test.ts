// Holds the one-way import lines of design.md: the engine and the components touch the world only through ports.
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from './support/import-graph.js';

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
      const offenders = files.flatMap((f) => importsOf(f).map((e) => e.spec).filter((i) => rule.forbidden.test(i)).map((i) => `${f} imports ${i}`));
      expect(offenders).toEqual([]);
    });
  }

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
