/**
 * `haze completion bash|zsh`: shell completion scripts, generated from the commands'
 * descriptions (so a new option completes without anyone remembering to add it). Names the
 * server has (functions, jobs, contexts …) come from the hidden `haze __names KIND`, which
 * prints one per line and nothing at all when the server cannot be reached.
 */
import type { CommandContext, CommandSpec, OptionSpec, Positional } from './command.js'
import { GLOBAL_OPTIONS, kindOf, noMore } from './command.js'
import { EXIT } from './errors.js'

/** The commands main.ts serves itself, which complete too. */
const SERVER_COMMANDS: Array<{ name: string; summary: string; options: string[] }> = [
  { name: 'start', summary: 'Serve the API, the UI and the workers', options: ['--host', '--port', '--data-dir', '--config', '--python'] },
  { name: 'version', summary: "Print Haze's version", options: [] },
  { name: 'migrate-store', summary: 'Copy a SQLite store into PostgreSQL', options: ['--from', '--to', '--help'] },
]

export function completionCommand(commands: () => CommandSpec[]): CommandSpec {
  return {
    name: 'completion',
    summary: 'Print the bash or zsh completion script',
    usage: 'bash|zsh',
    description: 'Prints a completion script for bash or zsh; load it from your shell start-up file.',
    options: {},
    examples: [
      'haze completion bash > /etc/bash_completion.d/haze   # or: source <(haze completion bash) in ~/.bashrc',
      'haze completion zsh > "${fpath[1]}/_haze"             # then start a new zsh',
    ],
    positionals: [['bash', 'zsh']],
    async run(context: CommandContext): Promise<number> {
      const shell = kindOf(context.positionals[0], ['bash', 'zsh'] as const, 'completion')
      noMore(context, 1, 'completion')
      const all = [...commands(), this]
      context.print(shell === 'bash' ? bashScript(all) : zshScript(all))
      return EXIT.ok
    },
  }
}

/** `haze __names KIND`: names for completion; silent (and exit 0) whatever goes wrong. */
export const namesCommand: CommandSpec = {
  name: '__names',
  summary: 'Names the server has of a kind, for shell completion',
  usage: 'function|job|context|worker|artifact',
  options: {},
  examples: ['haze __names function'],
  async run(context: CommandContext): Promise<number> {
    try {
      const kind = context.positionals[0]
      const client = context.client()
      // A shell waits for completion: a server that does not answer within 2 s gets no say.
      const signal = AbortSignal.timeout(2000)
      const read = async (path: string) => JSON.parse(await client.text(path, { signal })) as unknown
      const names = await (async (): Promise<string[]> => {
        if (kind === 'function') return ((await read('/v2/api/functions')) as Array<{ name: string }>).map((item) => item.name)
        if (kind === 'context') return ((await read('/v2/api/contexts')) as Array<{ name: string }>).map((item) => item.name)
        if (kind === 'worker') return ((await read('/v2/api/workers')) as Array<{ name: string }>).map((item) => item.name)
        if (kind === 'job') return ((await read('/v2/api/jobs?limit=50')) as Array<{ jobId: string }>).map((item) => item.jobId)
        if (kind === 'artifact') return (await read('/v2/api/artifacts')) as string[]
        return []
      })()
      if (names.length > 0) context.print(names.join('\n'))
    } catch {
      // completion must never print an error into the user's command line
    }
    return EXIT.ok
  },
}

const optionsOf = (spec: { options: Record<string, OptionSpec> }) => ({ ...spec.options, ...GLOBAL_OPTIONS })

