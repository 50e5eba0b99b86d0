// `keyturn completion bash|zsh|fish` (issue #17): each script parses in its shell, and bash's completes as a
// person pressing tab would (the function driven through COMP_WORDS in a real bash) with the recipe names, the
// node names remembered by the last scan (settings) and the kubeconfig's contexts.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipeNames } from '../../recipes/index.js';
import { Settings } from '../../src/settings/settings.js';
import { findBinary } from '../support/binaries.js';
import { cliArgs } from '../support/paths.js';

const exec = promisify(execFile);
let dir = '';
let env: NodeJS.ProcessEnv = {};

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:6443' } }]
users: [{ name: u, user: {} }]
contexts:
  - { name: prod-east, context: { cluster: c, user: u } }
  - { name: lab-west, context: { cluster: c, user: u } }
  - { name: "bad name; rm -rf /", context: { cluster: c, user: u } }
current-context: prod-east
`;

async function script(shell: string): Promise<string> {
  const { stdout } = await exec(process.execPath, [...cliArgs, 'completion', shell], { env });
  return stdout;
}

/** What bash offers for `line` (a trailing space: completing a new word), through the printed script. */
async function complete(bashScript: string, line: string): Promise<string[]> {
  const file = path.join(dir, 'keyturn.bash');
  await writeFile(file, bashScript);
  const driver =
    'source "$1"; read -ra COMP_WORDS <<<"$2"; [[ $2 == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _keyturn; printf "%s\\n" "${COMPREPLY[@]}"';
  const { stdout } = await exec('bash', ['-c', driver, 'bash', file, line]);
  return stdout.split('\n').filter(Boolean);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kt-completion-'));
  const configDir = path.join(dir, 'config');
  new Settings(configDir).remember('https://127.0.0.1:6443', [
    { name: 'etcd-1', address: '10.0.0.1', roles: ['etcd'] },
    { name: 'cp-1', address: '10.0.0.2', roles: ['control-plane'] },
  ] as never);
  await writeFile(path.join(dir, 'kubeconfig'), KUBECONFIG);
  env = { ...process.env, KEYTURN_CONFIG_DIR: configDir, KUBECONFIG: path.join(dir, 'kubeconfig') };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('keyturn completion', () => {
  it('bash: the script parses (bash -n) and completes commands, recipes, remembered nodes, contexts and choices', async () => {
    const bash = await script('bash');
    const file = path.join(dir, 'check.bash');
    await writeFile(file, bash);
    await exec('bash', ['-n', file]);
    expect(await complete(bash, 'keyturn pl')).toEqual(['plan']);
    expect(await complete(bash, 'keyturn plan ')).toEqual(recipeNames());
    expect(await complete(bash, 'keyturn run rotate-c')).toEqual(['rotate-certs', 'rotate-ca']);
    expect(await complete(bash, 'keyturn --kubeconfig ./k run ')).toEqual(recipeNames());
    expect(await complete(bash, 'keyturn plan rotate-ca ')).toEqual([]);
    expect(await complete(bash, 'keyturn lab ')).toEqual(['up', 'fault']);
    expect(await complete(bash, 'keyturn lab fault stop-service --node ')).toEqual(['cp-1', 'etcd-1']);
    // A context with shell syntax in its name is left out, never run.
    expect(await complete(bash, 'keyturn status --context ')).toEqual(['prod-east', 'lab-west']);
    expect(await complete(bash, 'keyturn lab up --distro ')).toEqual(['rke2', 'k3s']);
    expect(await complete(bash, 'keyturn completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(await complete(bash, 'keyturn status --o')).toEqual(['--output']);
  });

  it('zsh: the script carries the same words and parses (zsh -n, when zsh is installed)', async () => {
    const zsh = await script('zsh');
    expect(zsh).toMatch(/^#compdef keyturn/);
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('prod-east lab-west');
    expect(zsh).toContain('cp-1 etcd-1');
    const zshBinary = findBinary('zsh');
    if (!zshBinary) {
      if (process.env.CI)
        throw new Error('zsh is not installed: CI must parse the zsh completion script (.ci/run installs it)');
      console.warn(
        '\n!!! zsh is not installed: the zsh completion script was NOT parsed by zsh (apt-get install zsh) !!!\n',
      );
      return;
    }
    const file = path.join(dir, 'keyturn.zsh');
    await writeFile(file, zsh);
    await exec(zshBinary, ['-n', file]);
  });

  it('fish: one complete line per command and option, with the same words (fish -n, when fish is installed)', async () => {
    const fish = await script('fish');
    expect(fish).toContain(`complete -c keyturn -n '__fish_seen_subcommand_from plan' -a '${recipeNames().join(' ')}'`);
    expect(fish).toContain("-l context -x -a 'prod-east lab-west'");
    expect(fish).toContain("-l node -x -a 'cp-1 etcd-1'");
    expect(fish).not.toContain('rm -rf');
    const fishBinary = findBinary('fish');
    if (!fishBinary) {
      if (process.env.CI)
        throw new Error('fish is not installed: CI must parse the fish completion script (.ci/run installs it)');
      console.warn(
        '\n!!! fish is not installed: the fish completion script was NOT parsed by fish (apt-get install fish) !!!\n',
      );
      return;
    }
    const file = path.join(dir, 'keyturn.fish');
    await writeFile(file, fish);
    await exec(fishBinary, ['-n', file]);
  });

  it('an unknown shell is bad input: one line naming the shells, exit 2', async () => {
    const err = await exec(process.execPath, [...cliArgs, 'completion', 'tcsh'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({
      code: 2,
      stderr: "keyturn: completion: unknown shell 'tcsh'; shells: bash, zsh, fish\n",
    });
  });
});
