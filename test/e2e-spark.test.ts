/**
 * End to end on real Spark (local mode): real spark-submit workers, real PySpark, real HTTP.
 * One master and one warm shared context serve most tests; the tests that need their own
 * workers (exclusive, idle, broken, crash) start them. Timeouts are shrunk through config.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

type ProblemBody = { status: number; detail: string }
type JobResult = { success: boolean; payload: unknown; errors: string[] }
type Details = { jobId: string; status: string; workerId?: string; jobResult?: unknown; startTime?: number; endTime?: number }

const FUNCTIONS: Record<string, [string, string]> = {
  pi: ['typed_pi.py', 'estimate_pi'],
  'mist-pi': ['mist_pi.py', 'hello_mist'],
  slow: ['jobs.py', 'slow_count'],
  busy: ['jobs.py', 'busy_loop'],
  big: ['jobs.py', 'big_numbers'],
  frame: ['jobs.py', 'dataframe'],
  chatty: ['jobs.py', 'chatty'],
  boom: ['jobs.py', 'boom'],
  echo: ['jobs.py', 'echo'],
  huge: ['jobs.py', 'huge'],
  noop: ['jobs.py', 'noop'],
  'mist-session': ['mist_kinds.py', 'session_kinds'],
  'mist-stream': ['mist_kinds.py', 'streaming_no_args'],
}

describe('jobs on real Spark', { timeout: 600_000 }, () => {
  let haze: TestHaze
  const run = (fn: string, args: unknown = {}, query = '') =>
    haze.json<{ id: string } & ProblemBody>(`/v2/api/functions/${fn}/jobs${query}`, jsonBody('POST', args))
  const runSync = async (fn: string, args: unknown = {}, query = '') => {
    const response = await haze.api(`/v2/api/functions/${fn}/jobs?force=true${query}`, jsonBody('POST', args))
    return { status: response.status, text: await response.text() }
  }
  const { job, ended, workers } = {
    job: (id: string) => jobApi(haze).job(id),
    ended: (id: string, ms?: number) => jobApi(haze).ended(id, ms),
    workers: () => jobApi(haze).workers(),
  }

  before(async () => {
    haze = await startHaze({
      resultLimit: 100_000,
      cancelGrace: 5000,
      workerHeartbeat: 1000,
      workerStartTimeout: 120_000,
    })
    for (const file of ['typed_pi.py', 'mist_pi.py', 'mist_kinds.py', 'jobs.py']) {
      assert.equal((await haze.api('/v2/api/artifacts', upload(file, sample(file)))).status, 200)
    }
    const warm = {
      name: 'warm',
      workerMode: 'shared',
      maxJobs: 4,
      precreated: true,
      downtime: 'Inf',
      sparkConf: { 'spark.master': 'local[2]', 'spark.ui.port': '0', 'spark.sql.shuffle.partitions': '2' },
    }
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', warm))).status, 200)
    for (const [name, [path, className]] of Object.entries(FUNCTIONS)) {
      const deployed = await haze.json('/v2/api/functions', jsonBody('POST', { name, path, className, defaultContext: 'warm' }))
      assert.equal(deployed.status, 200, `${name}: ${JSON.stringify(deployed.body)}`)
    }
  })
  after(() => haze.close())

  it('keeps a precreated context warm before any job', async () => {
    const warm = await until(async () => (await workers()).find((w) => w.context === 'warm' && w.state === 'ready'), 'the warm worker', 120_000)
    assert.match(warm.name, /^warm_[0-9a-f]+-pool-\d+$/)
    assert.match(warm.sparkUi ?? '', /^http:\/\//)
  })

  it('estimates pi in both function styles', async () => {
    const typed = await runSync('pi', { samples: 20000 })
    assert.equal(typed.status, 200)
    const typedResult = JSON.parse(typed.text) as JobResult
    assert.equal(typedResult.success, true, typed.text)
    assert.ok(Math.abs((typedResult.payload as number) - Math.PI) < 0.1, typed.text)

    const mist = JSON.parse((await runSync('mist-pi', { samples: 20000 })).text) as JobResult
    assert.equal(mist.success, true)
    assert.ok(Math.abs((mist.payload as { result: number }).result - Math.PI) < 0.1)
    const defaults = JSON.parse((await runSync('mist-pi', {})).text) as JobResult
    assert.equal(defaults.success, true, 'the declared default (1000 samples) applies')
  })

  it("runs Mist's session and streaming functions, applying declared defaults", async () => {
    const args = { name: 'n', verbose: true, matrix: [[1, 2]], values: [1, 'a'], options: { k: 1 }, anything: null }
    const session = JSON.parse((await runSync('mist-session', args)).text) as JobResult
    assert.equal(session.success, true, JSON.stringify(session))
    assert.deepEqual(session.payload, { ...args, ratio: 0.5, tags: null, limit: 10 })
    const streaming = JSON.parse((await runSync('mist-stream')).text) as JobResult
    assert.equal(streaming.success, true, JSON.stringify(streaming))
    const { sparkVersion } = (await haze.json<{ sparkVersion: string }>('/v2/api/status')).body
    assert.deepEqual(streaming.payload, { sparkVersion })
  })

  it('refuses bad arguments with a 400 naming each, and creates no job', async () => {
    const before = (await haze.json<{ total: number }>('/v2/api/jobs?paginate=true&limit=0')).body.total
    const cases: [unknown, RegExp][] = [
      [{ samples: 'many' }, /samples must be an integer; got the string "many"/],
      [{ samples: 1.5 }, /samples must be an integer; got the number 1.5/],
      [{ samples: 10, extra: 1 }, /unknown argument extra; the function takes samples/],
      [[1, 2], /body must be object/],
    ]
    for (const [args, expected] of cases) {
      const { status, body } = await run('pi', args)
      assert.equal(status, 400, JSON.stringify(args))
      assert.match(body.detail, expected)
    }
    assert.equal((await run('chatty', { tag: 'x' })).body.detail.match(/lines is required \(an integer\)/)?.length, 1)
    assert.equal((await run('nope', {})).status, 404)
    assert.match((await run('pi', {}, '?context=nowhere')).body.detail, /context "nowhere" does not exist/)
    assert.match((await run('pi', {}, '?startTimeout=soon')).body.detail, /startTimeout must be a duration/)
    assert.equal((await haze.json<{ total: number }>('/v2/api/jobs?paginate=true&limit=0')).body.total, before)
  })

  it('returns big integers, nested values and DataFrames exactly', async () => {
    const big = await runSync('big')
    assert.ok(big.text.includes('"big":1267650600228229401496703205376'), big.text)
    assert.deepEqual((JSON.parse(big.text) as JobResult).payload, { big: 1267650600228229401496703205376, nested: { list: [1, 2.5, true, null, 'x'] } })
    // Sent as text: a JavaScript number could not even hold this argument.
    const echoed = await run('echo', '{"value": {"n": 123456789012345678901234567890, "f": 0.1, "s": "ü"}}')
    const details = await ended(echoed.body.id)
    const text = await (await haze.api(`/v2/api/jobs/${details.jobId}`)).text()
    assert.ok(text.includes('"jobResult":{"n":123456789012345678901234567890,"f":0.1,"s":"ü"}'), text)
    assert.ok(text.includes('"arguments":{"value": {"n": 123456789012345678901234567890'), text)
    const frame = JSON.parse((await runSync('frame', { n: 3 })).text) as JobResult
    assert.deepEqual(frame.payload, [
      { id: 0, square: 0 },
      { id: 1, square: 1 },
      { id: 2, square: 4 },
    ])
  })

  it('stores a result over the limit, which the payload points at, and fails a job that raises, with the cause', async () => {
    const huge = JSON.parse((await runSync('huge', { size: 200_000 })).text) as JobResult
    assert.equal(huge.success, true, huge.errors.join('; '))
    const stored = huge.payload as { location: string; size: number; format: string }
    assert.deepEqual({ ...stored, location: '…' }, { location: '…', size: 200_002, format: 'json' })
    assert.equal(await (await haze.api(stored.location)).text(), `"${'x'.repeat(200_000)}"`)
    const boom = await run('boom')
    const failed = await ended(boom.body.id)
    assert.equal(failed.status, 'failed')
    assert.match(String(failed.jobResult), /ValueError: boom/)
  })

  it('runs parallel jobs in one shared context, each with its own log', async () => {
    const a = await run('chatty', { tag: 'AAA', lines: 30 })
    const b = await run('chatty', { tag: 'BBB', lines: 30 })
    const [da, db] = [await ended(a.body.id), await ended(b.body.id)]
    assert.deepEqual([da.status, db.status], ['finished', 'finished'])
    assert.equal(da.workerId, db.workerId, 'the same warm worker')
    assert.ok((da.startTime ?? 0) < (db.endTime ?? 0) && (db.startTime ?? 0) < (da.endTime ?? 0), 'they overlapped')
    const logA = await (await haze.api(`/v2/api/jobs/${a.body.id}/logs`)).text()
    const logB = await (await haze.api(`/v2/api/jobs/${b.body.id}/logs`)).text()
    assert.match(logA, /^INFO \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} \[stdout\] AAA print 0$/m)
    assert.match(logA, /^INFO .* \[chatty\] AAA log 29$/m)
    assert.match(logA, /AAA from a thread/)
    assert.match(logA, /^INFO .* \[haze\] started on worker warm_/m)
    assert.match(logA, /^INFO .* \[haze\] finished$/m)
    assert.doesNotMatch(logA, /BBB/)
    assert.doesNotMatch(logB, /AAA/)
    assert.equal((logA.match(/AAA print/g) ?? []).length, 30)
  })

  it('cancels a running Spark job through its job group: the driver reports it stopped', async () => {
    const warm = (await workers()).find((w) => w.context === 'warm')!
    const { id } = (await run('slow', { seconds: 120 })).body
    await until(async () => (await job(id)).status === 'started', 'the job to start', 60_000)
    const sparkJobs = async () =>
      (await (await fetch(`${warm.sparkUi}/api/v1/applications`)).json() as { id: string }[])[0]?.id
    const appId = await until(sparkJobs, 'the Spark application')
    const groupJobs = async () =>
      ((await (await fetch(`${warm.sparkUi}/api/v1/applications/${appId}/jobs`)).json()) as { jobGroup?: string; status: string }[]).filter(
        (j) => j.jobGroup === id,
      )
    await until(async () => (await groupJobs()).some((j) => j.status === 'RUNNING'), 'a running Spark job in the group', 60_000)
    const cancelled = await haze.json<Details>(`/v2/api/jobs/${id}`, { method: 'DELETE' })
    assert.equal(cancelled.status, 200)
    assert.equal(cancelled.body.status, 'cancelled')
    await until(async () => (await groupJobs()).every((j) => j.status !== 'RUNNING'), 'no running Spark job left in the group', 20_000)
    assert.ok((await groupJobs()).some((j) => j.status === 'FAILED'), 'the Spark job ended as cancelled (FAILED)')
    const next = JSON.parse((await runSync('noop')).text) as JobResult
    assert.equal(next.success, true, 'the worker takes the next job')
  })

  it('cancels pure Python code, and a queued job at once', async () => {
    const { id } = (await run('busy')).body
    await until(async () => (await job(id)).status === 'started', 'the loop to start', 60_000)
    const cancelled = await haze.json<Details>(`/v2/api/jobs/${id}`, { method: 'DELETE' })
    assert.equal(cancelled.body.status, 'cancelled')

    await haze.json('/v2/api/contexts', jsonBody('POST', { name: 'one-slot', maxJobs: 1, workerMode: 'exclusive', sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }))
    const blocker = (await run('slow', { seconds: 60 }, '?context=one-slot')).body.id
    const waiting = (await run('noop', {}, '?context=one-slot&startTimeout=2s')).body.id
    const queued = (await run('noop', {}, '?context=one-slot')).body.id
    const cancelledQueued = await haze.json<Details>(`/v2/api/jobs/${queued}`, { method: 'DELETE' })
    assert.equal(cancelledQueued.body.status, 'cancelled')
    assert.equal(cancelledQueued.body.workerId, undefined, 'it never had a worker')
    const timedOut = await ended(waiting, 30_000)
    assert.equal(timedOut.status, 'cancelled')
    assert.equal(timedOut.jobResult, 'Job was cancelled: start timeout was exceeded: 2 seconds')
    await haze.json(`/v2/api/jobs/${blocker}`, { method: 'DELETE' })
  })

  it('cancels a job past its performTimeout', async () => {
    const { id } = (await run('slow', { seconds: 120 }, '?performTimeout=3s')).body
    const details = await ended(id, 60_000)
    assert.equal(details.status, 'cancelled')
    assert.equal(details.jobResult, 'Job was cancelled: perform timeout was exceeded: 3 seconds')
  })
})
