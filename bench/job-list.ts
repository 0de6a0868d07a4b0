/**
 * How fast the job lists answer with a large history: loads N synthetic jobs (default
 * 1,000,000) into a fresh SQLite store, as a stopped master leaves it, starts the real Haze
 * server on it (which first resolves the jobs left unfinished; its time is reported), adds
 * the jobs a running master has in progress, and times the list endpoints over HTTP on
 * loopback, one request at a time. Every response is checked against the jobs table as it is
 * after start-up (page length, `total`, filter, order); a wrong answer makes the run fail.
 *
 *   node --import tsx bench/job-list.ts [--jobs N] [--requests N] [--unfinished N]
 *
 * Prints a markdown table and writes the same figures to bench/results/job-list-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, platform, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { loadConfig } from '../src/config.js'
import { JOB_STATUSES, OPEN_STATUSES, TERMINAL_STATUSES, type JobRecord, type JobStatus } from '../src/domain/job.js'
import { Executor } from '../src/execution/executor.js'
import { createLogger } from '../src/logger.js'
import { startServer, type HazeServer } from '../src/server.js'
import { openSqlite, type SqliteDatabase } from '../src/store/sqlite/database.js'
import { KeepAliveClient, summarize, type Latency } from './lib/http-timing.js'
import { runBenchmark, type Release } from './lib/run.js'
import { checkResponse, counterDiscrepancies, listRequest, type ListRequest } from './lib/list-queries.js'
import { FUNCTIONS, liveJobs, loadJobs } from './lib/synthetic-jobs.js'

const WARM_UP = 50
/** Jobs in progress on the running master while the lists are measured (see README). */
const LIVE_JOBS = 200
const IN_PROGRESS: readonly JobStatus[] = OPEN_STATUSES
/** Lists are asked for several functions and workers in turn, so no single page stays hot. */
const ROTATION = 4
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))

/** One row of the report: a list, asked for in turn for each of its requests. */
interface Benchmark {
  label: string
  target: boolean
  requests: ListRequest[]
}

interface Measured extends Latency {
  label: string
  target: boolean
  paths: string[]
  requests: number
  /** Expected totals, one per rotated request; undefined for an unpaginated list. */
  totals: number[] | undefined
  /** Jobs matching the filter, one per rotated request (the page shows up to 25 of them). */
  matching: number[]
  wrongAnswers: number
}

async function main(signal: AbortSignal, releases: Release[]): Promise<number> {
  const options = readOptions()
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-'))
  releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const dbFile = join(dataDir, 'haze.db')

  const db = openSqlite(dbFile)
  releases.push(() => db.open && db.close())
  const loadSeconds = await load(db, options, signal)
  const sqliteVersion = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
  const stopped = statusCounts(db)
  db.close()
  const databaseBytes = statSync(dbFile).size

  signal.throwIfAborted()
  const { server, ...startup } = await startTimed(dataDir, releases)
  // The expected answers come from the jobs table as start-up left it, read apart from the
  // server's own connection (WAL: this reader never blocks it).
  const reader = new Database(dbFile, { readonly: true, fileMustExist: true })
  releases.push(() => reader.open && reader.close())
  const recovery = recoveryOutcome(stopped, statusCounts(reader), startup)
  console.error(recovery.line)

  const live = await addLiveJobs(server, LIVE_JOBS)
  console.error(live.line)
  const counters = checkCounters(reader, 'after start-up and the live jobs')
  const benchmarks = defineBenchmarks(reader, options.jobs)
  const measuredCounts = statusCounts(reader)

  const client = new KeepAliveClient(server.url)
  releases.push(() => client.close())
  const measured: Measured[] = []
  for (const benchmark of benchmarks) {
    measured.push(await measure(client, benchmark, options.requests, signal))
  }

  // Nothing may have changed the jobs while they were measured (a late recovery write, say):
  // the expected answers were computed once, before.
  checkCounters(reader, 'after the measurements')
  const changed = changedCounts(measuredCounts, statusCounts(reader))
  if (changed !== undefined) console.error(`WRONG: the jobs changed while the lists were measured: ${changed}`)

  const report = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/job-list.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(sqliteVersion),
    jobs: options.jobs,
    loadSeconds,
    databaseBytes,
    startup: {
      seconds: startup.seconds,
      recoverySeconds: startup.recoverySeconds,
      unfinished: recovery.unfinished,
      outcome: recovery.outcome,
      leftInProgress: recovery.leftInProgress,
      line: recovery.line,
    },
    live: { jobs: live.jobs, byStatus: live.byStatus, line: live.line },
    counters,
    /** Status counts that changed while the lists were measured; null if none did (as it must be). */
    changedWhileMeasured: changed ?? null,
    requestsPerQuery: options.requests,
    warmUpPerQuery: WARM_UP,
    client: `node:http, keep-alive Agent, ${client.connections} connection(s), sequential, same process as the server`,
    results: measured,
  }
  console.log(markdown(report))
  console.log(`\nwritten to ${writeResults(report)}`)

  const wrong = measured.reduce((sum, row) => sum + row.wrongAnswers, 0)
  if (wrong > 0) {
    console.error(`\nFAILED: ${wrong} response(s) did not match the jobs table; see the messages above`)
    return 1
  }
  if (changed !== undefined) {
    console.error('\nFAILED: the jobs changed while the lists were measured, so the expected answers may be stale')
    return 1
  }
  return 0
}

