/**
 * Worker lifecycles on real Spark: exclusive workers, idle shutdown, a broken context, a
 * worker killed mid-job, and stopping a worker through the API.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { groupAlive } from './helpers/processes.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

type Details = { jobId: string; status: string; workerId?: string; jobResult?: unknown }

const LOCAL = { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' }

describe('workers on real Spark', { timeout: 600_000 }, () => {
  let haze: TestHaze
  const run = async (fn: string, args: unknown, context: string) =>
    (await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs?context=${context}`, jsonBody('POST', args))).body.id
  const { job, ended, workers } = {
    job: (id: string) => jobApi(haze).job(id),
    ended: (id: string, ms?: number) => jobApi(haze).ended(id, ms),
    workers: () => jobApi(haze).workers(),
  }
  const context = (body: Record<string, unknown>) => haze.json('/v2/api/contexts', jsonBody('POST', body))
  before(async () => {
    haze = await startHaze({ workerHeartbeat: 1000, cancelGrace: 3000 })
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    for (const [name, className] of [['noop', 'noop'], ['slow', 'slow_count']]) {
      await haze.json('/v2/api/functions', jsonBody('POST', { name, path: 'jobs.py', className, defaultContext: 'default' }))
    }
  })
  after(() => haze.close())

  it('exclusive: each job gets a new worker, which stops after it', async () => {
    await context({ name: 'solo', workerMode: 'exclusive', maxJobs: 2, sparkConf: LOCAL })
    const first = await ended(await run('noop', {}, 'solo'))
    const second = await ended(await run('noop', {}, 'solo'))
    assert.deepEqual([first.status, second.status], ['finished', 'finished'])
    assert.match(first.workerId ?? '', /^solo_[0-9a-f]+_\d+$/)
    assert.notEqual(first.workerId, second.workerId)
    await until(async () => !(await workers()).some((w) => w.context === 'solo'), 'exclusive workers to stop', 30_000)
  })

  it("shared: the idle worker stops after the context's downtime", async () => {
    await context({ name: 'brief', workerMode: 'shared', downtime: '2s', sparkConf: LOCAL })
    const done = await ended(await run('noop', {}, 'brief'))
    assert.equal(done.status, 'finished')
    await until(async () => !(await workers()).some((w) => w.context === 'brief'), 'the idle worker to stop', 30_000)
  })

  it('a context whose workers cannot start becomes broken, saying why, until it is updated', async () => {
    await context({ name: 'doomed', workerMode: 'shared', maxConnFailures: 2, runOptions: '--properties-file /nonexistent/haze-no-such-spark.conf', sparkConf: LOCAL })
    const failed = await ended(await run('noop', {}, 'doomed'))
    assert.equal(failed.status, 'failed')
    assert.match(String(failed.jobResult), /^worker doomed_.* failed to start: exited with code \d+: .*Invalid properties file '\/nonexistent\/haze-no-such-spark\.conf'/)
    await ended(await run('noop', {}, 'doomed'))
    const broken = await job(await run('noop', {}, 'doomed'))
    assert.equal(broken.status, 'failed', 'after maxConnFailures failures a new job fails at once')
    assert.match(String(broken.jobResult), /^context doomed is broken: worker doomed_.* failed to start: .*Invalid properties file/)

    await context({ name: 'doomed', workerMode: 'shared', sparkConf: LOCAL })
    assert.equal((await ended(await run('noop', {}, 'doomed'))).status, 'finished')
  })

  it('a worker killed mid-job fails its job within seconds, and the next job gets a fresh worker', async () => {
    await context({ name: 'fragile', workerMode: 'shared', sparkConf: LOCAL, downtime: 'Inf' })
    const id = await run('slow', { seconds: 120 }, 'fragile')
    await until(async () => (await job(id)).status === 'started', 'the job to start', 120_000)
    const worker = (await workers()).find((w) => w.context === 'fragile')!
    assert.ok(worker.pid)
    // Spark's own temp dirs live in the worker's scratch dir, which the master removes when the
    // worker ends: a SIGKILLed driver never cleans up after itself.
    const scratch = join(haze.dataDir, 'worker-scratch', worker.name)
    assert.ok(readdirSync(scratch).some((name) => name.startsWith('blockmgr-')), 'Spark\'s block manager dir is in the scratch dir')
    process.kill(-worker.pid, 'SIGKILL')
    const killedAt = Date.now()
    const failed = await ended(id, 30_000)
    assert.ok(Date.now() - killedAt < 15_000, 'within seconds')
    assert.equal(failed.status, 'failed')
    assert.match(String(failed.jobResult), new RegExp(`^worker ${worker.name} exited \\(.*(SIGKILL|code).*\\)`))
    await until(() => !existsSync(scratch), 'the killed worker\'s scratch dir to be removed', 10_000)
    const next = await ended(await run('noop', {}, 'fragile'))
    assert.equal(next.status, 'finished')
    assert.notEqual(next.workerId, worker.name)
  })

  it('DELETE /v2/api/workers/{id} stops a worker; its running job fails with that reason', async () => {
    await context({ name: 'stoppable', workerMode: 'shared', sparkConf: LOCAL, downtime: 'Inf' })
    const id = await run('slow', { seconds: 120 }, 'stoppable')
    await until(async () => (await job(id)).status === 'started', 'the job to start', 120_000)
    const worker = (await workers()).find((w) => w.context === 'stoppable')!
    const detail = await haze.json<{ jobs: Details[]; contextConfig: { name: string } }>(`/v2/api/workers/${worker.name}`)
    assert.deepEqual(detail.body.jobs.map((j) => j.jobId), [id])
    assert.equal(detail.body.contextConfig.name, 'stoppable')
    const stopped = await haze.api(`/v2/api/workers/${worker.name}`, { method: 'DELETE' })
    assert.equal(stopped.status, 200)
    const failed = await ended(id, 30_000)
    assert.match(String(failed.jobResult), /stopped by a user request/)
    await until(() => !groupAlive(worker.pid!), 'the worker processes to be gone', 10_000)
    assert.equal((await haze.api('/v2/api/workers/no-such-worker', { method: 'DELETE' })).status, 404)
  })
})
