/**
 * How fast the job lists answer with a large history: loads N synthetic jobs (default
 * 1,000,000) into a fresh SQLite store, starts the real Haze server on it and times the list
 * endpoints over HTTP on loopback, one request at a time. Every response is checked against
 * the jobs table (page length, `total`, filter, order); a wrong answer makes the run fail.
 *
 *   node --import tsx bench/job-list.ts [--jobs N] [--requests N]
 *
 * Prints a markdown table and writes the same figures to bench/results/job-list-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, platform, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { startServer } from '../src/server.js'
import { openSqlite, type SqliteDatabase } from '../src/store/sqlite/database.js'
import { KeepAliveClient, summarize, type Latency } from './lib/http-timing.js'
import { runBenchmark, type Release } from './lib/run.js'
import { checkResponse, counterDiscrepancies, listRequest, type ListRequest } from './lib/list-queries.js'
import { FUNCTIONS, loadJobs } from './lib/synthetic-jobs.js'

const WARM_UP = 50
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
  wrongAnswers: number
}

async function main(signal: AbortSignal, releases: Release[]): Promise<number> {
  const options = readOptions()
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-'))
  releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const dbFile = join(dataDir, 'haze.db')

  const db = openSqlite(dbFile)
  releases.push(() => db.open && db.close())
  const loadSeconds = await load(db, options.jobs, signal)
  const sqliteVersion = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
  checkCounters(db)
  const benchmarks = defineBenchmarks(db, options.jobs)
  db.close()
  const databaseBytes = statSync(dbFile).size

  const server = await startServer(loadConfig({ port: '0', dataDir }, {}), createLogger('silent'))
  releases.push(() => server.stop())
  const client = new KeepAliveClient(server.url)
  releases.push(() => client.close())

  const measured: Measured[] = []
  for (const benchmark of benchmarks) {
    measured.push(await measure(client, benchmark, options.requests, signal))
  }

  const report = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/job-list.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(sqliteVersion),
    jobs: options.jobs,
    loadSeconds,
    databaseBytes,
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
  return 0
}

function readOptions(): { jobs: number; requests: number } {
  const { values } = parseArgs({
    options: { jobs: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '1000' } },
  })
  const count = (name: string, text: string): number => {
    const value = Number(text.replaceAll('_', ''))
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number above 0; got ${text}`)
    return value
  }
  return { jobs: count('jobs', values.jobs), requests: count('requests', values.requests) }
}

async function load(db: SqliteDatabase, jobs: number, signal: AbortSignal): Promise<number> {
  const started = performance.now()
  await loadJobs(
    db,
    jobs,
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
  console.error(`loaded ${jobs.toLocaleString('en')} jobs in ${seconds.toFixed(1)} s`)
  return seconds
}

/** A wrong counter would show up as a wrong `total`; this checks all of them up front. */
function checkCounters(db: SqliteDatabase): void {
  const started = performance.now()
  const { checked, wrong } = counterDiscrepancies(db)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  if (wrong > 0) throw new Error(`job_counts disagrees with the jobs table in ${wrong} row(s) of ${checked}`)
  console.error(`job_counts agrees with COUNT(*) over jobs in all ${checked.toLocaleString('en')} counters (${seconds} s)`)
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
    `- ${report.requestsPerQuery.toLocaleString('en')} timed requests per query after ${WARM_UP} warm-up; ${report.client}`,
    `- {busy}: the ${ROTATION} busiest functions in turn; {id}: workers from across the history in turn; ★ = target (p99 < 20 ms)`,
    '',
    '| query | p50 ms | p95 ms | p99 ms | max ms | total (matches?) |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ]
  for (const row of report.results) {
    const totals = row.totals?.map((n) => n.toLocaleString('en')).join(' / ') ?? 'no total (unpaginated)'
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

await runBenchmark(main)
