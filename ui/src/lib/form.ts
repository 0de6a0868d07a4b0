/**
 * The run form of a function, generated from its `execute` description: one draft per
 * argument, typed by its ArgType, with defaults filled in. A draft keeps what the user typed
 * (numbers as text, so a big integer stays exact) and becomes the JSON text of the run request;
 * the server's own argument check (src/domain/arguments.ts) says what is wrong, as it would.
 */
import { checkArguments, describeType, parseArguments } from '../../../src/domain/arguments.js'
import type { ArgType } from '../../../src/domain/function.js'

export type { ArgType }

export type Draft =
  | { kind: 'int' | 'double' | 'string'; text: string }
  | { kind: 'boolean'; value: boolean }
  /** An optional value: `set` false sends nothing (the function's default, or None). */
  | { kind: 'option'; set: boolean; inner: Draft; type: ArgType }
  | { kind: 'list'; items: Draft[]; item: ArgType }
  | { kind: 'map'; entries: { key: string; value: Draft }[]; value: ArgType }
  /** MAny and MObj: edited as JSON. */
  | { kind: 'json'; text: string }

export interface Field {
  name: string
  type: ArgType
  /** In words: "an integer or null". */
  hint: string
  hasDefault: boolean
}

export function fieldsOf(execute: Record<string, ArgType>, defaults: Record<string, unknown> = {}): Field[] {
  return Object.entries(execute).map(([name, type]) => ({ name, type, hint: describeType(type), hasDefault: name in defaults }))
}

/** A draft for a value of `type`, holding `initial` when given (a default, or a previous run's argument). */
export function draftOf(type: ArgType, initial?: unknown): Draft {
  switch (type.type) {
    case 'MInt':
    case 'MDouble':
      return { kind: type.type === 'MInt' ? 'int' : 'double', text: typeof initial === 'number' || typeof initial === 'bigint' ? String(initial) : typeof initial === 'string' ? initial : '' }
    case 'MString':
      return { kind: 'string', text: typeof initial === 'string' ? initial : '' }
    case 'MBoolean':
      return { kind: 'boolean', value: initial === true }
    case 'MOption':
      return { kind: 'option', set: initial !== undefined && initial !== null, inner: draftOf(type.args[0], initial ?? undefined), type: type.args[0] }
    case 'MList':
      return { kind: 'list', items: Array.isArray(initial) ? initial.map((item) => draftOf(type.args[0], item)) : [], item: type.args[0] }
    case 'MMap':
      return {
        kind: 'map',
        entries: isRecord(initial) ? Object.entries(initial).map(([key, value]) => ({ key, value: draftOf(type.args[1], value) })) : [],
        value: type.args[1],
      }
    case 'MAny':
    case 'MObj':
      return { kind: 'json', text: initial === undefined ? '' : JSON.stringify(initial, null, 2) }
  }
}

/** The drafts of a form, from the function's defaults or from earlier arguments (Run again). */
export function initialDrafts(fields: readonly Field[], values: Record<string, unknown> = {}): Record<string, Draft> {
  return Object.fromEntries(fields.map((field) => [field.name, draftOf(field.type, values[field.name])]))
}

/**
 * The JSON text of a draft, or undefined when it sends nothing (an unset option). Text that is
 * not a valid literal is sent as a JSON string, so the server's check names it precisely.
 */
export function jsonOf(draft: Draft): string | undefined {
  switch (draft.kind) {
    case 'int':
      return /^-?\d+$/.test(draft.text.trim()) ? draft.text.trim() : draft.text === '' ? undefined : JSON.stringify(draft.text)
    case 'double':
      return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(draft.text.trim()) ? draft.text.trim() : draft.text === '' ? undefined : JSON.stringify(draft.text)
    case 'string':
      return JSON.stringify(draft.text)
    case 'boolean':
      return String(draft.value)
    case 'option':
      return draft.set ? jsonOf(draft.inner) : undefined
    case 'list':
      return `[${draft.items.map((item) => jsonOf(item) ?? 'null').join(',')}]`
    case 'map':
      return `{${draft.entries.map(({ key, value }) => `${JSON.stringify(key)}:${jsonOf(value) ?? 'null'}`).join(',')}}`
    case 'json':
      return draft.text.trim() === '' ? undefined : draft.text
  }
}

export type Outcome = { ok: true; body: string } | { ok: false; problems: Record<string, string[]> }

/** The run request's body, or every problem by argument name ('' for the request as a whole). */
export function requestOf(fields: readonly Field[], drafts: Record<string, Draft>, execute: Record<string, ArgType>): Outcome {
  const problems: Record<string, string[]> = {}
  const add = (name: string, problem: string) => (problems[name] ??= []).push(problem)
  const members: string[] = []
  for (const field of fields) {
    const draft = drafts[field.name]
    const json = draft && jsonOf(draft)
    if (json === undefined) continue
    if (draft?.kind === 'json' || hasJson(draft)) {
      try {
        JSON.parse(json)
      } catch (error) {
        add(field.name, `${field.name} is not valid JSON (${(error as Error).message})`)
        continue
      }
    }
    members.push(`${JSON.stringify(field.name)}:${json}`)
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems }
  const body = `{${members.join(',')}}`
  for (const problem of checkArguments(parseArguments(body), execute)) {
    const name = fields.find((field) => problem.startsWith(field.name))?.name ?? ''
    add(name, problem)
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, body }
}

function hasJson(draft: Draft | undefined): boolean {
  if (!draft) return false
  if (draft.kind === 'json') return true
  if (draft.kind === 'option') return hasJson(draft.inner)
  if (draft.kind === 'list') return draft.items.some(hasJson)
  if (draft.kind === 'map') return draft.entries.some((entry) => hasJson(entry.value))
  return false
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
