/**
 * The shared store suites on a real PostgreSQL (one server for the file, a database per suite),
 * and what only the PostgreSQL store does: migrations under a lock, counts kept as deltas and
 * folded, the password from outside the URL, a clear 503 when the server is away.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { HazeError } from '../src/domain/errors.js'
import { JOB_STATUSES } from '../src/domain/job.js'
import { openStores, type Stores } from '../src/store/factory.js'
import { PostgresDatabase } from '../src/store/postgres/database.js'
import { PostgresJobStore } from '../src/store/postgres/job-store.js'
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js'
import { makeJob } from './helpers/jobs.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { until } from './helpers/wait.js'
import { auditStoreSuite } from './store/audit-store-suite.js'
import { catalogStoreSuite } from './store/catalog-store-suite.js'
import { jobStoreSuite } from './store/job-store-suite.js'

let server: TestPostgres
const ready = (async () => (server = await startPostgres()))()
after(() => server?.stop())

/** Stores on a fresh database of the shared server, through the same factory as a master. */
async function freshStores(): Promise<Stores> {
  await ready
  return openStores({ url: await server.createDatabase(), poolSize: 8, password: server.password }, '/nonexistent')
}

jobStoreSuite('PostgreSQL (a real server)', async () => {
  const stores = await freshStores()
  return { store: stores.jobs, close: () => stores.close() }
})
catalogStoreSuite('PostgreSQL (a real server)', async () => {
  const stores = await freshStores()
  return { store: stores.catalog, close: () => stores.close() }
})
auditStoreSuite('PostgreSQL (a real server)', async () => {
  const stores = await freshStores()
  return { store: stores.audit, close: () => stores.close() }
})

