/**
 * What a subcommand is (name, options, help with examples, what its words complete to) and
 * how its arguments are read: node's parseArgs, strict, with the global options every client
 * command takes (--url, --token, --no-color, --help). Help and shell completion are both
 * generated from these descriptions, so they cannot drift apart.
 */
import { parseArgs } from 'node:util'
import { DEFAULT_URL, HazeClient } from './client.js'
import { usageError } from './errors.js'
import { colourWanted, makeStyle, type Style } from './output.js'

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** The placeholder shown in help, e.g. JSON, NAME. */
  value?: string
  help: string
  /** What the shell completes the option's value to. */
  complete?: 'file' | 'dir' | readonly string[]
}

export interface CommandSpec {
  name: string
  summary: string
  /** The arguments after `haze <name>`, e.g. `FUNCTION [options]`. */
  usage: string
  description?: string
  options: Record<string, OptionSpec>
  examples: string[]
  /** What each positional completes to in the shell (see Positional). */
  positionals?: readonly Positional[]
  run(context: CommandContext): Promise<number>
}

/**
 * A positional's completion: fixed words (kinds such as `functions`), a local file, the names
 * the server has of a kind (`function`, `job`), or `name`: names of the kind given just before.
 */
export type Positional = readonly string[] | 'file' | 'function' | 'job' | 'name'

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', value: 'URL', help: `The Haze server (HAZE_URL; default ${DEFAULT_URL})` },
  token: { type: 'string', value: 'TOKEN', help: 'API token, sent as "Authorization: Bearer" (HAZE_TOKEN)' },
  'no-color': { type: 'boolean', help: 'No colour, even on a terminal (also NO_COLOR)' },
  help: { type: 'boolean', short: 'h', help: 'Show this help' },
}

export interface CommandContext {
  positionals: string[]
  string(name: string): string | undefined
  strings(name: string): string[]
  flag(name: string): boolean
  client(): HazeClient
  /** Styles for stdout and stderr, each coloured only if that stream is a terminal. */
  out: Style
  err: Style
  print(text: string): void
  note(text: string): void
  env: NodeJS.ProcessEnv
}

export function parseCommand(spec: CommandSpec, args: string[], env: NodeJS.ProcessEnv): CommandContext | 'help' {
  const options = { ...spec.options, ...GLOBAL_OPTIONS }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: Object.fromEntries(
        Object.entries(options).map(([name, option]) => [
          name,
          { type: option.type, ...(option.short ? { short: option.short } : {}), ...(option.multiple ? { multiple: true } : {}) },
        ]),
      ),
    })
  } catch (error) {
    throw usageError(`${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}; see \`haze ${spec.name} --help\``)
  }
  const values = parsed.values as Record<string, string | boolean | Array<string | boolean> | undefined>
  if (values.help === true) return 'help'
  const noColor = values['no-color'] === true
  const url = (typeof values.url === 'string' ? values.url : env.HAZE_URL || DEFAULT_URL).replace(/\/+$/, '')
  const token = typeof values.token === 'string' ? values.token : env.HAZE_TOKEN || undefined
  let client: HazeClient | undefined
  return {
    positionals: parsed.positionals,
    string: (name) => {
      const value = values[name]
      return typeof value === 'string' ? value : undefined
    },
    strings: (name) => {
      const value = values[name]
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : []
    },
    flag: (name) => values[name] === true,
    client: () => {
      if (!/^https?:\/\/[^/]/.test(url)) throw usageError(`--url must be an http:// or https:// address; got ${JSON.stringify(url)}`)
      client ??= new HazeClient({ url, token })
      return client
    },
    out: makeStyle(colourWanted(process.stdout, env, noColor)),
    err: makeStyle(colourWanted(process.stderr, env, noColor)),
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    note: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env,
  }
}

export function helpOf(spec: CommandSpec): string {
  const optionLines = (options: Record<string, OptionSpec>) => {
    const rows = Object.entries(options).map(([name, option]) => {
      const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`
      return [flag, option.help] as const
    })
    const width = Math.max(...rows.map(([flag]) => flag.length))
    return rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`).join('\n')
  }
  return [
    `Usage: haze ${spec.name} ${spec.usage}`.trimEnd(),
    '',
    spec.description ?? spec.summary,
    ...(Object.keys(spec.options).length > 0 ? ['', 'Options:', optionLines(spec.options)] : []),
    '',
    'Global options:',
    optionLines(GLOBAL_OPTIONS),
    '',
    'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n')
}

/** The one positional a command needs, or a usage error naming it. */
export function required(context: CommandContext, index: number, what: string, command: string): string {
  const value = context.positionals[index]
  if (value === undefined || value === '') throw usageError(`needs ${what}; see \`haze ${command} --help\``)
  return value
}

/** Refuses words after the last expected positional, which would otherwise be silently ignored. */
export function noMore(context: CommandContext, count: number, command: string): void {
  const extra = context.positionals[count]
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}; see \`haze ${command} --help\``)
}

/** Picks a kind word (`jobs`, `job`, …) from a list, accepting singular and plural. */
export function kindOf<K extends string>(word: string | undefined, kinds: readonly K[], command: string): K {
  const found = kinds.find((kind) => kind === word || `${kind}s` === word || kind === `${word}s`)
  if (!found) {
    const got = word === undefined ? 'nothing' : JSON.stringify(word)
    throw usageError(`needs one of ${kinds.join(', ')}; got ${got}; see \`haze ${command} --help\``)
  }
  return found
}
