// ESLint: typescript-eslint's recommended rules over the product, the tests and the build scripts. Not type-aware:
// the typed rules build a TypeScript program on every run, and `npm run typecheck` already runs tsc. ESLint's own
// "recommended" set is not installed (@eslint/js); typescript-eslint's brings the part of it TypeScript does not
// already check.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore names what a signature or a destructuring must take and the code does not use
      // (`_options` of a port method, `{ _kind, ...rest }` to drop a field).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read JSON replies of the lab's API and etcd as `any` and pin their shape with expect(): a wrong
    // shape fails the assertion, which is the check a type would give.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