function readOptions(): { jobs: number; requests: number; unfinished: number } {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '1000000' },
      requests: { type: 'string', default: '1000' },
      unfinished: { type: 'string', default: '300' },
    },
  })
  const count = (name: string, text: string, least: number): number => {
    const value = Number(text.replaceAll('_', ''))
    if (!Number.isSafeInteger(value) || value < least) throw new Error(`--${name} must be a whole number of at least ${least}; got ${text}`)
    return value
  }
  const options = {
    jobs: count('jobs', values.jobs, 1),
    requests: count('requests', values.requests, 1),
    unfinished: count('unfinished', values.unfinished, 0),
  }
  if (options.unfinished > options.jobs) throw new Error(`--unfinished (${options.unfinished}) cannot exceed --jobs (${options.jobs})`)
  return options
}

async function load(db: SqliteDatabase, options: { jobs: number; unfinished: number }, signal: AbortSignal): Promise<number> {
  const started = performance.now()
  await loadJobs(
    db,
    { count: options.jobs, unfinished: options.unfinished },
    ({ loaded, total, rowsPerSecond }) => {
      const overall = (loaded * 1000) / (performance.now() - started)
      console.error(
        `loaded ${loaded.toLocaleString('en')} / ${total.toLocaleString('en')} jobs ` +
          `(${Math.round(rowsPerSecond).toLocaleString('en')} rows/s, ${Math.round(overall).toLocaleString('en')} overall)`,
      )
    },
    signal,
  )
  const seconds = (performance.now() - started) / 1000
  console.error(
    `loaded ${options.jobs.toLocaleString('en')} jobs (${options.unfinished.toLocaleString('en')} of them unfinished) in ${seconds.toFixed(1)} s`,
  )
  return seconds
}

/**
 * startServer, timed as a whole and, within it, Executor.start: the recovery of the jobs the
 * previous master left unfinished (and the warming of precreated contexts, of which the
 * benchmark's store has none). startServer does not report that part, so the benchmark wraps
 * Executor.start for the duration of the call.
 */
async function startTimed(
  dataDir: string,
  releases: Release[],
): Promise<{ server: HazeServer; seconds: number; recoverySeconds: number }> {
  const prototype = Executor.prototype
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'start')
  const original = descriptor?.value as ((this: Executor) => Promise<void>) | undefined
  if (descriptor === undefined || original === undefined) throw new Error('Executor.start is not where it was; update startTimed')
  let recoverySeconds = Number.NaN
  prototype.start = async function timedStart(this: Executor): Promise<void> {
    const began = performance.now()
    try {
      await original.call(this)
    } finally {
      recoverySeconds = (performance.now() - began) / 1000
    }
  }
  const began = performance.now()
  try {
    const server = await startServer(loadConfig({ port: '0', dataDir }, {}), createLogger('silent'))
    releases.push(() => server.stop())
    return { server, seconds: (performance.now() - began) / 1000, recoverySeconds }
  } finally {
    Object.defineProperty(prototype, 'start', descriptor)
  }
}

type StatusCounts = Record<JobStatus, number>

/** Jobs per status, from the store's counters (checked against the jobs table separately). */
function statusCounts(db: SqliteDatabase): StatusCounts {
  const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as StatusCounts
  const rows = db.prepare(`SELECT status, n FROM job_counts WHERE scope = 'all' AND key = ''`).all() as {
    status: JobStatus
    n: number
  }[]
  for (const row of rows) counts[row.status] += row.n
  return counts
}

