// `keyturn completion bash|zsh|fish`: a completion script for the shell, printed to stdout. The commands and
// options come from the commander program itself (one home: cli.tsx); the words it offers besides are read when
// the script is printed — recipe names, the node names remembered from the last scans (settings), and the contexts
// of the kubeconfig kubectl would read. Re-source the script after a scan of a new cluster to offer its nodes.
import type { Command, Option } from 'commander';
import { recipeNames } from '../../recipes/index.js';
import { UsageError } from '../errors.js';
import { Settings } from '../settings/settings.js';
import { kubeconfigContextNames } from '../transports/kube-config.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** What an option's value completes to. */
type ValueKind = { kind: 'file' } | { kind: 'words'; words: readonly string[] } | { kind: 'none' };

interface OptionSpec {
  flags: string[];
  value: ValueKind | null;
}

interface CommandSpec {
  /** 'status', 'lab up'… ('' for keyturn itself). */
  path: string;
  options: OptionSpec[];
  subcommands: string[];
  /** Words for the first operand (recipe names for plan and run). */
  operands: readonly string[];
}

export interface CompletionWords {
  recipes: readonly string[];
  nodes: readonly string[];
  contexts: readonly string[];
}

// Words go into the script inside quotes: names with shell syntax in them (node and context names are text from
// the cluster and the kubeconfig) are left out rather than escaped three ways.
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]*$/;
const safe = (words: readonly string[]) => [...new Set(words.filter((w) => SAFE_WORD.test(w)))];

const FILE_OPTIONS = new Set(['--kubeconfig', '--inventory', '--state-dir', '--dir']);

function valueKind(option: Option, words: CompletionWords): ValueKind | null {
  if (!option.required && !option.optional) return null;
  if (option.long && FILE_OPTIONS.has(option.long)) return { kind: 'file' };
  if (option.long === '--context') return { kind: 'words', words: words.contexts };
  if (option.long === '--node') return { kind: 'words', words: words.nodes };
  if (option.argChoices) return { kind: 'words', words: option.argChoices };
  if (option.long === '--output') return { kind: 'words', words: ['json', 'yaml'] };
  return { kind: 'none' };
}

/** Every command of the program, depth first, with its options and what its operands complete to. */
export function commandSpecs(program: Command, words: CompletionWords): CommandSpec[] {
  const out: CommandSpec[] = [];
  const visit = (cmd: Command, path: string) => {
    const subcommands = cmd.commands.map((c) => c.name());
    const operandName = cmd.registeredArguments[0]?.name();
    const operands = operandName === 'recipe' ? words.recipes : operandName === 'shell' ? SHELLS : [];
    const options = cmd.options
      .filter((o) => !o.hidden)
      .map((o) => ({ flags: [o.short, o.long].filter((f): f is string => !!f), value: valueKind(o, words) }));
    options.push({ flags: ['-h', '--help'], value: null });
    out.push({ path, options, subcommands, operands: safe(operands) });
    for (const sub of cmd.commands) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
  return out;
}

const words = (list: readonly string[]) => safe(list).join(' ');

function bashScript(specs: CommandSpec[], name: string): string {
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  // A flag that takes a value on one command and none on another (keyturn -V/--version, lab up --version <v>) is
  // left to the plain option list: the script reads words without knowing which command owns the flag.
  const flagless = new Set(specs.flatMap((s) => s.options.filter((o) => !o.value).flatMap((o) => o.flags)));
  const valueOptions = specs
    .flatMap((s) => s.options.filter((o) => o.value).flatMap((o) => o.flags))
    .filter((f) => !flagless.has(f));
  const valueCases = new Map<string, string>();
  for (const s of specs) {
    for (const o of s.options) {
      if (!o.value || o.flags.some((f) => flagless.has(f))) continue;
      const reply =
        o.value.kind === 'file'
          ? 'COMPREPLY=($(compgen -f -- "$cur"))'
          : o.value.kind === 'words'
            ? `COMPREPLY=($(compgen -W "${words(o.value.words)}" -- "$cur"))`
            : 'COMPREPLY=()';
      for (const f of o.flags) if (!valueCases.has(f)) valueCases.set(f, reply);
    }
  }
  const commandCases = specs.map((s) => {
    const opts = s.options.flatMap((o) => o.flags).join(' ');
    const next = s.subcommands.length > 0 ? s.subcommands : s.operands;
    return `    '${s.path}') opts="${opts}"; nexts="${words(next)}" ;;`;
  });
  return `# ${name} completion for bash (printed by \`keyturn completion bash\`): source it, or save it as
# ~/.local/share/bash-completion/completions/${name}. Recipe, node and context names are those known when printed.
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local path='' operands=0 w i opts nexts subs
  case $prev in
${[...valueCases].map(([flag, reply]) => `    ${flag}) ${reply}; return 0 ;;`).join('\n')}
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    case $w in
      ${valueOptions.length > 0 ? [...new Set(valueOptions)].join('|') : '--'}) ((i++)); continue ;;
      -*) continue ;;
    esac
    subs=''
    case $path in
${specs.map((s) => `      '${s.path}') subs=" ${words(s.subcommands)} " ;;`).join('\n')}
    esac
    if [[ $operands -eq 0 && $subs == *" $w "* ]]; then path=\${path:+$path }$w; else ((operands++)); fi
  done
  opts=''; nexts=''
  case $path in
${commandCases.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ $operands -eq 0 ]]; then
    COMPREPLY=($(compgen -W "$nexts" -- "$cur"))
  else
    COMPREPLY=()
  fi
  return 0
}
complete -F ${fn} ${name}
`;
}

