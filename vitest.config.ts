import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { splitTestFiles } from './test/support/projects.js';

// Two projects (test/support/projects.ts decides which file goes where): `unit`, the inner loop (`npm run
// test:unit`: no labs, sshd, tmux, etcd or CLI children), and `system`, everything that starts real processes.
// Both spawn the built CLI: globalSetup rebuilds dist/ first when it is older than the sources.
const { unit, system } = splitTestFiles(path.dirname(fileURLToPath(import.meta.url)));

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['./test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: unit, setupFiles: ['./test/support/unit-guard.ts'] } },
      { extends: true, test: { name: 'system', include: system } },
    ],
  },
});
