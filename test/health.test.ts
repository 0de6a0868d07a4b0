/**
 * GET /health and GET /ready: answered while the master serves, and /ready refusing (503,
 * problem details) from the moment a graceful shutdown begins, while a job still runs on
 * real Spark, so a load balancer drains the master before it goes away.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

type ProblemBody = { status: number; title: string; detail: string }

describe('health probes of a serving master', () => {
  let haze: TestHaze
  before(async () => {
    haze = await startHaze()
  })
  after(() => haze.close())

  it('answers /health with 200 ok', async () => {
    const { status, body } = await haze.json('/health')
    assert.equal(status, 200)
    assert.deepEqual(body, { status: 'ok' })
  })

  it('answers /ready with 200 ready once jobs are recovered', async () => {
    const { status, body } = await haze.json('/ready')
    assert.equal(status, 200)
    assert.deepEqual(body, { status: 'ready' })
  })

  it('tells caches not to keep either answer', async () => {
    for (const path of ['/health', '/ready']) {
      assert.equal((await haze.api(path)).headers.get('cache-control'), 'no-store', path)
    }
  })

  it('documents /health, /ready and /metrics in OpenAPI under status', async () => {
    const { body } = await haze.json<{ paths: Record<string, { get?: { tags?: string[] } }> }>('/v2/api/openapi.json')
    for (const path of ['/health', '/ready', '/metrics']) {
      assert.deepEqual(body.paths[path]?.get?.tags, ['status'], path)
    }
  })
})

describe('readiness during a graceful shutdown, on real Spark', { timeout: 300_000 }, () => {
  let haze: TestHaze
  before(async () => {
    // The grace period is the window the test looks through: shutdown waits that long for the job.
    haze = await startHaze({ shutdownGrace: 240_000, workerHeartbeat: 1000 })
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const solo = { name: 'solo', workerMode: 'shared', maxJobs: 1, sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', solo))).status, 200)
    const deployed = await haze.json('/v2/api/functions', jsonBody('POST', { name: 'slow', path: 'jobs.py', className: 'slow_count', defaultContext: 'solo' }))
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body))
  })
  after(() => haze.close())

  it('answers /ready with 503 from the moment shutdown begins, while the job still runs', async () => {
    const jobs = jobApi(haze)
    const { body: started } = await haze.json<{ id: string }>('/v2/api/functions/slow/jobs', jsonBody('POST', { seconds: 600 }))
    await until(async () => (await jobs.job(started.id)).status === 'started', 'the job to start', 150_000)
    assert.equal((await haze.api('/ready')).status, 200)

    const stopping = haze.server.stop()
    try {
      const refused = await until(async () => {
        const response = await haze.api('/ready')
        return response.status === 503 && { type: response.headers.get('content-type'), body: (await response.json()) as ProblemBody }
      }, '/ready to answer 503')
      assert.match(refused.type ?? '', /^application\/problem\+json/)
      assert.equal(refused.body.status, 503)
      assert.match(refused.body.detail, /shutting down/)
      // Draining, not gone: the process still answers and the job still runs in its grace period.
      assert.equal((await haze.api('/health')).status, 200)
      assert.equal((await jobs.job(started.id)).status, 'started')
    } finally {
      // The grace period has shown what it had to: end the job and the worker now.
      await haze.server.kill()
      await stopping
    }
  })
})