function zshScript(specs: CommandSpec[], name: string): string {
  // zsh runs bash completion functions through bashcompinit (part of zsh): one script to keep, not two.
  return `#compdef ${name}
# ${name} completion for zsh (printed by \`keyturn completion zsh\`): source it from ~/.zshrc.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(specs, name).split('\n').slice(2).join('\n')}`;
}

function fishScript(specs: CommandSpec[], name: string): string {
  const lines = [
    `# ${name} completion for fish (printed by \`keyturn completion fish\`): save it as ~/.config/fish/completions/${name}.fish.`,
    `complete -c ${name} -f`,
  ];
  for (const s of specs) {
    const parts = s.path === '' ? [] : s.path.split(' ');
    // The words before must all be seen, and nothing deeper: fish's own helpers, one condition per level.
    const seen = parts.map((p) => `__fish_seen_subcommand_from ${p}`);
    const deeper = s.subcommands.length > 0 ? [`not __fish_seen_subcommand_from ${s.subcommands.join(' ')}`] : [];
    const condition = [...(parts.length === 0 ? ['__fish_use_subcommand'] : seen), ...deeper].join('; and ');
    const next = s.subcommands.length > 0 ? s.subcommands : s.operands;
    if (next.length > 0) lines.push(`complete -c ${name} -n '${condition}' -a '${words(next)}'`);
    for (const o of s.options) {
      const flags = o.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
      const value = !o.value
        ? ''
        : o.value.kind === 'file'
          ? ' -r -F'
          : o.value.kind === 'words'
            ? ` -x -a '${words(o.value.words)}'`
            : ' -x';
      lines.push(
        `complete -c ${name} -n '${parts.length === 0 ? '__fish_use_subcommand' : seen.join('; and ')}' ${flags}${value}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(
  shell: Shell,
  program: Command,
  completionWords: CompletionWords,
  name = 'keyturn',
): string {
  const specs = commandSpecs(program, completionWords);
  switch (shell) {
    case 'bash':
      return bashScript(specs, name);
    case 'zsh':
      return zshScript(specs, name);
    case 'fish':
      return fishScript(specs, name);
  }
}

/** The words known now; a missing or broken kubeconfig or settings file only leaves its words out. */
export function currentWords(kubeconfig: string | undefined): CompletionWords {
  const attempt = (read: () => string[]) => {
    try {
      return read();
    } catch {
      return [];
    }
  };
  return {
    recipes: recipeNames(),
    nodes: attempt(() => new Settings().rememberedNodeNames()),
    contexts: attempt(() => kubeconfigContextNames(kubeconfig)),
  };
}

export function runCompletion(shell: string, program: Command, opts: { kubeconfig?: string }): number {
  if (!(SHELLS as readonly string[]).includes(shell))
    throw new UsageError(`completion: unknown shell '${shell}'; shells: ${SHELLS.join(', ')}`);
  process.stdout.write(completionScript(shell as Shell, program, currentWords(opts.kubeconfig)));
  return 0;
}