function bashScript(commands: CommandSpec[]): string {
  const names = [...SERVER_COMMANDS.map((command) => command.name), ...commands.map((command) => command.name)].filter((name) => !name.startsWith('__'))
  const cases = commands.map((spec) => {
    const options = optionsOf(spec)
    const flags = Object.entries(options).flatMap(([name, option]) => [`--${name}`, ...(option.short ? [`-${option.short}`] : [])])
    const valueCases = Object.entries(options)
      .filter(([, option]) => option.type === 'string')
      .map(([name, option]) => {
        const patterns = [`--${name}`, ...(option.short ? [`-${option.short}`] : [])].join('|')
        const action =
          option.complete === 'file' ? 'COMPREPLY=($(compgen -f -- "$cur"))' : option.complete === 'dir' ? 'COMPREPLY=($(compgen -d -- "$cur"))' : Array.isArray(option.complete) ? `COMPREPLY=($(compgen -W "${option.complete.join(' ')}" -- "$cur"))` : name === 'context' ? 'COMPREPLY=($(compgen -W "$(_haze_names context)" -- "$cur"))' : name === 'function' ? 'COMPREPLY=($(compgen -W "$(_haze_names function)" -- "$cur"))' : 'COMPREPLY=()'
        return `        ${patterns}) ${action}; return ;;`
      })
    const positional = (spec.positionals ?? []).map((kind, index) => `        ${index}) ${bashPositional(kind)} ;;`)
    return [
      `    ${spec.name})`,
      '      case "$prev" in',
      ...valueCases,
      '      esac',
      `      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${flags.join(' ')}" -- "$cur")); return; fi`,
      '      case "$position" in',
      ...positional,
      '      esac',
      '      ;;',
    ].join('\n')
  })
  // Options that take a value: the word after one is that value, not a positional.
  const valueFlags = [...new Set(commands.flatMap((spec) => Object.entries(optionsOf(spec)).filter(([, option]) => option.type === 'string').flatMap(([name, option]) => [`--${name}`, ...(option.short ? [`-${option.short}`] : [])])))]
  return `# bash completion for haze; load with: source <(haze completion bash)
_haze_names() { haze __names "$1" 2>/dev/null; }
_haze() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${names.join(' ')}" -- "$cur")); return
  fi
  local command="\${COMP_WORDS[1]}" position=-1 i kind=""
  # The index of the positional being completed, and the kind word before it, skipping options.
  for ((i = 2; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) case "\${COMP_WORDS[i-1]}" in ${valueFlags.join('|')}) ;; *) position=$((position + 1)); [[ $position -eq 0 ]] && kind="\${COMP_WORDS[i]%s}" ;; esac ;;
    esac
  done
  position=$((position + 1))
  case "$command" in
${SERVER_COMMANDS.filter((command) => command.options.length > 0).map((command) => `    ${command.name}) COMPREPLY=($(compgen -W "${command.options.join(' ')}" -- "$cur")) ;;`).join('\n')}
${cases.join('\n')}
  esac
}
complete -o default -F _haze haze`
}

function bashPositional(kind: Positional): string {
  if (kind === 'file') return 'COMPREPLY=($(compgen -f -- "$cur"))'
  if (kind === 'name') return 'COMPREPLY=($(compgen -W "$(_haze_names "$kind")" -- "$cur"))'
  if (Array.isArray(kind)) return `COMPREPLY=($(compgen -W "${kind.join(' ')}" -- "$cur"))`
  return `COMPREPLY=($(compgen -W "$(_haze_names ${kind as string})" -- "$cur"))`
}

function zshScript(commands: CommandSpec[]): string {
  const quote = (text: string) => text.replace(/'/g, `'\\''`).replace(/[[\]:]/g, (char) => (char === ':' ? ' -' : char === '[' ? '(' : ')'))
  const commandList = [...SERVER_COMMANDS, ...commands]
    .filter((command) => !command.name.startsWith('__'))
    .map((command) => `    '${command.name}:${quote(command.summary)}'`)
  const cases = commands.map((spec) => {
    const specs = Object.entries(optionsOf(spec)).flatMap(([name, option]) => {
      const value = option.type === 'string' ? `:${(option.value ?? 'value').toLowerCase()}:${zshValue(name, option)}` : ''
      const flag = `--${name}${option.type === 'string' ? '=' : ''}`
      const repeat = option.multiple ? '*' : ''
      const long = `'${repeat}${flag}[${quote(option.help)}]${value}'`
      return option.short ? [long, `'${repeat}-${option.short}[${quote(option.help)}]${value}'`] : [long]
    })
    const positionals = (spec.positionals ?? []).map((kind, index) => `'${index + 1}:${zshPositionalName(kind)}:${zshPositional(kind)}'`)
    return `    ${spec.name}) _arguments -s ${[...specs, ...positionals].join(' ')} ;;`
  })
  return `#compdef haze
# zsh completion for haze; install with: haze completion zsh > "\${fpath[1]}/_haze"
_haze_names() {
  local -a names
  names=(\${(f)"$(haze __names $1 2>/dev/null)"})
  compadd -a names
}
_haze_kind_names() {
  local kind=\${words[2]%s}
  _haze_names $kind
}
_haze() {
  local -a commands
  commands=(
${commandList.join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local command=\${words[2]}
  shift words
  (( CURRENT-- ))
  case $command in
    start) _arguments -s '--host=[listen address]:host:' '--port=[listen port]:port:' '--data-dir=[data directory]:dir:_files -/' '--config=[config file]:file:_files' '--python=[python]:python:_files' ;;
    migrate-store) _arguments -s '--from=[the SQLite store]:store:_files' '--to=[the PostgreSQL URL]:url:' '--help[show the help]' ;;
${cases.join('\n')}
  esac
}
_haze "$@"`
}

function zshValue(name: string, option: OptionSpec): string {
  if (option.complete === 'file') return '_files'
  if (option.complete === 'dir') return '_files -/'
  if (Array.isArray(option.complete)) return `(${option.complete.join(' ')})`
  if (name === 'context' || name === 'function') return `{_haze_names ${name}}`
  return ''
}

function zshPositionalName(kind: Positional): string {
  return Array.isArray(kind) ? 'kind' : (kind as string)
}

function zshPositional(kind: Positional): string {
  if (kind === 'file') return '_files'
  if (kind === 'name') return '_haze_kind_names'
  if (Array.isArray(kind)) return `(${kind.join(' ')})`
  return `{_haze_names ${kind as string}}`
}
