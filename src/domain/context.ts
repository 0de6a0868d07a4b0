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
/** Each spare or extra shared worker is a Spark driver (a JVM of its own): a few, not thousands. */
export const MAX_WORKERS_LIMIT = 100
export const MAX_SPARE_WORKERS_LIMIT = 100

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
   * Haze: idle workers that have never run a job, kept started ahead of demand. Exclusive: a
   * job takes one and a replacement starts; drivers ≤ maxJobs + spareWorkers. Shared: they
   * take the jobs one worker has no room for; drivers ≤ maxWorkers, spares included.
   */
  spareWorkers: number
  /** Haze: most workers of a shared context at once (each runs up to maxJobs jobs); exclusive ignores it. */
  maxWorkers: number
  /**
   * Haze: the name of a runner from the config file that starts this context's workers (a
   * command of the operator's, e.g. on another host or through a scheduler); absent:
   * spark-submit on this machine.
   */
  runner?: string | undefined
}

/**
 * The wire shape (Mist's ContextConfig): durations as `"<n>s"` or `"Inf"`, Mist's nine fields
 * always present; Haze's own fields only when set (spareWorkers > 0, maxWorkers > 1, a
 * runner), so Mist's clients see exactly Mist's shape unless Haze's features are used.
 */
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
  spareWorkers?: number
  maxWorkers?: number
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
  spareWorkers?: number | null
  maxWorkers?: number | null
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
    ...(context.spareWorkers === 0 ? {} : { spareWorkers: context.spareWorkers }),
    ...(context.maxWorkers === 1 ? {} : { maxWorkers: context.maxWorkers }),
    ...(context.runner === undefined ? {} : { runner: context.runner }),
  }
}

/** A context from its wire shape, as stores keep it. */
export function contextFromJson(json: ContextJson): ContextConfig {
  return {
    ...json,
    spareWorkers: json.spareWorkers ?? 0,
    maxWorkers: json.maxWorkers ?? 1,
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
    spareWorkers: request.spareWorkers ?? defaults.spareWorkers,
    maxWorkers: request.maxWorkers ?? defaults.maxWorkers,
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
  if (!Number.isInteger(context.maxWorkers) || context.maxWorkers < 1 || context.maxWorkers > MAX_WORKERS_LIMIT) {
    throw badRequest(`maxWorkers must be a whole number of at least 1 and at most ${MAX_WORKERS_LIMIT}; got ${context.maxWorkers}`)
  }
  if (!Number.isInteger(context.spareWorkers) || context.spareWorkers < 0 || context.spareWorkers > MAX_SPARE_WORKERS_LIMIT) {
    throw badRequest(`spareWorkers must be a whole number of at least 0 and at most ${MAX_SPARE_WORKERS_LIMIT}; got ${context.spareWorkers}`)
  }
  // A shared context runs at most maxWorkers workers, its spares among them.
  if (context.workerMode === 'shared' && context.spareWorkers > context.maxWorkers) {
    throw badRequest(
      `spareWorkers must be at most maxWorkers in a shared context (its spares are among its maxWorkers workers); got spareWorkers ${context.spareWorkers} and maxWorkers ${context.maxWorkers}`,
    )
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
