import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { JobRecord } from '../src/domain/job.js'
import { startHaze, type TestHaze } from './helpers/haze.js'
import { makeJob } from './helpers/jobs.js'

type ProblemBody = { status: number; detail: string }
type Details = { jobId: string; status: string; function: string; context: string; source: string; workerId?: string }

describe('job history over HTTP', () => {
  let haze: TestHaze
  const jobs: JobRecord[] = []
  const exact = makeJob({
    function: 'exact',
    arguments: '{"n":12345678901234567890123,"xs":[1.5,true,null,{"k":"v"}]}',
    result: '{"big":98765432109876543210,"ok":true}',
    externalId: 'my-ext',
    startTime: 1_700_000_000_123,
    endTime: 1_700_000_001_456,
    workerId: 'default_abc_1',
  })
  const sparse = makeJob({ function: 'sparse', status: 'queued' })
  before(async () => {
    haze = await startHaze()
    const statuses = ['finished', 'failed', 'finished', 'cancelled', 'started', 'queued'] as const
    for (let i = 0; i < 60; i++) {
      jobs.push(
        makeJob({
          function: i % 3 === 0 ? 'alpha' : 'beta',
          status: statuses[i % statuses.length],
          workerId: i % 6 === 5 ? undefined : `default_w${i % 2}_1`,
          context: i % 4 === 0 ? 'other' : 'default',
          source: i % 5 === 0 ? 'Async Mqtt' : 'Http',
        }),
      )
    }
    jobs.push(exact, sparse)
    for (const job of jobs) await haze.server.jobs.insert(job)
  })
  after(() => haze.close())

  const newest = (filter: (j: JobRecord) => boolean) =>
    jobs
      .filter(filter)
      .sort((a, b) => b.createTime - a.createTime)
      .map((j) => j.jobId)

  it('answers JobDetails exactly, with stored JSON spliced in verbatim', async () => {
    const job = exact
    const response = await haze.api(`/v2/api/jobs/${job.jobId}`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
    const text = await response.text()
    assert.ok(text.includes('"arguments":{"n":12345678901234567890123,'), text)
    assert.ok(text.includes('"jobResult":{"big":98765432109876543210,"ok":true}'), text)
    assert.deepEqual(JSON.parse(text), {
      jobId: job.jobId,
      function: 'exact',
      context: 'default',
      params: {
        filePath: 'typed_pi.py',
        className: 'estimate_pi',
        arguments: JSON.parse('{"n":12345678901234567890123,"xs":[1.5,true,null,{"k":"v"}]}') as unknown,
        action: 'execute',
      },
      source: 'Http',
      status: 'finished',
      createTime: job.createTime,
      externalId: 'my-ext',
      startTime: 1_700_000_000_123,
      endTime: 1_700_000_001_456,
      workerId: 'default_abc_1',
      jobResult: JSON.parse('{"big":98765432109876543210,"ok":true}') as unknown,
    })
  })

  it('omits absent optional fields instead of writing null', async () => {
    const body = (await haze.json<Record<string, unknown>>(`/v2/api/jobs/${sparse.jobId}`)).body
    assert.deepEqual(Object.keys(body).sort(), ['context', 'createTime', 'function', 'jobId', 'params', 'source', 'status'])
  })

  it('lists 25 newest first by default, as a bare array', async () => {
    const { status, body } = await haze.json<Details[]>('/v2/api/jobs?status=finished&status=failed&status=cancelled&status=started')
    assert.equal(status, 200)
    assert.ok(Array.isArray(body))
    const expected = newest((j) => ['finished', 'failed', 'cancelled', 'started'].includes(j.status))
    assert.deepEqual(body.map((j) => j.jobId), expected.slice(0, 25))
  })

  it('paginates with the real total, as the Mist UI expects', async () => {
    const { body } = await haze.json<{ jobs: Details[]; total: number }>('/v2/api/jobs?paginate=true&status=finished&offset=5&limit=7')
    const expected = newest((j) => j.status === 'finished')
    assert.equal(body.total, expected.length)
    assert.deepEqual(body.jobs.map((j) => j.jobId), expected.slice(5, 12))
  })

  it("lists one function's and one worker's jobs", async () => {
    const fn = await haze.json<{ jobs: Details[]; total: number }>('/v2/api/functions/alpha/jobs?paginate=yes&status=failed&status=finished')
    const fnExpected = newest((j) => j.function === 'alpha' && ['failed', 'finished'].includes(j.status))
    assert.equal(fn.body.total, fnExpected.length)
    assert.deepEqual(fn.body.jobs.map((j) => j.jobId), fnExpected.slice(0, 25))

    const worker = await haze.json<{ jobs: Details[]; total: number }>('/v2/api/workers/default_w1_1/jobs?paginate=True&limit=100')
    const workerExpected = newest((j) => j.workerId === 'default_w1_1')
    assert.equal(worker.body.total, workerExpected.length)
    assert.deepEqual(worker.body.jobs.map((j) => j.jobId), workerExpected)

    assert.deepEqual((await haze.json('/v2/api/functions/nobody/jobs')).body, [])
    assert.deepEqual((await haze.json('/v2/api/workers/gone-worker/jobs?paginate=true')).body, { jobs: [], total: 0 })
  })

  it('filters by function, context and source (Haze), with the real total', async () => {
    const cases: [string, (j: JobRecord) => boolean][] = [
      ['function=alpha&context=default&source=Http', (j) => j.function === 'alpha' && j.context === 'default' && j.source === 'Http'],
      ['context=other', (j) => j.context === 'other'],
      ['source=Async%20Mqtt&status=finished', (j) => j.source === 'Async Mqtt' && j.status === 'finished'],
    ]
    for (const [query, predicate] of cases) {
      const { body } = await haze.json<{ jobs: Details[]; total: number }>(`/v2/api/jobs?paginate=true&limit=100&${query}`)
      const expected = newest(predicate)
      assert.ok(expected.length > 0, query)
      assert.equal(body.total, expected.length, query)
      assert.deepEqual(body.jobs.map((j) => j.jobId), expected, query)
    }
    const perFunction = await haze.json<{ total: number }>('/v2/api/functions/beta/jobs?paginate=true&context=other')
    assert.equal(perFunction.body.total, newest((j) => j.function === 'beta' && j.context === 'other').length)
    assert.deepEqual((await haze.json('/v2/api/jobs?paginate=true&source=Cli')).body, { jobs: [], total: 0 })
  })

  it('refuses bad query parameters with a specific 400', async () => {
    const cases: [string, RegExp][] = [
      ['status=running', /unknown status "running"/],
      ['status=finished,failed', /unknown status "finished,failed"/],
      ['status=Finished', /unknown status "Finished"/],
      ['limit=abc', /limit must be a whole number/],
      ['limit=-1', /limit must be a whole number/],
      ['offset=1.5', /offset must be a whole number/],
      ['paginate=maybe', /paginate must be true or false/],
      ['limit=1&limit=2', /limit/],
      ['source=http', /unknown source "http"; expected one of Http, Async Kafka, Async Mqtt, WebSocket, Cli/],
      ['context=', /query parameter context is empty/],
      ['function=a&function=b', /function must be string/],
    ]
    for (const [query, expected] of cases) {
      const { status, body } = await haze.json<ProblemBody>(`/v2/api/jobs?${query}`)
      assert.equal(status, 400, query)
      assert.match(body.detail, expected, query)
    }
    assert.equal((await haze.json<ProblemBody>('/v2/api/functions/alpha/jobs?status=nope')).status, 400)
  })

  it('answers 404 for an unknown job', async () => {
    const { status, body } = await haze.json<ProblemBody>('/v2/api/jobs/00000000-0000-4000-8000-000000000000')
    assert.equal(status, 404)
    assert.match(body.detail, /job "00000000-0000-4000-8000-000000000000" not found/)
  })
})
