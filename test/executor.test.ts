/**
 * The executor's own rules (queues, modes, timeouts, cancel, crashes, broken contexts, restart,
 * shutdown), with a scripted worker double and a real SQLite store. Spark runs in the
 * end-to-end tests.
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
import { Executor, type SubmitRequest } from '../src/execution/executor.js'
import { createLogger } from '../src/logger.js'
import { JobLogs } from '../src/logs/job-logs.js'
import { SqliteCatalogStore } from '../src/store/sqlite/catalog-store.js'
import { openSqlite, type SqliteDatabase } from '../src/store/sqlite/database.js'
import { SqliteJobStore } from '../src/store/sqlite/job-store.js'
import type { JobPatch, JobStore } from '../src/store/job-store.js'
import { BUILT_IN_DEFAULT } from './helpers/contexts.js'
import { FakeLauncher, type FakeWorker } from './helpers/fake-workers.js'
import { makeJob } from './helpers/jobs.js'
import { until } from './helpers/wait.js'

const DEFAULTS: ContextConfig = { ...BUILT_IN_DEFAULT, maxConnFailures: 3 }

describe('executor', () => {
  let dir: string
  let db: SqliteDatabase
  let jobs: SqliteJobStore
  let contexts: ContextService
  let logs: JobLogs
  let launcher: FakeLauncher
  let bus: EventBus
  let executor: Executor

  const build = (overrides: { jobs?: JobStore; queueLimit?: number } = {}) =>
    new Executor({
      jobs: overrides.jobs ?? jobs,
      contexts,
      logs,
      launcher,
      bus,
      log: createLogger('silent'),
      functions: {
        resolveForRun: async (name: string) => {
          if (name !== 'fn') throw new Error(`no function ${name}`)
          return {
            record: { name: 'fn', path: 'fn.py', className: 'f', defaultContext: 'default', createTime: 0, updateTime: 0 },
            signature: { lang: 'python', execute: { n: { type: 'MOption', args: [{ type: 'MInt' }] } }, tags: [], contextKind: 'spark_session', defaults: {} },
            sha1: 'a'.repeat(40),
          }
        },
      },
      settings: { resultLimit: 1000, cancelGrace: 300, shutdownGrace: 300, queueLimit: overrides.queueLimit, artifactUrl: (name) => `http://master/${name}` },
    })

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'haze-executor-'))
    db = openSqlite(join(dir, 'haze.db'))
    jobs = new SqliteJobStore(db)
    bus = new EventBus(createLogger('silent'))
    contexts = new ContextService(new SqliteCatalogStore(db), DEFAULTS, bus)
    logs = await JobLogs.open(join(dir, 'logs'))
    launcher = new FakeLauncher()
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

  const submit = async (fields: Partial<SubmitRequest> = {}) =>
    (await executor.submit({ functionName: 'fn', argumentsText: '{"n": 1}', source: 'Http', ...fields })).record.jobId
  const stored = async (id: string) => (await jobs.get(id)) as JobRecord
  const statusOf = async (id: string) => (await stored(id)).status
  const reason = async (id: string) => JSON.parse((await stored(id)).result ?? 'null') as string
  const settle = (id: string) => executor.ended(id)
  const readyAll = () => (launcher.onLaunch = (worker: FakeWorker) => worker.ready())

  it('refuses bad arguments and unknown contexts before any job exists', async () => {
    await assert.rejects(submit({ argumentsText: '{"n": "one"}' }), /invalid arguments for function "fn": n must be an integer; got the string "one"/)
    await assert.rejects(submit({ argumentsText: '{"m": 1}' }), /unknown argument m; the function takes n/)
    await assert.rejects(submit({ argumentsText: '[1]' }), /must be a JSON object/)
    await assert.rejects(submit({ context: 'nope' }), /context "nope" does not exist/)
    assert.equal((await jobs.list({ limit: 10, offset: 0, statuses: [], withTotal: true })).total, 0)
  })

  it('exclusive: one new worker per job, at most maxJobs at once, each stopped after its job', async () => {
    await contexts.put({ name: 'ex', workerMode: 'exclusive', maxJobs: 2 })
    readyAll()
    const ids = [await submit({ context: 'ex' }), await submit({ context: 'ex' }), await submit({ context: 'ex' })]
    await until(() => launcher.launched.length === 2 && launcher.launched.every((w) => w.runs.length === 1), 'two workers busy')
    assert.equal(await statusOf(ids[2]!), 'queued')
    const [first] = launcher.launched
    first!.finish(first!.runs[0]!, '{"pi":3.14}')
    await settle(first!.runs[0]!)
    assert.equal(first!.state, 'exited', 'an exclusive worker stops after its job')
    await until(() => launcher.launched.length === 3 && launcher.launched[2]!.runs[0] === ids[2], 'a fresh worker for the third job')
    const done = await stored(ids[0]!)
    assert.deepEqual([done.status, done.result, done.workerId], ['finished', '{"pi":3.14}', first!.id])
  })

  it('shared: one warm worker runs up to maxJobs jobs at once and is reused', async () => {
    await contexts.put({ name: 'sh', workerMode: 'shared', maxJobs: 2 })
    readyAll()
    const ids = [await submit({ context: 'sh' }), await submit({ context: 'sh' }), await submit({ context: 'sh' })]
    await until(() => launcher.launched[0]?.runs.length === 2, 'two jobs in parallel')
    const worker = launcher.launched[0]!
    assert.equal(launcher.launched.length, 1)
    assert.equal(await statusOf(ids[2]!), 'queued')
    worker.finish(ids[0]!)
    await until(() => worker.runs.length === 3, 'the third job on the same worker')
    worker.finish(ids[1]!)
    worker.finish(ids[2]!)
    await settle(ids[2]!)
    assert.equal(worker.state, 'ready', 'a shared worker stays warm')
    assert.equal(launcher.launched.length, 1)
  })

  it("shared: an idle worker stops after the context's downtime", async () => {
    await contexts.put({ name: 'idle', workerMode: 'shared', downtime: '1s' })
    readyAll()
    const id = await submit({ context: 'idle' })
    await until(() => launcher.launched[0]?.runs.length === 1, 'job assigned')
    launcher.launched[0]!.finish(id)
    await until(() => launcher.launched[0]!.state === 'exited', 'idle stop', 5000)
    assert.match(launcher.launched[0]!.stopReason ?? '', /idle for 1 second/)
  })

  it('precreated: the worker is started before any job, and again after a change', async () => {
    readyAll()
    await contexts.put({ name: 'warm', workerMode: 'shared', precreated: true })
    await until(() => launcher.live().length === 1, 'a precreated worker')
    const first = launcher.live()[0]!
    await contexts.put({ name: 'warm', workerMode: 'shared', precreated: true, maxJobs: 3 })
    await until(() => first.state === 'exited' && launcher.live().length === 1, 'a new worker with the new settings')
    assert.equal(launcher.live()[0]!.capacity, 3)
  })

  it('startTimeout cancels a job still waiting for a worker, with the reason', async () => {
    const id = await submit({ startTimeout: 100 })
    const job = await settle(id)
    assert.equal(job.status, 'cancelled')
    assert.equal(await reason(id), 'Job was cancelled: start timeout was exceeded: 100 milliseconds')
    assert.match(await logs.read(id), /WARN .* \[haze\] cancelling: start timeout was exceeded/)
  })

  it('performTimeout cancels a running job through its worker', async () => {
    readyAll()
    const id = await submit({ performTimeout: 100 })
    await until(() => launcher.launched[0]?.received.some((m) => m.type === 'cancel'), 'a cancel sent to the worker')
    // Stored after the job's earlier transitions, each committed a moment later (one transaction per turn).
    await until(async () => (await statusOf(id)) === 'cancelling', 'the job stored as cancelling')
    launcher.launched[0]!.say({ type: 'failed', jobId: id, time: Date.now(), message: 'job cancelled', cancelled: true })
    const job = await settle(id)
    assert.equal(job.status, 'cancelled')
    assert.equal(await reason(id), 'Job was cancelled: perform timeout was exceeded: 100 milliseconds')
  })

  it('cancels a queued job at once, without any worker', async () => {
    const id = await submit()
    const job = await executor.cancel(id)
    assert.equal(job.status, 'cancelled')
    assert.equal(await reason(id), 'Job was cancelled: user request')
  })

  it('recycles the worker when a cancelled job does not stop within the grace period', async () => {
    readyAll()
    const id = await submit()
    await until(() => launcher.launched[0]?.runs.length === 1, 'job assigned')
    const job = await executor.cancel(id)
    assert.equal(job.status, 'cancelled')
    assert.equal(launcher.launched[0]!.state, 'exited')
    assert.match(await reason(id), /Job was cancelled: user request; worker .* was recycled/)
  })

  it('fails the jobs of a worker that dies, and gives the next job a fresh worker', async () => {
    readyAll()
    const id = await submit()
    await until(() => launcher.launched[0]?.runs.length === 1, 'job assigned')
    launcher.launched[0]!.die('killed by SIGKILL')
    const job = await settle(id)
    assert.equal(job.status, 'failed')
    assert.equal(await reason(id), `worker ${launcher.launched[0]!.id} exited (killed by SIGKILL)`)
    const next = await submit()
    await until(() => launcher.launched[1]?.runs[0] === next, 'a fresh worker')
  })

  it('fails the jobs waiting for a worker that cannot start, with its output', async () => {
    await contexts.put({ name: 'flaky', maxConnFailures: 3, workerMode: 'exclusive', maxJobs: 1 })
    launcher.onLaunch = (worker) => worker.die('exited with code 1', ['some noise', 'Error: no such option --bogus'])
    const first = await submit({ context: 'flaky' })
    assert.equal((await settle(first)).status, 'failed')
    assert.match(await reason(first), /^worker flaky_.* failed to start: exited with code 1: Error: no such option --bogus$/)
    readyAll()
    const second = await submit({ context: 'flaky' })
    await until(() => launcher.live()[0]?.runs[0] === second, 'the next start succeeds and runs the next job')
  })

  it('marks a context broken after maxConnFailures start failures, until it is updated', async () => {
    await contexts.put({ name: 'bad', maxConnFailures: 2, workerMode: 'shared' })
    launcher.onLaunch = (worker) => worker.die('exited with code 1', ['Error: no such option --bogus'])
    const first = await submit({ context: 'bad' })
    assert.match(await reason((await settle(first)).jobId), /^worker bad_.* failed to start/)
    const second = await submit({ context: 'bad' })
    await settle(second)
    assert.equal(launcher.launched.length, 2)
    const late = await submit({ context: 'bad' })
    assert.equal(await statusOf(late), 'failed', 'a new job fails at once')
    assert.match(await reason(late), /^context bad is broken: worker bad_.* failed to start: exited with code 1: Error: no such option --bogus; update the context/)
    assert.equal(launcher.launched.length, 2, 'without starting workers')

    readyAll()
    await contexts.put({ name: 'bad', workerMode: 'shared' })
    const after = await submit({ context: 'bad' })
    await until(() => launcher.live()[0]?.runs[0] === after, 'a worker again after the update')
  })

  it('never changes a terminal job: a late result after a cancel is ignored', async () => {
    readyAll()
    const id = await submit()
    await until(() => launcher.launched[0]?.runs.length === 1, 'job assigned')
    const worker = launcher.launched[0]!
    worker.say({ type: 'started', jobId: id, time: Date.now() })
    const cancelling = executor.cancel(id)
    worker.say({ type: 'failed', jobId: id, time: Date.now(), message: 'x', cancelled: true })
    assert.equal((await cancelling).status, 'cancelled')
    worker.say({ type: 'finished', jobId: id, time: Date.now(), resultJson: '42' })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(await statusOf(id), 'cancelled')
  })

  it('on restart, runs queued jobs again and fails the ones that were running', async () => {
    const queued = makeJob({ function: 'fn', status: 'queued', path: 'fn.py', className: 'f' })
    const running = makeJob({ function: 'fn', status: 'started', workerId: 'default_x_1', path: 'fn.py', className: 'f' })
    const cancelling = makeJob({ function: 'fn', status: 'cancelling', workerId: 'default_x_2', path: 'fn.py', className: 'f' })
    for (const job of [queued, running, cancelling]) await jobs.insert(job)
    readyAll()
    const restarted = build()
    await restarted.start()
    try {
      assert.equal(await statusOf(running.jobId), 'failed')
      assert.match(await reason(running.jobId), /the master restarted while the job was running on worker default_x_1/)
      assert.equal(await statusOf(cancelling.jobId), 'cancelled')
      await until(() => launcher.launched.some((w) => w.runs.includes(queued.jobId)), 'the queued job runs')
    } finally {
      await restarted.stop()
    }
  })

  it("on restart, a job's log keeps its routine lines, told from its record, ahead of the restart's", async () => {
    // The previous master held them in memory only: the job had no line of its own yet.
    const running = makeJob({ function: 'fn', status: 'started', workerId: 'default_x_5', createTime: 1000, startTime: 2000, path: 'fn.py', className: 'f' })
    await jobs.insert(running)
    const restarted = build()
    await restarted.start()
    try {
      const messages = (await logs.read(running.jobId)).split('\n').filter(Boolean).map((line) => line.replace(/^\w+ \S+ \[haze\] /, ''))
      assert.deepEqual(messages, [
        'job of function fn accepted (externalId=none, source=Http)',
        'queued in context default, waiting for a worker',
        'assigned to worker default_x_5',
        'started on worker default_x_5',
        'failed: the master restarted while the job was running on worker default_x_5; its worker stopped with it',
      ])
    } finally {
      await restarted.stop()
    }
  })

  it('on restart, runs a job from MQTT or Kafka again, announcing each step, instead of failing it', async () => {
    const fromKafka = makeJob({ function: 'fn', status: 'started', workerId: 'default_x_3', startTime: 5, path: 'fn.py', className: 'f', source: 'Async Kafka' })
    await jobs.insert(fromKafka)
    const seen: string[] = []
    bus.on('job:event', ({ event, job }) => void (job.jobId === fromKafka.jobId && seen.push(event)))
    readyAll()
    const restarted = build()
    await restarted.start()
    try {
      const worker = await until(() => launcher.launched.find((w) => w.runs.includes(fromKafka.jobId)), 'the job to run again')
      worker.finish(fromKafka.jobId, '7')
      const done = await restarted.ended(fromKafka.jobId)
      assert.deepEqual([done.status, done.result, done.workerId], ['finished', '7', worker.id])
      assert.deepEqual(seen, ['queued', 'worker-assigned', 'started', 'finished'])
    } finally {
      await restarted.stop()
    }
  })

  it('on restart, announces the jobs it fails on the event bus', async () => {
    const running = makeJob({ function: 'fn', status: 'started', workerId: 'default_x_4', path: 'fn.py', className: 'f' })
    await jobs.insert(running)
    const seen: string[] = []
    bus.on('job:event', ({ event, job }) => void (job.jobId === running.jobId && seen.push(event)))
    const restarted = build()
    await restarted.start()
    try {
      assert.deepEqual(seen, ['failed'])
    } finally {
      await restarted.stop()
    }
  })

  it('keeps a listener that throws or rejects from disturbing a job or the other listeners', async () => {
    const failures: string[] = []
    const quiet = new EventBus({ ...createLogger('silent'), error: (..._args: unknown[]) => failures.push('logged') })
    const events: string[] = []
    quiet.on('job:event', () => {
      throw new Error('a listener that throws')
    })
    quiet.on('job:event', () => Promise.reject(new Error('a listener that rejects')))
    quiet.on('job:event', ({ event }) => void events.push(event))
    bus = quiet
    await executor.stop()
    executor = build()
    await executor.start()
    readyAll()
    const id = await submit()
    const worker = await until(() => launcher.launched.find((w) => w.runs.includes(id)), 'the job on a worker')
    worker.finish(id)
    assert.equal((await executor.ended(id)).status, 'finished')
    assert.deepEqual(events, ['initialized', 'queued', 'worker-assigned', 'started', 'finished'])
    await until(() => quiet.listenerFailures === 10, 'both failing listeners to fail on every event')
    assert.equal(failures.length, 10, 'each failure is logged')
  })

  it('counts a job being recorded once toward queueLimit, not again once it is queued', async () => {
    // The store holds each job's "queued" write until the test opens the gate, so a queued job
    // is still being answered when the next one arrives, as in a burst.
    let open: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    let queuedWrites = 0
    const transition = async (jobId: string, patch: JobPatch) => {
      if (patch.status === 'queued') {
        queuedWrites += 1
        await gate
      }
      return jobs.transition(jobId, patch)
    }
    const gated = new Proxy(jobs, {
      get: (target, property) => (property === 'transition' ? transition : (Reflect.get(target, property, target) as unknown)),
    })
    await executor.stop()
    executor = build({ jobs: gated, queueLimit: 2 })
    await executor.start()
    const request = { functionName: 'fn', argumentsText: '{"n": 1}', source: 'Http' } as const
    const first = executor.submit(request)
    try {
      await until(() => queuedWrites === 1, 'the first job in the queue, its answer pending')
      const second = executor.submit(request)
      await until(() => queuedWrites === 2, 'the second job in the queue too')
      await assert.rejects(executor.submit(request), /has 2 jobs waiting for a worker, its limit \(queueLimit\)/)
      open()
      assert.deepEqual([(await first).record.status, (await second).record.status], ['queued', 'queued'])
    } finally {
      open()
    }
  })

  it('shutdown fails running jobs after the grace period and leaves queued jobs queued', async () => {
    readyAll()
    const running = await submit()
    await until(() => launcher.launched[0]?.runs.length === 1, 'job assigned')
    launcher.onLaunch = () => undefined
    const queued = await submit()
    await executor.stop()
    assert.equal(await statusOf(running), 'failed')
    assert.match(await reason(running), /Haze shut down while the job was running/)
    assert.equal(await statusOf(queued), 'queued')
    assert.ok(launcher.launched.every((w) => w.state === 'exited'), 'no worker left')
    await assert.rejects(submit(), /shutting down/)
  })
})
