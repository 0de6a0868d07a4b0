/**
 * A synthetic job history shaped like a busy Mist installation's, written straight into the
 * SQLite store's `jobs` table. Rows go through the same table the server writes, so the
 * triggers maintain `job_counts` exactly as they would in production.
 *
 * The history is what a stopped master leaves behind: terminal jobs, and among the most
 * recent ones a few that were still in progress when it stopped (the next start resolves
 * those). The jobs a running master has in progress are made separately (`liveJobs`).
 *
 * The history is deterministic (a seeded generator) so that two runs load the same jobs and
 * their figures can be compared.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { JobRecord, JobSource, JobStatus } from '../../src/domain/job.js'
import type { SqliteDatabase } from '../../src/store/sqlite/database.js'

const DAY_MS = 24 * 60 * 60 * 1000
const HISTORY_MS = 30 * DAY_MS
const ROWS_PER_TRANSACTION = 50_000
const SEED = 20_04
/** The unfinished jobs are drawn among the last `UNFINISHED_WINDOW` × as many jobs. */
const UNFINISHED_WINDOW = 4

const CONTEXTS = ['default', 'etl', 'reports', 'ml-training', 'scoring', 'adhoc', 'nightly', 'streaming'] as const
const WORKERS_PER_CONTEXT = 625 // 8 contexts × 625 = 5,000 workers over the whole history

/** Share of each terminal status among the history's ended jobs. */
const TERMINAL_WEIGHTS: readonly (readonly [JobStatus, number])[] = [
  ['finished', 0.9],
  ['failed', 0.06],
  ['cancelled', 0.02],
]

/** Share of each in-progress status among unfinished (and live) jobs. */
const IN_PROGRESS_WEIGHTS: readonly (readonly [JobStatus, number])[] = [
  ['started', 0.4],
  ['queued', 0.25],
  ['initialized', 0.15],
  ['job-file-downloading', 0.1],
  ['cancelling', 0.1],
]

/** Jobs that no worker has picked up yet carry no worker id. */
const WITHOUT_WORKER: ReadonlySet<JobStatus> = new Set(['initialized', 'queued'])

const VERBS = ['aggregate', 'score', 'train', 'clean', 'export', 'import', 'join', 'rank', 'sample', 'index']
const NOUNS = ['sales', 'clicks', 'users', 'orders', 'events', 'sessions', 'invoices', 'stock', 'reviews', 'logs']
const VARIANTS = ['daily', 'hourly']

/**
 * 200 function names, busiest first: function k gets a share proportional to 1/(k+1) (Zipf),
 * so the first few run tens of thousands of jobs and the tail a few hundred.
 */
export const FUNCTIONS: readonly string[] = VARIANTS.flatMap((variant) =>
  VERBS.flatMap((verb) => NOUNS.map((noun) => `${verb}-${noun}-${variant}`)),
)

const FAILURES = [
  'ValueError: samples must be a positive integer',
  'py4j.protocol.Py4JJavaError: An error occurred while calling o57.collectToPython: java.lang.OutOfMemoryError: Java heap space',
  "FileNotFoundError: [Errno 2] No such file or directory: 'hdfs:///data/input/part-00017.parquet'",
  'pyspark.sql.utils.AnalysisException: cannot resolve `amount` given input columns',
]

export interface LoadProgress {
  loaded: number
  total: number
  /** Rows per second over the last transaction. */
  rowsPerSecond: number
}

/**
 * Inserts `count` jobs in transactions of 50,000 rows, yielding to the event loop between
 * them so that progress is printed and an abort (ctrl-C) is noticed. Exactly `unfinished` of
 * them, drawn among the most recent `4 × unfinished`, are in an in-progress status, as the
 * jobs a master was running or holding in its queues when it stopped; all others are terminal.
 */
