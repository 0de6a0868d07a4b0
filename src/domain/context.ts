/**
 * Contexts: named Spark settings plus a worker policy. `default` always exists, comes from the
 * configuration, and supplies every field another context leaves out.
 */
import { formatBodyDuration, parseBodyDuration, type Duration } from './duration.js'
import { badRequest } from './errors.js'
import { checkEntityName } from './names.js'
import { checkRunOptions } from './run-options.js'

export const DEFAULT_CONTEXT = 'default'

/** How runners (config file, `runners`) may be named. */
export const RUNNER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

export type WorkerMode = 'shared' | 'exclusive'

/**
 * Upper bounds that keep a typo from asking for a million Spark drivers (an exclusive context
 * starts one worker per running job) or from never marking a context broken.
 */
export const MAX_JOBS_LIMIT = 10_000
export const MAX_CONN_FAILURES_LIMIT = 1_000_000

export interface ContextConfig {
  name: string
  sparkConf: Record<string, string>
  /** How long a context's idle workers live; Infinity keeps them. */
  downtime: Duration
  maxJobs: number
  precreated: boolean
  runOptions: string
  workerMode: WorkerMode
  streamingDuration: Duration
  maxConnFailures: number
  /**
   * Haze: the name of a runner from the config file that starts this context's workers (a
   * command of the operator's, e.g. on another host or through a scheduler); absent:
   * spark-submit on this machine.
   */
  runner?: string | undefined
}

/** The wire shape (Mist's ContextConfig): durations as `"<n>s"` or `"Inf"`, all nine fields present. */
export interface ContextJson {
  name: string
  sparkConf: Record<string, string>
  downtime: string
  maxJobs: number
  precreated: boolean
  runOptions: string
  workerMode: WorkerMode
  streamingDuration: string
  maxConnFailures: number
  runner?: string
}

/**
 * A create/replace request as parsed from JSON: only `name` is required, `null` means absent.
 * Types have already been checked by the route schema; this module checks meaning.
 */
export interface ContextRequest {
  name: string
  sparkConf?: Record<string, string | number | boolean> | null
  downtime?: string | null
  maxJobs?: number | null
  precreated?: boolean | null
  runOptions?: string | null
  workerMode?: string | null
  streamingDuration?: string | null
  maxConnFailures?: number | null
  runner?: string | null
}

export function contextToJson(context: ContextConfig): ContextJson {
  return {
    name: context.name,
    sparkConf: { ...context.sparkConf },
    downtime: formatBodyDuration(context.downtime),
    maxJobs: context.maxJobs,
    precreated: context.precreated,
    runOptions: context.runOptions,
    workerMode: context.workerMode,
    streamingDuration: formatBodyDuration(context.streamingDuration),
    maxConnFailures: context.maxConnFailures,
    ...(context.runner === undefined ? {} : { runner: context.runner }),
  }
}

/** A context from its wire shape, as stores keep it. */
export function contextFromJson(json: ContextJson): ContextConfig {
  return {
    ...json,
    downtime: parseBodyDuration('downtime', json.downtime),
    streamingDuration: parseBodyDuration('streamingDuration', json.streamingDuration),
  }
}

/**
 * Builds a full context from a request, taking every absent field from `defaults`
 * (`sparkConf` is replaced, not merged, as in Mist). Throws a 400-kind error naming the field.
 */
export function resolveContext(request: ContextRequest, defaults: ContextConfig): ContextConfig {
  const name = checkEntityName('context', request.name)
  const context: ContextConfig = {
    name,
    sparkConf: request.sparkConf == null ? { ...defaults.sparkConf } : stringifyConf(request.sparkConf),
    downtime: request.downtime == null ? defaults.downtime : parseBodyDuration('downtime', request.downtime),
    maxJobs: request.maxJobs ?? defaults.maxJobs,
    precreated: request.precreated ?? defaults.precreated,
    runOptions: request.runOptions ?? defaults.runOptions,
    workerMode: request.workerMode == null ? defaults.workerMode : parseWorkerMode(request.workerMode),
    streamingDuration:
      request.streamingDuration == null
        ? defaults.streamingDuration
        : parseBodyDuration('streamingDuration', request.streamingDuration),
    maxConnFailures: request.maxConnFailures ?? defaults.maxConnFailures,
    runner: request.runner ?? defaults.runner,
  }
  if (context.runner === undefined) delete context.runner
  checkContext(context)
  return context
}

/** Invariants every context keeps, whichever way it was made (API or configuration). */
export function checkContext(context: ContextConfig): void {
  if (!Number.isInteger(context.maxJobs) || context.maxJobs < 1 || context.maxJobs > MAX_JOBS_LIMIT) {
    throw badRequest(`maxJobs must be a whole number of at least 1 and at most ${MAX_JOBS_LIMIT}; got ${context.maxJobs}`)
  }
  if (!Number.isInteger(context.maxConnFailures) || context.maxConnFailures < 1 || context.maxConnFailures > MAX_CONN_FAILURES_LIMIT) {
    throw badRequest(`maxConnFailures must be a whole number of at least 1 and at most ${MAX_CONN_FAILURES_LIMIT}; got ${context.maxConnFailures}`)
  }
  if (context.streamingDuration < 1000 || !Number.isFinite(context.streamingDuration)) {
    throw badRequest('streamingDuration must be a finite number of seconds, at least "1s"')
  }
  checkRunOptions(context.runOptions)
  if (context.runner !== undefined && !RUNNER_NAME.test(context.runner)) {
    throw badRequest(`runner must name a runner of the config file (letters, digits, "_", "-", "."); got ${JSON.stringify(context.runner)}`)
  }
  for (const key of Object.keys(context.sparkConf)) {
    if (key.trim() === '' || /\s/.test(key)) throw badRequest(`sparkConf key ${JSON.stringify(key)} must be non-empty without blanks`)
  }
}

export function parseWorkerMode(text: string): WorkerMode {
  if (text === 'shared' || text === 'exclusive') return text
  throw badRequest(`workerMode must be "shared" or "exclusive"; got ${JSON.stringify(text)}`)
}

/** Spark settings are strings; numbers and booleans written by hand are accepted as their text. */
function stringifyConf(conf: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(conf).map(([key, value]) => [key, String(value)]))
}
