/**
 * GET /metrics, read as Prometheus reads it (a strict text-format parser), against what the
 * test did on real Spark: jobs run, failed and cancelled on a warm shared context, a
 * WebSocket subscriber, a faulty event listener, requests to known and unknown paths.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadConfig } from '../src/config.js'
import { openEvents } from './helpers/events.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { parsePrometheus, scrape } from './helpers/prometheus.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

describe('the test parser of the Prometheus text format', () => {
  const valid = '# HELP x_total A counter.\n# TYPE x_total counter\nx_total{a="q\\"\\\\\\n"} 3\n'

  it('reads a family, its help, type and escaped label values', () => {
    const family = parsePrometheus(valid).get('x_total')
    assert.deepEqual(family, { name: 'x_total', type: 'counter', help: 'A counter.', samples: [{ name: 'x_total', labels: { a: 'q"\\\n' }, value: 3 }] })
  })

  const invalid: [string, string][] = [
    ['a sample before its TYPE', 'x 1\n'],
    ['an invalid escape', '# TYPE x gauge\nx{a="\\t"} 1\n'],
    ['a series twice', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['a family split in two blocks', '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a="1"} 2\n'],
    ['a histogram whose +Inf bucket is not its count', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
    ['a histogram whose buckets decrease', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a value that is not a number', '# TYPE x gauge\nx one\n'],
    ['no final line feed', '# TYPE x gauge\nx 1'],
  ]
  for (const [what, text] of invalid) {
    it(`refuses ${what}`, () => assert.throws(() => parsePrometheus(text)))
  }
})

describe('the metrics.public setting', () => {
  const withConfigFile = <T>(content: unknown, read: (path: string) => T): T => {
    const dir = mkdtempSync(join(tmpdir(), 'haze-config-'))
    try {
      const path = join(dir, 'haze.json')
      writeFileSync(path, JSON.stringify(content))
      return read(path)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it('is false by default: /metrics needs a token like every route', () => {
    assert.deepEqual(loadConfig({}, {}).metrics, { public: false })
  })

  it('is read from the config file', () => {
    assert.deepEqual(withConfigFile({ metrics: { public: true } }, (path) => loadConfig({ config: path }, {}).metrics), { public: true })
  })

  it('refuses an unknown key in the metrics section', () => {
    assert.throws(() => withConfigFile({ metrics: { open: true } }, (path) => loadConfig({ config: path }, {})), /\/metrics/)
  })
})

describe('metrics on real Spark', { timeout: 600_000 }, () => {
  let haze: TestHaze
  const run = async (fn: string, args: unknown) => {
    const { status, body } = await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs`, jsonBody('POST', args))
    assert.equal(status, 200, JSON.stringify(body))
    return body.id
  }
  const jobs = () => jobApi(haze)
  const finishedIds: string[] = []

  before(async () => {
    haze = await startHaze({ workerHeartbeat: 1000, cancelGrace: 5000 })
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const warm = {
      name: 'warm',
      workerMode: 'shared',
      maxJobs: 1,
      precreated: true,
      downtime: 'Inf',
      sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' },
    }
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', warm))).status, 200)
    for (const [name, className] of [['f', 'thread_name'], ['slow', 'slow_count']]) {
      const deployed = await haze.json('/v2/api/functions', jsonBody('POST', { name, path: 'jobs.py', className, defaultContext: 'warm' }))
      assert.equal(deployed.status, 200, JSON.stringify(deployed.body))
    }
    await until(async () => (await jobs().workers()).some((w) => w.context === 'warm' && w.state === 'ready'), 'the warm worker', 120_000)
  })
  after(() => haze.close())

  it('counts jobs by function, context and final status, with their queue wait and run time', async () => {
    // thread_name sleeps `seconds` first: a negative one makes Python's sleep raise, a real failure.
    const ids = []
    for (const seconds of [0, 0, 0, -0.5]) ids.push(await run('f', { seconds }))
    const statuses = []
    for (const id of ids) statuses.push((await jobs().ended(id)).status)
    assert.deepEqual(statuses, ['finished', 'finished', 'finished', 'failed'])
    finishedIds.push(...ids.slice(0, 3))

    const metrics = await scrape(haze)
    assert.equal(metrics.value('haze_jobs_ended_total', { function: 'f', context: 'warm', status: 'finished' }), 3)
    assert.equal(metrics.value('haze_jobs_ended_total', { function: 'f', context: 'warm', status: 'failed' }), 1)
    assert.equal(metrics.value('haze_jobs_accepted_total', { function: 'f', context: 'warm', source: 'Http' }), 4)
    assert.equal(metrics.histogram('haze_job_queue_wait_seconds', { context: 'warm' })?.count, 4)
    assert.equal(metrics.histogram('haze_job_run_duration_seconds', { function: 'f', context: 'warm' })?.count, 4)
    assert.equal(metrics.histogram('haze_store_query_duration_seconds', { store: 'jobs', operation: 'insert' })?.count, 4)
    const posts = { method: 'POST', route: '/v2/api/functions/:id/jobs', status_code: '200' }
    assert.equal(metrics.histogram('haze_http_request_duration_seconds', posts)?.count, 4)
  })

  it('reads queue depth, running jobs and workers from the executor at scrape time', async () => {
    const before = await scrape(haze)
    assert.equal(before.value('haze_workers', { context: 'warm', state: 'ready' }), 1)
    assert.equal(before.value('haze_workers', { context: 'warm', state: 'starting' }), 0)
    assert.equal(before.histogram('haze_worker_start_duration_seconds', { context: 'warm' })?.count, 1)
    assert.equal(before.value('haze_jobs_running', { context: 'warm' }), 0)

    // maxJobs 1: the first job holds the worker and the second waits in the queue.
    const running = await run('slow', { seconds: 300 })
    await until(async () => (await jobs().job(running)).status === 'started', 'the first job to start', 60_000)
    const queued = await run('slow', { seconds: 300 })
    const busy = await scrape(haze)
    assert.equal(busy.value('haze_jobs_running', { context: 'warm' }), 1)
    assert.equal(busy.value('haze_jobs_queued', { context: 'warm' }), 1)

    for (const id of [queued, running]) assert.equal((await haze.api(`/v2/api/jobs/${id}`, { method: 'DELETE' })).status, 200)
    for (const id of [queued, running]) await jobs().ended(id, 60_000)
    const idle = await scrape(haze)
    assert.equal(idle.value('haze_jobs_running', { context: 'warm' }), 0)
    assert.equal(idle.value('haze_jobs_queued', { context: 'warm' }), 0)
    assert.equal(idle.value('haze_jobs_ended_total', { function: 'slow', context: 'warm', status: 'cancelled' }), 2)
  })

  it('counts WebSocket subscribers while they are connected', async () => {
    const subscribers = async () => (await scrape(haze)).value('haze_event_stream_subscribers')
    assert.equal(await subscribers(), 0)
    const client = await openEvents(haze.url, '/v2/api/ws/all')
    try {
      assert.equal(await until(async () => (await subscribers()) === 1, 'the subscriber in the gauge'), true)
    } finally {
      await client.close()
    }
    assert.equal(await until(async () => (await subscribers()) === 0, 'the gauge back at 0'), true)
  })

  it('counts an event listener that fails', async () => {
    const failures = async () => (await scrape(haze)).value('haze_event_listener_failures_total')
    const before = await failures()
    const remove = haze.server.bus.on('context:changed', () => {
      throw new Error('a faulty listener, on purpose')
    })
    try {
      assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', { name: 'another' }))).status, 200)
    } finally {
      remove()
    }
    assert.equal(await failures(), (before ?? NaN) + 1)
  })

  it('labels HTTP requests by route pattern, never by their URL', async () => {
    const [jobId] = finishedIds
    assert.ok(jobId)
    assert.equal((await haze.api(`/v2/api/jobs/${jobId}`)).status, 200)
    const stray = randomUUID()
    assert.equal((await haze.api(`/no/such/path/${stray}`)).status, 404)

    const metrics = await scrape(haze)
    assert.ok(metrics.histogram('haze_http_request_duration_seconds', { method: 'GET', route: '/v2/api/jobs/:id', status_code: '200' }))
    assert.ok(metrics.histogram('haze_http_request_duration_seconds', { method: 'GET', route: '(unmatched)', status_code: '404' }))
    const routes = metrics.labelSets('haze_http_request_duration_seconds').map((labels) => labels.route ?? '')
    assert.deepEqual(routes.filter((route) => route.includes(jobId) || route.includes(stray)), [])
  })

  it("reports the process's memory, CPU and event-loop lag", async () => {
    const metrics = await scrape(haze)
    assert.ok((metrics.value('process_resident_memory_bytes') ?? 0) > 0)
    assert.ok((metrics.value('process_cpu_user_seconds_total') ?? 0) > 0)
    assert.ok(metrics.value('nodejs_eventloop_lag_seconds') !== undefined)
  })

  it("keeps each master's metrics apart in one process", async () => {
    const other = await startHaze()
    try {
      const metrics = await scrape(other)
      assert.deepEqual(metrics.labelSets('haze_jobs_ended_total'), [])
    } finally {
      await other.close()
    }
  })
})