export async function loadJobs(
  db: SqliteDatabase,
  history: { count: number; unfinished: number },
  onProgress: (progress: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const { count } = history
  // Loading only: a bigger page cache keeps the seven indexes' hot pages in memory. The
  // server opens its own connection with the default settings.
  db.pragma('cache_size = -262144')
  const insert = db.prepare(
    `INSERT INTO jobs (job_id, function, context, path, class_name, arguments, action, external_id, source,
      status, create_time, start_time, end_time, worker_id, result)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const jobs = new JobHistory(count, history.unfinished)
  const insertMany = db.transaction((from: number, to: number) => {
    for (let index = from; index < to; index++) insert.run(jobs.job(index))
  })
  for (let from = 0; from < count; from += ROWS_PER_TRANSACTION) {
    signal?.throwIfAborted()
    const to = Math.min(count, from + ROWS_PER_TRANSACTION)
    const started = performance.now()
    insertMany(from, to)
    onProgress({ loaded: to, total: count, rowsPerSecond: ((to - from) * 1000) / (performance.now() - started) })
    await nextTurn()
  }
}

/**
 * `count` jobs in progress on a running master: created one after another from `from` on (1 ms
 * apart), in the in-progress statuses; those past the queue run on live shared workers, named
 * as Haze names them (`<context>_<connector>-pool-1`), one per context.
 */
export function liveJobs(count: number, from: number): JobRecord[] {
  const draws = new Draws(seededRandom(SEED + 2))
  const functionShares = cumulative(FUNCTIONS.map((_, rank) => 1 / (rank + 1)))
  const statusShares = cumulative(IN_PROGRESS_WEIGHTS.map(([, weight]) => weight))
  const workers = CONTEXTS.map((context) => `${context}_${draws.uuid().slice(0, 8)}-pool-1`)
  return Array.from({ length: count }, (_, index): JobRecord => {
    const functionIndex = pick(functionShares, draws.random())
    const fn = FUNCTIONS[functionIndex] ?? 'unknown'
    const contextIndex = functionIndex % CONTEXTS.length
    const status = IN_PROGRESS_WEIGHTS[pick(statusShares, draws.random())]?.[0] ?? 'queued'
    const createTime = from + index
    const assigned = !WITHOUT_WORKER.has(status)
    return {
      jobId: draws.uuid(),
      function: fn,
      context: CONTEXTS[contextIndex] ?? 'default',
      path: artifactOf(fn, functionIndex),
      className: fn.replaceAll('-', '_'),
      arguments: `{"samples":${draws.between(1, 10) * 1000}}`,
      action: 'execute',
      source: draws.source(),
      status,
      createTime,
      startTime: assigned ? createTime + draws.between(50, 2_000) : undefined,
      workerId: assigned ? workers[contextIndex] : undefined,
    }
  })
}

/** Generates job `index` of `count`, oldest first, as a row in the insert's column order. */
class JobHistory {
  private readonly draws = new Draws(seededRandom(SEED))
  /** Picks the unfinished jobs apart from the other draws, so the rest of the history stays put. */
  private readonly unfinishedDraws = seededRandom(SEED + 1)
  private readonly start = Date.now() - HISTORY_MS
  private readonly functionShares = cumulative(FUNCTIONS.map((_, rank) => 1 / (rank + 1)))
  private readonly terminalShares = cumulative(TERMINAL_WEIGHTS.map(([, weight]) => weight))
  private readonly inProgressShares = cumulative(IN_PROGRESS_WEIGHTS.map(([, weight]) => weight))
  /** workers[context][n]: context `c`'s n-th worker; each serves one stretch of the history. */
  private readonly workers = CONTEXTS.map((context) =>
    Array.from({ length: WORKERS_PER_CONTEXT }, (_, n) => `${context}_${this.draws.uuid()}_${n}`),
  )
  /** The first job that may be unfinished. */
  private readonly windowStart: number
  /** Unfinished jobs still to pick (selection sampling: exactly `unfinished` in the window). */
  private toPick: number

  constructor(
    private readonly count: number,
    unfinished: number,
  ) {
    if (!Number.isSafeInteger(unfinished) || unfinished < 0 || unfinished > count) {
      throw new Error(`the unfinished jobs must number 0 to ${count}; got ${unfinished}`)
    }
    this.windowStart = count - Math.min(count, unfinished * UNFINISHED_WINDOW)
    this.toPick = unfinished
  }

  job(index: number): unknown[] {
    const { draws } = this
    const functionIndex = pick(this.functionShares, draws.random())
    const fn = FUNCTIONS[functionIndex] ?? 'unknown'
    const contextIndex = functionIndex % CONTEXTS.length
    const status = this.isUnfinished(index)
      ? (IN_PROGRESS_WEIGHTS[pick(this.inProgressShares, draws.random())]?.[0] ?? 'started')
      : (TERMINAL_WEIGHTS[pick(this.terminalShares, draws.random())]?.[0] ?? 'finished')
    // Strictly increasing: jobs are created one after another over the history.
    const createTime = this.start + Math.floor((index * HISTORY_MS) / this.count)
    const startTime = WITHOUT_WORKER.has(status) ? null : createTime + draws.between(50, 2_000)
    const ended = status === 'finished' || status === 'failed' || status === 'cancelled'
    const endTime = ended && startTime !== null ? startTime + this.duration() : null
    const slot = Math.floor((index * WORKERS_PER_CONTEXT) / this.count)
    const workerId = WITHOUT_WORKER.has(status) ? null : (this.workers[contextIndex]?.[slot] ?? null)
    return [
      draws.uuid(),
      fn,
      CONTEXTS[contextIndex],
      artifactOf(fn, functionIndex),
      fn.replaceAll('-', '_'),
      `{"samples":${draws.between(1, 10) * 1000}}`,
      'execute',
      draws.random() < 0.05 ? `batch-${index}` : null,
      draws.source(),
      status,
      createTime,
      startTime,
      endTime,
      workerId,
      this.result(status),
    ]
  }

  /** Jobs must be asked for in order: each call in the window decides one job. */
  private isUnfinished(index: number): boolean {
    if (index < this.windowStart || this.toPick === 0) return false
    const left = this.count - index
    if (this.unfinishedDraws() * left >= this.toPick) return false
    this.toPick -= 1
    return true
  }

  private result(status: JobStatus): string | null {
    if (status === 'finished') return (3.14 + this.draws.random() / 100).toFixed(6)
    if (status !== 'failed') return null
    // Mist stores a failed job's error as a JSON string.
    return JSON.stringify(FAILURES[this.draws.between(0, FAILURES.length - 1)] ?? 'failed')
  }

  /** Mostly seconds, now and then several minutes. */
  private duration(): number {
    return 1_000 + Math.floor(this.draws.random() ** 3 * 600_000)
  }
}

/** Seeded draws shared by the history and the live jobs. */
class Draws {
  constructor(readonly random: () => number) {}

  between(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1))
  }

  source(): JobSource {
    const draw = this.random()
    return draw < 0.85 ? 'Http' : draw < 0.95 ? 'Async Mqtt' : 'Async Kafka'
  }

  uuid(): string {
    let hex = ''
    for (let word = 0; word < 4; word++) hex += Math.floor(this.random() * 2 ** 32).toString(16).padStart(8, '0')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`
  }
}

function artifactOf(fn: string, functionIndex: number): string {
  return `${fn}_0.${1 + (functionIndex % 4)}.0.py`
}

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/** Running totals of `weights`, scaled to end at 1. */
function cumulative(weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  let running = 0
  return weights.map((weight) => (running += weight / sum))
}

/** The first index whose running total exceeds `draw` (binary search). */
function pick(shares: readonly number[], draw: number): number {
  let low = 0
  let high = shares.length - 1
  while (low < high) {
    const middle = (low + high) >> 1
    if ((shares[middle] ?? 1) > draw) high = middle
    else low = middle + 1
  }
  return low
}
