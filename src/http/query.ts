/**
 * Query parameters with Mist's spellings: booleans are `true|yes|on` / `false|no|off` in any
 * case (mist-cli sends Python's `True`), `status` repeats, durations use Scala's syntax.
 */
import { parseQueryDuration, type Duration, INFINITE } from '../domain/duration.js'
import { badRequest } from '../domain/errors.js'
import { isJobSource, isJobStatus, JOB_SOURCES, JOB_STATUSES, type JobSource, type JobStatus } from '../domain/job.js'

type QueryValue = string | string[] | undefined

/** A count, as text, or as a number when the route's schema has already read it as one. */
type CountValue = QueryValue | number

function single(name: string, value: QueryValue): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) throw badRequest(`query parameter ${name} is given ${value.length} times; give it once`)
    return value[0]
  }
  return value
}

export function queryBoolean(name: string, value: QueryValue, fallback = false): boolean {
  const text = single(name, value)
  if (text === undefined) return fallback
  const lower = text.toLowerCase()
  if (['true', 'yes', 'on'].includes(lower)) return true
  if (['false', 'no', 'off'].includes(lower)) return false
  throw badRequest(`query parameter ${name} must be true or false; got ${JSON.stringify(text)}`)
}

export function queryCount(name: string, value: CountValue, fallback: number, max = 1_000_000_000): number {
  const text = typeof value === 'number' ? String(value) : single(name, value)
  if (text === undefined) return fallback
  if (!/^\d{1,10}$/.test(text) || Number(text) > max) {
    throw badRequest(`query parameter ${name} must be a whole number from 0 to ${max}; got ${JSON.stringify(text)}`)
  }
  return Number(text)
}

export function queryStatuses(value: QueryValue): JobStatus[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value]
  const unknown = values.filter((status) => !isJobStatus(status))
  if (unknown.length > 0) {
    throw badRequest(
      `unknown status ${unknown.map((s) => JSON.stringify(s)).join(', ')}; expected some of ${JOB_STATUSES.join(', ')} (repeat status= for several)`,
    )
  }
  return [...new Set(values as JobStatus[])]
}

/** An optional text filter (function, context): given once, not empty. */
export function queryName(name: string, value: QueryValue): string | undefined {
  const text = single(name, value)
  if (text === '') throw badRequest(`query parameter ${name} is empty; leave it out to match every job`)
  return text
}

export function querySource(value: QueryValue): JobSource | undefined {
  const text = queryName('source', value)
  if (text === undefined || isJobSource(text)) return text
  throw badRequest(`unknown source ${JSON.stringify(text)}; expected one of ${JOB_SOURCES.join(', ')}`)
}

export function queryDuration(name: string, value: QueryValue): Duration {
  const text = single(name, value)
  return text === undefined ? INFINITE : parseQueryDuration(name, text)
}

export function queryString(name: string, value: QueryValue): string | undefined {
  return single(name, value)
}
