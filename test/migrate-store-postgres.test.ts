/**
 * `haze migrate-store` (the real command, as a process) from a real SQLite store into a real
 * PostgreSQL database: everything read back equal, totals included; a non-empty target refused.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { JOB_STATUSES, type JobStatus } from '../src/domain/job.js'
import type { JobQuery } from '../src/store/job-store.js'
import { openStores, type Stores } from '../src/store/factory.js'
import { hazeCommand } from './helpers/cli.js'
import { makeJob } from './helpers/jobs.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'

function haze(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, argv] = hazeCommand(args)
  const child = spawn(command, argv, { cwd: HAZE_HOME, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
}

describe('haze migrate-store', { timeout: 120_000 }, () => {
  let postgres: TestPostgres
  let dir: string
  let sqlite: Stores
  let target: string
  const jobs = Array.from({ length: 1_234 }, (_, i) =>
    makeJob({
      function: `f${i % 5}`,
      context: `c${i % 3}`,
      status: JOB_STATUSES[i % JOB_STATUSES.length] as JobStatus,
      workerId: i % 2 === 0 ? `w${i % 7}` : undefined,
      source: i % 11 === 0 ? 'Async Kafka' : 'Http',
      arguments: `{"n":${i},"big":123456789012345678901234567890${i}}`,
      result: i % 3 === 0 ? `{"exact":98765432109876543210.000000000000000001,"i":${i}}` : undefined,
      startedBy: i % 13 === 0 ? 'ci' : undefined,
    }),
  )

  before(async () => {
    postgres = await startPostgres()
    dir = mkdtempSync(join(tmpdir(), 'haze-migrate-'))
    sqlite = await openStores({ url: 'sqlite:', poolSize: 1 }, dir)
    for (const job of jobs) await sqlite.jobs.insert(job)
    await sqlite.catalog.putContext({ name: 'c1', sparkConf: { 'spark.master': 'local[2]' }, downtime: Infinity, maxJobs: 3, precreated: true, runOptions: '', workerMode: 'shared', streamingDuration: 1000, maxConnFailures: 5, spareWorkers: 0, maxWorkers: 1 })
    await sqlite.catalog.putFunction({ name: 'f1', path: 'f.py', className: 'f', defaultContext: 'c1', createTime: 1, updateTime: 2, artifactSha: 'ab'.repeat(20), signature: { lang: 'python', execute: { n: { type: 'MInt' } }, tags: [], contextKind: 'spark_session', defaults: {} } })
    await sqlite.catalog.putFunction({ name: 'f2', path: 'g.py', className: 'g', defaultContext: 'default', createTime: 3, updateTime: 3 })
    for (let i = 0; i < 5; i++) await sqlite.audit.record({ time: i, actor: `a${i % 2}`, action: 'job.cancel', target: `j${i}`, status: 200 })
    target = await postgres.createDatabase()
  })
  after(async () => {
    await sqlite?.close()
    await postgres?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('copies everything and says so, the password only from HAZE_STORE_PASSWORD', async () => {
    const run = await haze(['migrate-store', '--from', `sqlite:${join(dir, 'haze.db')}`, '--to', target], { HAZE_STORE_PASSWORD: postgres.password })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /done: 2 functions, 1 contexts, 1234 jobs \(.*\), 5 audit entries; counts equal on both sides/)
    assert.equal(run.stdout.includes(postgres.password), false)
  })

  it('reads back every job, function, context and audit entry equal', async () => {
    const copy = await openStores({ url: target, poolSize: 2, password: postgres.password }, dir)
    try {
      for (const job of jobs) assert.deepEqual(await copy.jobs.get(job.jobId), await sqlite.jobs.get(job.jobId))
      assert.deepEqual(await copy.catalog.listFunctions(), await sqlite.catalog.listFunctions())
      assert.deepEqual(await copy.catalog.listContexts(), await sqlite.catalog.listContexts())
      const audit = { limit: 100, offset: 0, withTotal: true }
      assert.deepEqual(await copy.audit.list(audit), await sqlite.audit.list(audit))
      const queries: Partial<JobQuery>[] = [{}, { statuses: ['finished', 'failed'] }, { function: 'f2' }, { workerId: 'w3', statuses: ['queued'] }, { context: 'c0' }, { source: 'Async Kafka' }, { offset: 1200 }]
      for (const filter of queries) {
        const query: JobQuery = { limit: 25, offset: 0, statuses: [], withTotal: true, ...filter }
        assert.deepEqual(await copy.jobs.list(query), await sqlite.jobs.list(query), JSON.stringify(filter))
      }
    } finally {
      await copy.close()
    }
  })

  it('refuses a target that is not empty, and changes nothing', async () => {
    const run = await haze(['migrate-store', '--from', `sqlite:${join(dir, 'haze.db')}`, '--to', target], { HAZE_STORE_PASSWORD: postgres.password })
    assert.equal(run.code, 1)
    assert.match(run.stderr, /haze migrate-store: the PostgreSQL store at haze@127\.0\.0\.1:\d+\/haze_test_\w+ is not empty \(functions has rows\); migrate into a new database/)
  })

  it('refuses a missing source file', async () => {
    const run = await haze(['migrate-store', '--from', `sqlite:${join(dir, 'nope.db')}`, '--to', target], { HAZE_STORE_PASSWORD: postgres.password })
    assert.deepEqual([run.code, run.stderr.trim()], [1, `haze migrate-store: no SQLite store at ${join(dir, 'nope.db')}; give the path of a Haze data dir's haze.db`])
  })
})
