/**
 * Durations in milliseconds; `Infinity` means "no limit".
 *
 * Mist has two spellings. Bodies (context `downtime`, `streamingDuration`) accept only `"Inf"` or
 * whole seconds such as `"3600s"`, and are always written back that way. Query parameters
 * (`startTimeout`, `performTimeout`) take Scala's duration syntax: a number, optional blanks and
 * a unit (`10s`, `100ms`, `10 minutes`, `Inf`).
 */
import { badRequest } from './errors.js'

export type Duration = number

export const INFINITE: Duration = Number.POSITIVE_INFINITY

export function parseBodyDuration(field: string, text: string): Duration {
  const trimmed = text.trim()
  if (trimmed === 'Inf') return INFINITE
  const match = /^(\d{1,12})s$/.exec(trimmed)
  if (!match?.[1]) {
    throw badRequest(`${field} must be "Inf" or a whole number of seconds such as "3600s"; got ${JSON.stringify(text)}`)
  }
  return Number(match[1]) * 1000
}

/** Whole seconds, truncated, as Mist writes them. */
export function formatBodyDuration(duration: Duration): string {
  return Number.isFinite(duration) ? `${Math.trunc(duration / 1000)}s` : 'Inf'
}

const UNIT_MS: ReadonlyArray<[RegExp, number]> = [
  [/^(d|days?)$/, 86_400_000],
  [/^(h|hours?)$/, 3_600_000],
  [/^(min|mins|minutes?)$/, 60_000],
  [/^(s|secs?|seconds?)$/, 1000],
  [/^(ms|millis?|milliseconds?)$/, 1],
  [/^(µs|us|micros?|microseconds?)$/, 0.001],
  [/^(ns|nanos?|nanoseconds?)$/, 0.000_001],
]

/** Each ASCII letter in either case, as a pattern (the parser lower-cases units; µ has no other case it takes). */
const anyCase = (word: string) => [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('')

const UNIT_WORDS = [
  'd', 'days', 'day', 'h', 'hours', 'hour', 'min', 'mins', 'minutes', 'minute', 's', 'secs', 'sec', 'seconds', 'second',
  'ms', 'millis', 'milli', 'milliseconds', 'millisecond', 'µs', 'us', 'micros', 'micro', 'microseconds', 'microsecond',
  'ns', 'nanos', 'nano', 'nanoseconds', 'nanosecond',
]

/**
 * What `parseQueryDuration` accepts, as a JSON Schema pattern for the API document (without the
 * blanks it also trims around the text). Only ASCII character classes: the pattern is also
 * read by Python tools, whose `\d` and `\s` mean more than JavaScript's.
 */
export const QUERY_DURATION_PATTERN =
  `^(?:Inf|PlusInf|[+]Inf|[0-9]+(?:[.][0-9]+)?[ ]*(?:${UNIT_WORDS.sort((a, b) => b.length - a.length).map(anyCase).join('|')}))$`

/** What `parseBodyDuration` accepts, as a JSON Schema pattern: "Inf" or whole seconds. */
export const BODY_DURATION_PATTERN = '^(?:Inf|[0-9]{1,12}s)$'

/** A finite body duration of at least one second (a streaming batch interval). */
export const POSITIVE_SECONDS_PATTERN = '^(?=[0-9]{1,12}s$)0*[1-9][0-9]*s$'

export function parseQueryDuration(field: string, text: string): Duration {
  const trimmed = text.trim()
  if (['Inf', 'PlusInf', '+Inf'].includes(trimmed)) return INFINITE
  const match = /^(\d+(?:\.\d+)?)\s*([a-zµ]+)$/i.exec(trimmed)
  const amount = match?.[1]
  const unit = match?.[2]?.toLowerCase()
  const factor = unit === undefined ? undefined : UNIT_MS.find(([pattern]) => pattern.test(unit))?.[1]
  if (amount === undefined || factor === undefined) {
    throw badRequest(
      `${field} must be a duration such as "10s", "500ms", "5 minutes" or "Inf"; got ${JSON.stringify(text)}`,
    )
  }
  return Number(amount) * factor
}

/** Human wording used in job logs and cancel reasons: "10 seconds", "1500 milliseconds". */
export function describeDuration(duration: Duration): string {
  if (!Number.isFinite(duration)) return 'infinity'
  if (duration % 1000 === 0) return `${duration / 1000} second${duration === 1000 ? '' : 's'}`
  return `${duration} milliseconds`
}
