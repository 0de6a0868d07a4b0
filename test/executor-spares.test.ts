/**
 * The spare-worker policy (spareWorkers, maxWorkers) with a scripted worker double and a real
 * SQLite store: spares start ahead of demand, a job takes one and a replacement starts, the
 * bounds hold, a spare's start failure counts toward a broken context, and changes, deletion
 * and shutdown leave no spare behind. e2e-spares.test.ts proves the same on real Spark.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { ContextService } from '../src/catalog/context-service.js'
import type { ContextConfig } from '../src/domain/context.js'
import type { JobRecord } from '../src/domain/job.js'
import { EventBus } from '../src/events/bus.js'
import { Executor } from '../src/execution/executor.js'
import { createLogger } from '../src/logger.js'
import { JobLogs } from '../src/logs/job-logs.js'
import { SqliteCatalogStore } from '../src/store/sqlite/catalog-store.js'
import { openSqlite, type SqliteDatabase } from '../src/store/sqlite/database.js'
import { SqliteJobStore } from '../src/store/sqlite/job-store.js'
import { BUILT_IN_DEFAULT } from './helpers/contexts.js'
import { FakeLauncher, type FakeWorker } from './helpers/fake-workers.js'
import type { WorkerLang } from '../src/workers/protocol.js'
import { until } from './helpers/wait.js'

const DEFAULTS: ContextConfig = { ...BUILT_IN_DEFAULT, maxConnFailures: 3 }

describe('spare workers', () => {
  let dir: string
  let db: SqliteDatabase
  let jobs: SqliteJobStore
  let contexts: ContextService
  let logs: JobLogs
  let launcher: FakeLauncher
  let bus: EventBus
  let executor: Executor
  /** The worker languages of the functions deployed to each context, as the catalog would say. */
  let langsOf: (context: string) => WorkerLang[]

  const build = () =>
    new Executor({
      jobs,
      contexts,
      logs,
      launcher,
      bus,
      log: createLogger('silent'),
      functions: {
        resolveForRun: async () => ({
          record: { name: 'fn', path: 'fn.py', className: 'f', defaultContext: 'default', createTime: 0, updateTime: 0 },
          signature: { lang: 'python', execute: {}, tags: [], contextKind: 'spark_session', defaults: {} },
          sha1: 'a'.repeat(40),
        }),
        workerLangsOf: async (context) => langsOf(context),
      },
      settings: { resultLimit: 1000, cancelGrace: 300, shutdownGrace: 300, artifactUrl: (name) => `http://master/${name}` },
    })

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'haze-spares-'))
    db = openSqlite(join(dir, 'haze.db'))
    jobs = new SqliteJobStore(db)
    bus = new EventBus(createLogger('silent'))
    contexts = new ContextService(new SqliteCatalogStore(db), DEFAULTS, bus)
    logs = await JobLogs.open(join(dir, 'logs'))
    launcher = new FakeLauncher()
    launcher.onLaunch = (worker: FakeWorker) => worker.ready()
    langsOf = () => []
    executor = build()
    await executor.start()
  })

  afterEach(async () => {
    await executor.stop()
    // Job logs are written a moment late: what is left goes before the dir does.
    await logs.close()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const submit = async (context: string) =>
    (await executor.submit({ functionName: 'fn', argumentsText: '{}', source: 'Http', context })).record.jobId
  const stored = async (id: string) => (await jobs.get(id)) as JobRecord
  const spares = () => launcher.live().filter((worker) => executor.isSpare(worker))
  const busy = () => launcher.live().filter((worker) => worker.runs.length > 0)

  it('exclusive: a job takes a ready spare that never ran anything, and a replacement starts at once', async () => {
    await contexts.put({ name: 'ex', workerMode: 'exclusive', maxJobs: 1, spareWorkers: 1 })
    const [spare] = await until(() => (spares().length === 1 ? spares() : undefined), 'a spare before any job')
    assert.equal(launcher.launched.length, 1, 'only the spare was started')
    assert.deepEqual(spare!.received, [], 'the spare has been sent nothing')

    const id = await submit('ex')
    await until(() => spare!.runs.length === 1, 'the job on the spare')
    assert.deepEqual(spare!.runs, [id])
    assert.equal(executor.isSpare(spare!), false, 'a worker with a job is no spare')
    await until(() => spares().length === 1 && spares()[0] !== spare, 'a replacement spare')
    assert.equal(launcher.launched.length, 2)

    spare!.finish(id)
    assert.equal((await executor.ended(id)).workerId, spare!.id)
    assert.equal(spare!.state, 'exited', 'the exclusive driver stops after its job')
    assert.equal(launcher.live().length, 1, 'the replacement spare is all that is left')
  })

  it("starts a context's spares in the languages of its functions, and a spare of a new kind once a function of it is deployed", async () => {
    langsOf = (context) => (context === 'scala' ? ['jvm'] : [])
    await contexts.put({ name: 'scala', workerMode: 'exclusive', maxJobs: 1, spareWorkers: 1 })
    const [jvm] = await until(() => (spares().length === 1 ? spares() : undefined), 'a spare before any job')
    assert.equal(jvm!.lang, 'jvm', 'a context of JVM functions keeps a JVM spare, no Python one')

    langsOf = (context) => (context === 'scala' ? ['jvm', 'python'] : [])
    const record = { name: 'py', path: 'py.py', className: 'f', defaultContext: 'scala', createTime: 0, updateTime: 0 }
    bus.publish('function:changed', { function: record, time: Date.now() })
    await until(() => spares().length === 2, 'a Python spare beside the JVM one')
    assert.deepEqual(spares().map((worker) => worker.lang).sort(), ['jvm', 'python'])
  })

  it('exclusive: at most maxJobs jobs at once, however many spares are ready; drivers ≤ maxJobs + spareWorkers', async () => {
    await contexts.put({ name: 'ex2', workerMode: 'exclusive', maxJobs: 1, spareWorkers: 2 })
    await until(() => spares().length === 2, 'two spares')
    const first = await submit('ex2')
    const second = await submit('ex2')
    await until(() => busy().length === 1 && spares().length === 2, 'one job running and two spares again')
    assert.equal(launcher.live().length, 3, 'maxJobs + spareWorkers drivers')
    assert.equal((await stored(second)).status, 'queued', 'the second job waits for maxJobs, not for a worker')
    const [worker] = busy()
    worker!.finish(first)
    await until(() => busy().length === 1 && busy()[0]!.runs[0] === second, 'the second job on a spare')
    await until(() => spares().length === 2, 'its replacement')
    assert.equal(launcher.live().length, 3)
  })

  it('exclusive: a worker started for a job that was cancelled stays as a spare when one is missing', async () => {
    launcher.onLaunch = () => undefined
    await contexts.put({ name: 'ex3', workerMode: 'exclusive', maxJobs: 1, spareWorkers: 1 })
    await until(() => launcher.live().length === 1, 'a spare starting')
    const id = await submit('ex3')
    await until(() => launcher.live().length === 2, 'a worker starting for the job as well')
    const [spare, forJob] = launcher.live()
    spare!.ready()
    await until(() => spare!.runs[0] === id, 'the spare, ready first, takes the job')
    forJob!.ready()
    await until(() => executor.isSpare(forJob!), 'the worker started for the job becomes the spare')
    assert.equal(launcher.live().length, 2)
  })

  it('shared: spares take the jobs one worker has no room for, up to maxWorkers', async () => {
    await contexts.put({ name: 'sh', workerMode: 'shared', maxJobs: 1, maxWorkers: 2, spareWorkers: 1 })
    await until(() => spares().length === 1, 'a spare')
    const first = await submit('sh')
    await until(() => busy().length === 1 && spares().length === 1, 'the first job on the spare, and a new spare')
    const second = await submit('sh')
    await until(() => busy().length === 2, 'the burst on the second worker')
    const third = await submit('sh')
    assert.equal(launcher.live().length, 2, 'never more than maxWorkers')
    assert.equal(spares().length, 0)
    assert.equal((await stored(third)).status, 'queued')
    const [a] = busy()
    a!.finish(a!.runs[0]!)
    await until(() => a!.runs.length === 2, 'the third job on the same warm worker')
    assert.equal(a!.state, 'ready', 'a shared worker serves again')
    assert.deepEqual(new Set(busy().flatMap((w) => w.runs)), new Set([first, second, third]))
  })

  it('shared with maxWorkers > 1 and no spares: a further worker starts when the queued jobs do not fit', async () => {
    await contexts.put({ name: 'sh2', workerMode: 'shared', maxJobs: 1, maxWorkers: 2 })
    const ids = [await submit('sh2'), await submit('sh2'), await submit('sh2')]
    await until(() => busy().length === 2, 'two workers busy')
    assert.equal(launcher.launched.length, 2, 'at most maxWorkers')
    assert.equal((await stored(ids[2]!)).status, 'queued')
  })

  it('starts spares at start-up, after restart recovery', async () => {
    await executor.stop()
    await new SqliteCatalogStore(db).putContext({ ...DEFAULTS, name: 'boot', spareWorkers: 2 })
    launcher = new FakeLauncher()
    launcher.onLaunch = (worker: FakeWorker) => worker.ready()
    executor = build()
    assert.equal(launcher.launched.length, 0)
    await executor.start()
    await until(() => spares().length === 2, 'two spares after start')
    assert.ok(launcher.launched.every((worker) => worker.context.name === 'boot'))
  })

  it('a context change replaces the spares with the new settings; a deletion stops them for good', async () => {
    await contexts.put({ name: 'reshape', spareWorkers: 2 })
    await until(() => spares().length === 2, 'two spares')
    const old = spares()
    await contexts.put({ name: 'reshape', spareWorkers: 1, sparkConf: { 'spark.master': 'local[2]' } })
    await until(() => old.every((w) => w.state === 'exited') && spares().length === 1, 'one new spare')
    assert.equal(spares()[0]!.context.sparkConf['spark.master'], 'local[2]')
    assert.match(old[0]!.stopReason ?? '', /its context changed/)
    const [last] = spares()
    await contexts.delete('reshape')
    await until(() => last!.state === 'exited', 'the spare stopped')
    assert.match(last!.stopReason ?? '', /its context was deleted/)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(launcher.live().length, 0, 'no spare is started for a deleted context')
  })

  it('a spare that fails to start counts toward maxConnFailures; the broken context starts nothing more', async () => {
    launcher.onLaunch = (worker) => worker.die('exited with code 1', ['Error: no such option --bogus'])
    await contexts.put({ name: 'flop', spareWorkers: 1, maxConnFailures: 2 })
    await until(() => launcher.launched.length === 2, 'two failed starts')
    const id = await submit('flop')
    assert.equal((await stored(id)).status, 'failed', 'a new job fails at once')
    assert.match(JSON.parse((await stored(id)).result ?? 'null') as string, /^context flop is broken: worker flop_.* failed to start: exited with code 1: Error: no such option --bogus/)
    assert.equal(launcher.launched.length, 2, 'no start after the context broke')
  })

  it('shutdown stops every spare', async () => {
    await contexts.put({ name: 'down', spareWorkers: 2 })
    await until(() => spares().length === 2, 'two spares')
    await executor.stop()
    assert.equal(launcher.live().length, 0)
  })
})