/** What recovery made of the unfinished jobs, told from the counters before and after start-up. */
function recoveryOutcome(before: StatusCounts, after: StatusCounts, startup: { seconds: number; recoverySeconds: number }) {
  const unfinished = sum(IN_PROGRESS.map((status) => before[status]))
  const leftInProgress = sum(IN_PROGRESS.map((status) => after[status]))
  const outcome = Object.fromEntries(
    JOB_STATUSES.map((status) => [status, after[status] - before[status]] as const).filter(([, change]) => change !== 0),
  )
  const was = IN_PROGRESS.filter((status) => before[status] > 0).map((status) => `${fmt(before[status])} ${status}`)
  const became = [...TERMINAL_STATUSES]
    .filter((status) => after[status] !== before[status])
    .map((status) => `${fmt(after[status] - before[status])} more ${status}`)
  const line =
    `start-up ${startup.seconds.toFixed(2)} s (startServer), of which ` +
    `${Number.isNaN(startup.recoverySeconds) ? '(not measured: Executor.start was not called)' : `${startup.recoverySeconds.toFixed(2)} s`} recovery ` +
    `(Executor.start) of ${fmt(unfinished)} unfinished job(s)` +
    (unfinished > 0 ? ` (${was.join(', ')}): ${became.length > 0 ? became.join(', ') : 'no status changed'}` : '') +
    `; ${fmt(leftInProgress)} left in progress`
  return { unfinished, leftInProgress, outcome, line }
}

/**
 * The jobs a running master has in progress, so that the running list has something to
 * show: recovery leaves none (see README). They are inserted through the server's own job
 * store, as `submit` records a job; the executor does not know them, so nothing runs or
 * changes them while the lists are measured.
 */
async function addLiveJobs(server: HazeServer, count: number) {
  const jobs: JobRecord[] = liveJobs(count, Date.now())
  for (const job of jobs) await server.jobs.insert(job)
  const byStatus: Partial<StatusCounts> = {}
  for (const job of jobs) byStatus[job.status] = (byStatus[job.status] ?? 0) + 1
  const parts = IN_PROGRESS.filter((status) => byStatus[status] !== undefined).map((status) => `${byStatus[status]} ${status}`)
  const line = `added ${fmt(count)} live in-progress job(s) after start-up through the server's job store (${parts.join(', ')})`
  return { jobs: count, byStatus, line }
}

/** Undefined if both are the same, else what changed. */
function changedCounts(before: StatusCounts, after: StatusCounts): string | undefined {
  const changes = JOB_STATUSES.filter((status) => before[status] !== after[status]).map(
    (status) => `${status} ${fmt(before[status])} → ${fmt(after[status])}`,
  )
  return changes.length > 0 ? changes.join(', ') : undefined
}

/** A wrong counter would show up as a wrong `total`; this checks all of them up front. */
function checkCounters(db: SqliteDatabase, when: string): { checked: number; seconds: number } {
  const started = performance.now()
  const { checked, wrong } = counterDiscrepancies(db)
  const seconds = (performance.now() - started) / 1000
  if (wrong > 0) throw new Error(`${when}, job_counts disagrees with the jobs table in ${wrong} row(s) of ${checked}`)
  console.error(
    `${when}, job_counts agrees with GROUP BY over jobs in all ${checked.toLocaleString('en')} counters (${seconds.toFixed(1)} s)`,
  )
  return { checked, seconds }
}

function defineBenchmarks(db: SqliteDatabase, jobs: number): Benchmark[] {
  const busyFunctions = FUNCTIONS.slice(0, ROTATION)
  const workers = workersAcrossHistory(db, jobs)
  const each = <T>(items: readonly T[], request: (item: T) => ListRequest) => items.map(request)
  const page25 = { paginate: true, limit: 25 }
  const running = ['initialized', 'queued', 'started', 'job-file-downloading'] as const
  return [
    {
      label: '/v2/api/jobs?status=finished&paginate=true&limit=25',
      target: true,
      requests: [listRequest(db, { statuses: ['finished'] }, page25)],
    },
    {
      label: '/v2/api/functions/{busy}/jobs?status=finished&paginate=true&limit=25',
      target: true,
      requests: each(busyFunctions, (fn) => listRequest(db, { function: fn, statuses: ['finished'] }, page25)),
    },
    {
      label: '/v2/api/functions/{busy}/jobs?paginate=true',
      target: false,
      requests: each(busyFunctions, (fn) => listRequest(db, { function: fn, statuses: [] }, { paginate: true })),
    },
    {
      label: '/v2/api/workers/{id}/jobs?paginate=true',
      target: true,
      requests: each(workers, (id) => listRequest(db, { workerId: id, statuses: [] }, { paginate: true })),
    },
    {
      label: '/v2/api/workers/{id}/jobs?status=finished&paginate=true',
      target: false,
      requests: each(workers, (id) => listRequest(db, { workerId: id, statuses: ['finished'] }, { paginate: true })),
    },
    {
      label: 'UI running: /v2/api/jobs?status=initialized&status=queued&status=started&status=job-file-downloading',
      target: false,
      requests: [listRequest(db, { statuses: running }, { paginate: false })],
    },
    {
      label: 'UI overview: /v2/api/jobs?paginate=true&offset=25',
      target: false,
      requests: [listRequest(db, { statuses: [] }, { paginate: true, offset: 25 })],
    },
    {
      label: 'UI overview: /v2/api/jobs?paginate=true&status=failed&status=cancelled',
      target: false,
      requests: [listRequest(db, { statuses: ['failed', 'cancelled'] }, { paginate: true })],
    },
  ]
}