describe('the PostgreSQL store', () => {
  before(() => ready)

  it('applies each migration once when two masters open a new database at the same moment', async () => {
    const url = await server.createDatabase()
    const opened = await Promise.all([1, 2, 3].map(() => PostgresDatabase.open({ url, password: server.password, poolSize: 2 })))
    try {
      const rows = await opened[0]?.run<{ version: number }>('SELECT version FROM haze_migrations ORDER BY version', [], { idempotent: true })
      assert.deepEqual(rows?.map((r) => r.version), POSTGRES_MIGRATIONS.map((m) => m.version))
    } finally {
      await Promise.all(opened.map((db) => db.close()))
    }
  })

  it('refuses a database whose schema is newer than this Haze', async () => {
    const url = await server.createDatabase()
    const db = await PostgresDatabase.open({ url, password: server.password, poolSize: 1 })
    await db.run("INSERT INTO haze_migrations (version, name) VALUES (999, 'from the future')", [], { idempotent: false })
    await db.close()
    await assert.rejects(PostgresDatabase.open({ url, password: server.password, poolSize: 1 }), /schema is version 999, newer than this Haze knows/)
  })

  it('keeps every count of every scope equal to a GROUP BY, before and after folding', async () => {
    const stores = await freshStores()
    try {
      const jobs = stores.jobs as PostgresJobStore
      const records = Array.from({ length: 200 }, (_, i) =>
        makeJob({ function: `f${i % 3}`, context: `c${i % 4}`, source: i % 5 === 0 ? 'Async Kafka' : 'Http', status: 'queued' }),
      )
      await Promise.all(records.map((job) => jobs.insert(job)))
      await Promise.all(records.map((job, i) => jobs.transition(job.jobId, { status: 'started', workerId: `w${i % 7}` })))
      await Promise.all(records.map((job, i) => jobs.transition(job.jobId, { status: JOB_STATUSES[5 + (i % 3)] ?? 'failed' })))
      const db = stores.postgres
      assert.ok(db)
      const check = async (when: string) => {
        const [{ n: mismatches } = { n: -1 }] = await db.run<{ n: number }>(
          `WITH truth AS (
             SELECT s.scope, s.key, j.status, count(*) AS n FROM jobs j
             CROSS JOIN LATERAL (VALUES ('all', ''), ('function', j.function), ('context', j.context), ('source', j.source), ('worker', j.worker_id)) s (scope, key)
             WHERE s.key IS NOT NULL GROUP BY 1, 2, 3),
           kept AS (
             SELECT scope, key, status, sum(n) AS n FROM (SELECT scope, key, status, n FROM job_counts UNION ALL SELECT scope, key, status, delta FROM job_count_deltas) c
             GROUP BY 1, 2, 3 HAVING sum(n) <> 0)
           SELECT count(*) AS n FROM truth FULL JOIN kept USING (scope, key, status) WHERE truth.n IS DISTINCT FROM kept.n`,
          [],
          { idempotent: true },
        )
        assert.equal(mismatches, 0, when)
      }
      await check('with deltas pending')
      await jobs.foldCounts()
      const [{ n: pending } = { n: -1 }] = await db.run<{ n: number }>('SELECT count(*) AS n FROM job_count_deltas', [], { idempotent: true })
      assert.equal(pending, 0, 'folding empties the deltas')
      await check('after folding')
    } finally {
      await stores.close()
    }
  })

  it('takes the password from outside the URL, and never puts it in what it reports', async () => {
    const url = await server.createDatabase()
    const stores = await openStores({ url, poolSize: 1, password: server.password }, '/nonexistent')
    try {
      await stores.ping()
      assert.equal(stores.where.includes(server.password), false)
      assert.match(stores.where, /^haze@127\.0\.0\.1:\d+\/haze_test_/)
    } finally {
      await stores.close()
    }
  })

  it('says which server refused a wrong password, without the password', async () => {
    const url = await server.createDatabase()
    await assert.rejects(openStores({ url, poolSize: 1, password: 'wrong-password' }, '/nonexistent'), (error: Error) => {
      assert.match(error.message, /cannot open the PostgreSQL store at haze@127\.0\.0\.1:\d+\/haze_test_\w+: password authentication failed/)
      assert.equal(error.message.includes('wrong-password'), false)
      return true
    })
  })

  it('retries a job transition that PostgreSQL rolled back for a serialization failure', async () => {
    const url = await server.createDatabase()
    const database = new URL(url).pathname.slice(1)
    const session = async () => {
      const client = new pg.Client({ connectionString: server.adminUrl(database) })
      await client.connect()
      return client
    }
    const admin = await session()
    // Under REPEATABLE READ (a setting a DBA may choose), a row changed by a transaction that
    // commits while a statement waits for it makes that statement fail with 40001.
    await admin.query(`ALTER DATABASE ${database} SET default_transaction_isolation = 'repeatable read'`)
    const stores = await openStores({ url, poolSize: 2, password: server.password }, '/nonexistent')
    const blocker = await session()
    const plain = await session()
    try {
      const job = makeJob({ function: 'serialized', status: 'queued' })
      await stores.jobs.insert(job)
      /** Runs `write` while another transaction holds the job's row, and commits that one once `write` waits for it. */
      const racing = async <T>(write: () => Promise<T>): Promise<T> => {
        await blocker.query('BEGIN')
        await blocker.query('UPDATE jobs SET result = result WHERE job_id = $1', [job.jobId])
        const written = write()
        written.catch(() => undefined)
        await until(async () => {
          const waiting = await admin.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [database])
          return (waiting.rowCount ?? 0) > 0
        }, 'the write to wait for the row', 10_000)
        await blocker.query('COMMIT')
        return written
      }
      await assert.rejects(
        racing(() => plain.query("UPDATE jobs SET status = 'started' WHERE job_id = $1", [job.jobId])),
        (error: { code?: string }) => error.code === '40001',
        'the same move by a plain client fails: the conflict is real',
      )
      const moved = await racing(() => stores.jobs.transition(job.jobId, { status: 'started', workerId: 'w-serial' }))
      assert.deepEqual([moved?.status, moved?.workerId], ['started', 'w-serial'])
    } finally {
      await Promise.all([admin.end(), blocker.end(), plain.end()])
      await stores.close()
    }
  })

  it('answers a clear 503 error when the server does not answer', async () => {
    const stores = await freshStores()
    const probe = new pg.Client({ connectionString: server.adminUrl() })
    try {
      await stores.jobs.insert(makeJob({ function: 'away' }))
      // Cut every session of this database, and keep new ones out, as a restarting server would.
      const database = stores.where.split('/').at(-1) ?? ''
      await probe.connect()
      await probe.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`)
      await probe.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database])
      const started = Date.now()
      await assert.rejects(stores.jobs.list({ limit: 5, offset: 0, statuses: [], withTotal: true }), (error: unknown) => {
        assert.ok(error instanceof HazeError, `a HazeError, not ${String(error)} (${(error as { code?: string }).code})`)
        assert.equal(error.code, 'unavailable')
        assert.match(error.message, /the job store \(PostgreSQL at haze@127\.0\.0\.1:\d+\/haze_test_\w+\) cannot be reached: .*try again in a moment/)
        return true
      })
      assert.ok(Date.now() - started >= 4_000, 'retried for its budget first')
      await probe.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`)
      assert.equal((await stores.jobs.list({ limit: 5, offset: 0, statuses: [], withTotal: true })).total, 1, 'answers again once it is back')
    } finally {
      await probe.end()
      await stores.close()
    }
  })
})
