/**
 * Checks a job's arguments against its function's signature before any job exists, so that a
 * bad call is a 400 naming each bad argument, not a failed job. Arguments are parsed without
 * loss (numbers stay text) and forwarded to the worker as the text the client sent.
 */
import { isLosslessNumber, parse, type LosslessNumber } from 'lossless-json'
import { badRequest } from './errors.js'
import type { ArgType } from './function.js'

type Value = null | boolean | string | LosslessNumber | Value[] | { [key: string]: Value }

/**
 * Deepest nesting of arrays and objects accepted in arguments. The worker's Python reads them
 * with `json`, which gives up near 1,000 levels (its recursion limit), and the lossless parser
 * here recurses too: refusing deeper documents up front keeps both from failing obscurely.
 */
export const MAX_ARGUMENT_DEPTH = 500

/** How deep arrays and objects nest in a JSON text (strings skipped); stops counting past `limit`. */
function nesting(text: string, limit: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (inString) {
      if (char === 0x5c) i++ // backslash: skip the escaped character
      else if (char === 0x22) inString = false
    } else if (char === 0x22) inString = true
    else if (char === 0x5b || char === 0x7b) {
      depth++
      if (depth > deepest && (deepest = depth) > limit) return deepest
    } else if (char === 0x5d || char === 0x7d) depth--
  }
  return deepest
}

/** Parses the body of a run request: it must be a JSON object. */
export function parseArguments(text: string): Record<string, Value> {
  if (nesting(text, MAX_ARGUMENT_DEPTH) > MAX_ARGUMENT_DEPTH) {
    throw badRequest(`the arguments nest arrays and objects more than ${MAX_ARGUMENT_DEPTH} levels deep; flatten them`)
  }
  let value: Value
  try {
    value = parse(text) as Value
  } catch (error) {
    throw badRequest(`the arguments are not valid JSON: ${(error as Error).message}`)
  }
  if (!isObject(value)) throw badRequest(`the arguments must be a JSON object of argument name → value; got ${kindOf(value)}`)
  return value
}

/**
 * Every problem with the arguments, as sentences; empty when they fit. Arguments not in the
 * signature are refused: Python would reject them as unexpected keywords.
 */
export function checkArguments(args: Record<string, Value>, signature: Record<string, ArgType>): string[] {
  const problems: string[] = []
  for (const [name, type] of Object.entries(signature)) {
    const value = args[name]
    if (value === undefined || value === null) {
      if (type.type !== 'MOption' && type.type !== 'MAny') problems.push(`${name} is required (${describeType(type)})`)
      continue
    }
    problems.push(...checkValue(name, value, type))
  }
  const unknown = Object.keys(args).filter((name) => !(name in signature))
  if (unknown.length > 0) {
    const known = Object.keys(signature)
    problems.push(
      `unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the function takes ${known.length > 0 ? known.join(', ') : 'no arguments'}`,
    )
  }
  return problems
}

function checkValue(path: string, value: Value, type: ArgType): string[] {
  const mismatch = () => [`${path} must be ${describeType(type)}; got ${kindOf(value)}`]
  switch (type.type) {
    case 'MAny':
      return []
    case 'MInt':
      return isLosslessNumber(value) && /^-?\d+$/.test(value.value) ? [] : mismatch()
    case 'MDouble':
      return isLosslessNumber(value) ? [] : mismatch()
    case 'MString':
      return typeof value === 'string' ? [] : mismatch()
    case 'MBoolean':
      return typeof value === 'boolean' ? [] : mismatch()
    case 'MOption':
      return value === null ? [] : checkValue(path, value, type.args[0])
    case 'MList':
      if (!Array.isArray(value)) return mismatch()
      return value.flatMap((item, index) => checkValue(`${path}[${index}]`, item, type.args[0]))
    case 'MMap':
      if (!isObject(value)) return mismatch()
      return Object.entries(value).flatMap(([key, item]) => checkValue(`${path}.${key}`, item, type.args[1]))
    case 'MObj': {
      if (!isObject(value)) return mismatch()
      const problems: string[] = []
      for (const [field, fieldType] of Object.entries(type.fields)) {
        const item = value[field]
        if (item === undefined || item === null) {
          if (fieldType.type !== 'MOption' && fieldType.type !== 'MAny') problems.push(`${path}.${field} is required (${describeType(fieldType)})`)
        } else {
          problems.push(...checkValue(`${path}.${field}`, item, fieldType))
        }
      }
      const extra = Object.keys(value).filter((field) => !(field in type.fields))
      if (extra.length > 0) problems.push(`${path} has unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`)
      return problems
    }
  }
}

export function describeType(type: ArgType): string {
  switch (type.type) {
    case 'MInt':
      return 'an integer'
    case 'MDouble':
      return 'a number'
    case 'MString':
      return 'a string'
    case 'MBoolean':
      return 'true or false'
    case 'MAny':
      return 'any JSON value'
    case 'MOption':
      return `${describeType(type.args[0])} or null`
    case 'MList':
      return `a list of ${plural(type.args[0])}`
    case 'MMap':
      return `an object of ${plural(type.args[1])}`
    case 'MObj':
      return `an object with ${Object.keys(type.fields).join(', ') || 'no fields'}`
  }
}

function plural(type: ArgType): string {
  const single = describeType(type)
  return single.replace(/^(an?|any) /, '').replace(/^integer$/, 'integers').replace(/^number$/, 'numbers').replace(/^string$/, 'strings')
}

function isObject(value: Value): value is { [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value)
}

function kindOf(value: Value): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (isLosslessNumber(value)) return `the number ${value.value}`
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'boolean') return String(value)
  return 'an object'
}
