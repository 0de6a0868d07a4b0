/**
 * The job-list benchmark on PostgreSQL: loads N synthetic jobs (default 1,000,000, none left
 * unfinished) into a SQLite file with the same generator as bench/job-list.ts, copies them into a
 * fresh PostgreSQL server with `migrateStore` (as `haze migrate-store` does), starts the real
 * Haze server on PostgreSQL, and times the same list endpoints over HTTP on loopback, one
 * request at a time. Every answer is checked against the SQLite copy (page, order, `total`),
 * and every count PostgreSQL keeps against a GROUP BY over its jobs table.
 *
 * The server runs with PostgreSQL's durable defaults (fsync and synchronous commit on).
 *
 *   node --import tsx bench/job-list-postgres.ts [--jobs N] [--requests N]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { startServer } from '../src/server.js'
import { openSqlite } from '../src/store/sqlite/database.js'
import { migrateStore } from '../src/store/migrate-store.js'
import { PostgresDatabase } from '../src/store/postgres/database.js'
import { startPostgres } from '../test/helpers/postgres.js'
import { KeepAliveClient, summarize } from './lib/http-timing.js'
import { checkResponse, listRequest, type ListRequest } from './lib/list-queries.js'
import { runBenchmark, type Release } from './lib/run.js'
import { FUNCTIONS, loadJobs } from './lib/synthetic-jobs.js'

const WARM_UP = 50
const ROTATION = 4

async function main(signal: AbortSignal, releases: Release[]): Promise<number> {
  const { values } = parseArgs({ options: { jobs: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '1000' } } })
  const jobs = Number(values.jobs.replaceAll('_', ''))
  const requests = Number(values.requests)
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-pg-'))
  releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const file = join(dataDir, 'source.db')

  let started = performance.now()
  const sqlite = openSqlite(file)
  await loadJobs(sqlite, { count: jobs, unfinished: 0 }, ({ loaded, total }) => console.error(`loaded ${loaded} / ${total} jobs into SQLite`), signal)
  sqlite.close()
  console.error(`SQLite loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`)

  const postgres = await startPostgres({ durable: true, settings: { shared_buffers: '256MB' } })
  releases.push(() => postgres.stop())
  const url = await postgres.createDatabase()
  started = performance.now()
  const copied = await migrateStore({ from: file, to: url, password: postgres.password, progress: (line) => console.error(line) })
  const copySeconds = (performance.now() - started) / 1000
  console.error(`copied ${copied.copied.jobs} jobs into PostgreSQL in ${copySeconds.toFixed(1)} s (${Math.round(copied.copied.jobs / copySeconds)} rows/s)`)
  const db = await PostgresDatabase.open({ url, password: postgres.password, poolSize: 1 })
  releases.push(() => db.close())
  await db.run('VACUUM ANALYZE jobs', [], { idempotent: true })

  const config = { ...loadConfig({ port: '0', dataDir }, {}), store: { url, poolSize: 10, password: postgres.password } }
  const server = await startServer(config, createLogger('silent'))
  releases.push(() => server.stop())

  const reader = new Database(file, { readonly: true, fileMustExist: true })
  releases.push(() => reader.close())
  const workers = [0.2, 0.45, 0.7, 0.95]
    .map((fraction) => (reader.prepare('SELECT worker_id FROM jobs WHERE seq >= ? AND worker_id IS NOT NULL ORDER BY seq LIMIT 1').get(Math.floor(fraction * jobs) + 1) as { worker_id: string } | undefined)?.worker_id)
    .filter((id): id is string => id !== undefined)
  const busy = FUNCTIONS.slice(0, ROTATION)
  const page25 = { paginate: true, limit: 25 }
  const benchmarks: [string, ListRequest[]][] = [
    ['`GET /v2/api/jobs?status=finished&paginate=true&limit=25`', [listRequest(reader, { statuses: ['finished'] }, page25)]],
    ['`GET /v2/api/functions/{id}/jobs?status=finished&paginate=true&limit=25`', busy.map((fn) => listRequest(reader, { function: fn, statuses: ['finished'] }, page25))],
    ['`GET /v2/api/functions/{id}/jobs?paginate=true`', busy.map((fn) => listRequest(reader, { function: fn, statuses: [] }, { paginate: true }))],
    ['`GET /v2/api/workers/{id}/jobs?paginate=true`', workers.map((id) => listRequest(reader, { workerId: id, statuses: [] }, { paginate: true }))],
    ['`GET /v2/api/workers/{id}/jobs?status=finished&paginate=true`', workers.map((id) => listRequest(reader, { workerId: id, statuses: ['finished'] }, { paginate: true }))],
    ['Mist UI running list (4 statuses, no paging)', [listRequest(reader, { statuses: ['initialized', 'queued', 'started', 'job-file-downloading'] }, { paginate: false })]],
    ['Mist UI overview `?paginate=true&offset=25`', [listRequest(reader, { statuses: [] }, { paginate: true, offset: 25 })]],
    ['Mist UI failed tab `?paginate=true&status=failed&status=cancelled`', [listRequest(reader, { statuses: ['failed', 'cancelled'] }, { paginate: true })]],
  ]

  const client = new KeepAliveClient(server.url)
  releases.push(() => client.close())
  let wrong = 0
  const rows: string[] = []
  for (const [label, lists] of benchmarks) {
    const timings: number[] = []
    for (let index = 0; index < WARM_UP + requests; index++) {
      signal.throwIfAborted()
      const list = lists[index % lists.length]
      if (list === undefined) throw new Error(`${label} has no requests`)
      const response = await client.get(list.path)
      if (index >= WARM_UP) timings.push(response.milliseconds)
      const problem = checkResponse(list, response.status, response.body)
      if (problem !== undefined && ++wrong <= 5) console.error(`WRONG ANSWER from GET ${list.path}: ${problem}`)
    }
    const l = summarize(timings)
    rows.push(`| ${label} | ${l.p50.toFixed(2)} | ${l.p95.toFixed(2)} | ${l.p99.toFixed(2)} | ${l.max.toFixed(2)} |`)
  }
  const [{ n: mismatches } = { n: -1 }] = await db.run<{ n: number }>(
    `WITH truth AS (SELECT s.scope, s.key, j.status, count(*) AS n FROM jobs j
       CROSS JOIN LATERAL (VALUES ('all', ''), ('function', j.function), ('context', j.context), ('source', j.source), ('worker', j.worker_id)) s (scope, key)
       WHERE s.key IS NOT NULL GROUP BY 1, 2, 3),
     kept AS (SELECT scope, key, status, sum(n) AS n FROM (SELECT scope, key, status, n FROM job_counts UNION ALL SELECT scope, key, status, delta FROM job_count_deltas) c GROUP BY 1, 2, 3 HAVING sum(n) <> 0)
     SELECT count(*) AS n FROM truth FULL JOIN kept USING (scope, key, status) WHERE truth.n IS DISTINCT FROM kept.n`,
    [],
    { idempotent: true, budgetMs: 600_000 },
  )
  const [{ version } = { version: '?' }] = await db.run<{ version: string }>("SELECT current_setting('server_version') AS version", [], { idempotent: true })
  console.log(`PostgreSQL ${version}, ${jobs.toLocaleString('en')} jobs, ${requests} timed requests per query after ${WARM_UP} warm-up, copy ${copySeconds.toFixed(1)} s`)
  console.log('| query | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|')
  console.log(rows.join('\n'))
  console.log(`counters disagreeing with GROUP BY: ${mismatches}; wrong answers: ${wrong}`)
  return wrong === 0 && mismatches === 0 ? 0 : 1
}

await runBenchmark(main)