/** Workers of jobs spread over the history (early, middle, recent), read from the jobs table. */
function workersAcrossHistory(db: SqliteDatabase, jobs: number): string[] {
  const next = db.prepare('SELECT worker_id FROM jobs WHERE seq >= ? AND worker_id IS NOT NULL ORDER BY seq LIMIT 1')
  const found = [0.2, 0.45, 0.7, 0.95].map(
    (fraction) => (next.get(Math.floor(fraction * jobs) + 1) as { worker_id: string } | undefined)?.worker_id,
  )
  const workers = [...new Set(found.filter((id) => id !== undefined))]
  if (workers.length === 0) throw new Error('no job has a worker; load more jobs (--jobs)')
  return workers.slice(0, ROTATION)
}

/** Warm-up, then `count` timed requests, rotating over the benchmark's requests. */
async function measure(client: KeepAliveClient, benchmark: Benchmark, count: number, signal: AbortSignal): Promise<Measured> {
  const timings: number[] = []
  let wrongAnswers = 0
  for (let index = 0; index < WARM_UP + count; index++) {
    signal.throwIfAborted()
    const list = benchmark.requests[index % benchmark.requests.length]
    if (list === undefined) throw new Error(`${benchmark.label} has no requests`)
    const response = await client.get(list.path)
    if (index >= WARM_UP) timings.push(response.milliseconds)
    const problem = checkResponse(list, response.status, response.body)
    if (problem !== undefined) {
      wrongAnswers++
      if (wrongAnswers <= 5) console.error(`WRONG ANSWER from GET ${list.path}: ${problem}`)
    }
  }
  const paginated = benchmark.requests.every((list) => list.paginate)
  return {
    label: benchmark.label,
    target: benchmark.target,
    paths: benchmark.requests.map((list) => list.path),
    requests: count,
    totals: paginated ? benchmark.requests.map((list) => list.expectedTotal) : undefined,
    matching: benchmark.requests.map((list) => list.expectedTotal),
    wrongAnswers,
    ...summarize(timings),
  }
}

function machine(sqliteVersion: string) {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    sqlite: sqliteVersion,
  }
}

function markdown(report: {
  date: string
  command: string
  machine: ReturnType<typeof machine>
  jobs: number
  loadSeconds: number
  databaseBytes: number
  startup: { line: string }
  live: { line: string }
  requestsPerQuery: number
  client: string
  results: Measured[]
}): string {
  const { machine: m } = report
  const ms = (value: number) => value.toFixed(2)
  const lines = [
    `## Job lists with ${report.jobs.toLocaleString('en')} jobs (${report.date})`,
    '',
    `- command: \`${report.command}\``,
    `- machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; SQLite ${m.sqlite}`,
    `- load: ${report.loadSeconds.toFixed(1)} s (${Math.round(report.jobs / report.loadSeconds).toLocaleString('en')} rows/s), database ${(report.databaseBytes / 2 ** 20).toFixed(0)} MiB`,
    `- ${report.startup.line}`,
    `- ${report.live.line}; expected answers read from the jobs table after that`,
    `- ${report.requestsPerQuery.toLocaleString('en')} timed requests per query after ${WARM_UP} warm-up; ${report.client}`,
    `- {busy}: the ${ROTATION} busiest functions in turn; {id}: workers from across the history in turn; ★ = target (p99 < 20 ms)`,
    '',
    '| query | p50 ms | p95 ms | p99 ms | max ms | total (matches?) |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ]
  for (const row of report.results) {
    const totals =
      row.totals?.map((n) => n.toLocaleString('en')).join(' / ') ??
      `no total (unpaginated; ${row.matching.map((n) => n.toLocaleString('en')).join(' / ')} match)`
    const verdict = row.wrongAnswers === 0 ? 'yes' : `NO: ${row.wrongAnswers} wrong answers`
    lines.push(
      `| ${row.target ? '★ ' : ''}\`${row.label}\` | ${ms(row.p50)} | ${ms(row.p95)} | ${ms(row.p99)} | ${ms(row.max)} | ${totals} (${verdict}) |`,
    )
  }
  return lines.join('\n')
}

function writeResults(report: { date: string }): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `job-list-${report.date.replaceAll(':', '-')}.json`)
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  return file
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

function fmt(value: number): string {
  return value.toLocaleString('en')
}

await runBenchmark(main)
