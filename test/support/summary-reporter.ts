// Prints the 10 slowest test files, then one closing line "tests: N passed, N failed, N skipped" that CI reads,
// whatever the runner's own format. KEYTURN_TEST_TIMINGS=<file> also writes every file's time there (JSON), to
// compare runs file by file.
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

const SLOWEST = 10;

/** A file's own wall time: importing it, its setup, and its tests and hooks. */
function fileMs(mod: TestModule): number {
  const d = mod.diagnostic();
  return d.setupDuration + d.collectDuration + d.duration;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed += 1; // a file that failed to load
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    const files = testModules
      .map((mod) => ({
        file: mod.relativeModuleId,
        project: mod.project.name,
        ms: Math.round(fileMs(mod)),
        tests: [...mod.children.allTests()].length,
      }))
      .sort((a, b) => b.ms - a.ms);
    if (process.env.KEYTURN_TEST_TIMINGS)
      writeFileSync(process.env.KEYTURN_TEST_TIMINGS, `${JSON.stringify(files, null, 1)}\n`);
    if (files.length > 1) {
      const lines = files
        .slice(0, SLOWEST)
        .map(
          (f) =>
            `  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.file} (${f.tests} tests${f.project ? `, ${f.project}` : ''})`,
        );
      process.stdout.write(`\nslowest ${Math.min(SLOWEST, files.length)} test files:\n${lines.join('\n')}\n`);
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
