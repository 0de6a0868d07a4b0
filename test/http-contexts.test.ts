import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startHaze, type TestHaze } from './helpers/haze.js'

type Context = Record<string, unknown> & { name: string }
type ProblemBody = { status: number; title: string; detail: string }

describe('contexts over HTTP', () => {
  let haze: TestHaze
  before(async () => {
    haze = await startHaze()
  })
  after(() => haze.close())

  const DEFAULT = {
    name: 'default',
    sparkConf: { 'spark.master': 'local[*]' },
    downtime: '3600s',
    maxJobs: 1,
    precreated: false,
    runOptions: '',
    workerMode: 'exclusive',
    streamingDuration: '1s',
    maxConnFailures: 5,
  }

  it('lists default with all nine fields', async () => {
    const { status, body } = await haze.json<Context[]>('/v2/api/contexts')
    assert.equal(status, 200)
    assert.deepEqual(body, [DEFAULT])
    assert.deepEqual((await haze.json('/v2/api/contexts/default')).body, DEFAULT)
  })

  it('creates a context from only a name, taking the rest from default', async () => {
    const { status, body } = await haze.json<Context>('/v2/api/contexts', jsonBody('POST', { name: 'bare' }))
    assert.equal(status, 200)
    assert.deepEqual(body, { ...DEFAULT, name: 'bare' })
  })

  it('accepts form-encoded JSON as curl -d sends it, ignores unknown fields, treats null as absent', async () => {
    const request = {
      name: 'cli-style',
      workerMode: 'shared',
      maxParallelJobs: 20,
      maxJobs: 4,
      downtime: 'Inf',
      precreated: null,
      streamingDuration: '2s',
      sparkConf: { 'spark.default.parallelism': '128', 'spark.executor.cores': 2 },
      runOptions: '--driver-memory 1g',
      maxConnFailures: 123,
      execute: null,
    }
    const { status, body } = await haze.json<Context>(
      '/v2/api/contexts',
      jsonBody('POST', request, 'application/x-www-form-urlencoded'),
    )
    assert.equal(status, 200)
    assert.deepEqual(body, {
      name: 'cli-style',
      sparkConf: { 'spark.default.parallelism': '128', 'spark.executor.cores': '2' },
      downtime: 'Inf',
      maxJobs: 4,
      precreated: false,
      runOptions: '--driver-memory 1g',
      workerMode: 'shared',
      streamingDuration: '2s',
      maxConnFailures: 123,
    })
    assert.deepEqual((await haze.json('/v2/api/contexts/cli-style')).body, body)
  })

  it('replaces an existing context on POST and on PUT', async () => {
    await haze.json('/v2/api/contexts', jsonBody('POST', { name: 'swap', maxJobs: 2 }))
    const posted = await haze.json<Context>('/v2/api/contexts', jsonBody('POST', { name: 'swap', maxJobs: 3 }))
    assert.equal(posted.body.maxJobs, 3)
    const put = await haze.json<Context>('/v2/api/contexts/swap', jsonBody('PUT', { workerMode: 'shared' }))
    assert.equal(put.status, 200)
    assert.equal(put.body.workerMode, 'shared')
    assert.equal(put.body.maxJobs, 1, 'PUT replaces the whole context: absent fields come from default')
  })

  it('deletes a context and answers what it deleted', async () => {
    await haze.json('/v2/api/contexts', jsonBody('POST', { name: 'gone', maxJobs: 7 }))
    const deleted = await haze.json<Context>('/v2/api/contexts/gone', { method: 'DELETE' })
    assert.equal(deleted.status, 200)
    assert.equal(deleted.body.maxJobs, 7)
    assert.equal((await haze.json('/v2/api/contexts/gone')).status, 404)
    assert.equal((await haze.json('/v2/api/contexts/gone', { method: 'DELETE' })).status, 404)
  })

  it('keeps default read-only, saying so', async () => {
    for (const [path, init] of [
      ['/v2/api/contexts', jsonBody('POST', { name: 'default', maxJobs: 9 })],
      ['/v2/api/contexts/default', jsonBody('PUT', { maxJobs: 9 })],
      ['/v2/api/contexts/default', { method: 'DELETE' }],
    ] as const) {
      const { status, body } = await haze.json<ProblemBody>(path, init)
      assert.equal(status, 400, `${init.method} ${path}`)
      assert.match(body.detail, /"default" context cannot be (written|deleted) through the API/)
    }
    assert.deepEqual((await haze.json('/v2/api/contexts/default')).body, DEFAULT)
  })

  it('refuses bad input with a specific 400 and changes nothing', async () => {
    const cases: [unknown, RegExp][] = [
      ['{"name": "x", ', /not valid JSON/],
      ['', /body is empty/],
      [[1, 2], /body must be object/],
      [{}, /name is required/],
      [{ name: 42 }, /name must be string/],
      [{ name: 'bad', maxJobs: '3' }, /maxJobs must be integer or null/],
      [{ name: 'bad', maxJobs: 0 }, /maxJobs must be a whole number of at least 1/],
      [{ name: 'bad', maxJobs: 1.5 }, /maxJobs must be integer/],
      [{ name: 'bad', workerMode: 'lonely' }, /workerMode must be "shared" or "exclusive"/],
      [{ name: 'bad', downtime: '1m' }, /downtime must be "Inf" or a whole number of seconds/],
      [{ name: 'bad', downtime: '1.5s' }, /downtime must be "Inf" or a whole number of seconds/],
      [{ name: 'bad', streamingDuration: 'Inf' }, /streamingDuration must be a finite number/],
      [{ name: 'bad', precreated: 'yes' }, /precreated must be boolean/],
      [{ name: 'bad', sparkConf: { a: { nested: 1 } } }, /sparkConf/],
      [{ name: 'bad', sparkConf: 'spark.master=local' }, /sparkConf must be object/],
      [{ name: 'bad', runOptions: '--conf "unclosed' }, /unclosed " quote/],
      [{ name: 'bad', runOptions: '--class com.example.Main' }, /runOptions may not hold --class: Haze runs its own worker program/],
      [{ name: 'bad', runOptions: '--driver-memory 1g app.py' }, /runOptions may hold only spark-submit options; "app.py" would be taken as the application/],
      [{ name: 'bad', maxConnFailures: -1 }, /maxConnFailures must be a whole number of at least 1/],
      [{ name: 'bad', spareWorkers: -1 }, /spareWorkers must be a whole number of at least 0; got -1$/],
      [{ name: 'bad', spareWorkers: 1.5 }, /spareWorkers must be integer/],
      [{ name: 'bad', spareWorkers: 101 }, /spareWorkers must be a whole number of at least 0 and at most 100; got 101$/],
      [{ name: 'bad', maxWorkers: 0 }, /maxWorkers must be a whole number of at least 1; got 0$/],
      [{ name: 'bad', maxWorkers: 2.5 }, /maxWorkers must be integer/],
      [{ name: 'bad', maxWorkers: 101 }, /maxWorkers must be a whole number of at least 1 and at most 100; got 101$/],
      [{ name: 'bad', workerMode: 'shared', spareWorkers: 2, maxWorkers: 1 }, /spareWorkers must be at most maxWorkers in a shared context .*got spareWorkers 2 and maxWorkers 1$/],
      [{ name: '../etc' }, /invalid context name/],
      [{ name: '' }, /invalid context name/],
    ]
    for (const [body, expected] of cases) {
      const response = await haze.json<ProblemBody>('/v2/api/contexts', jsonBody('POST', body))
      assert.equal(response.status, 400, JSON.stringify(body))
      assert.equal(response.body.status, 400)
      assert.equal(response.body.title, 'Bad Request')
      assert.match(response.body.detail, expected, JSON.stringify(body))
    }
    const names = (await haze.json<Context[]>('/v2/api/contexts')).body.map((c) => c.name)
    assert.ok(!names.includes('bad') && !names.includes('x'), `nothing was stored: ${names.join(', ')}`)
  })

  // Spares start workers, so this test sets only maxWorkers; e2e-spares.test.ts shows spareWorkers.
  it("shows Haze's maxWorkers only when set, so Mist's clients see Mist's nine fields", async () => {
    const { status, body } = await haze.json<Context>('/v2/api/contexts', jsonBody('POST', { name: 'spared', workerMode: 'shared', maxWorkers: 3 }))
    assert.equal(status, 200)
    assert.deepEqual([body.spareWorkers, body.maxWorkers], [undefined, 3])
    assert.deepEqual((await haze.json('/v2/api/contexts/spared')).body, body)
    const reset = await haze.json<Context>('/v2/api/contexts/spared', jsonBody('PUT', { maxWorkers: 1 }))
    assert.deepEqual(Object.keys(reset.body).sort(), Object.keys(DEFAULT).sort())
    assert.equal((await haze.api('/v2/api/contexts/spared', { method: 'DELETE' })).status, 200)
  })

  it('answers 404 for an unknown context, and PUT does not create one', async () => {
    assert.equal((await haze.json('/v2/api/contexts/nope')).status, 404)
    assert.equal((await haze.json('/v2/api/contexts/nope', jsonBody('PUT', { maxJobs: 2 }))).status, 404)
    assert.equal((await haze.json('/v2/api/contexts/nope')).status, 404)
  })

  it('refuses a PUT whose body names another context', async () => {
    await haze.json('/v2/api/contexts', jsonBody('POST', { name: 'mine' }))
    const { status, body } = await haze.json<ProblemBody>('/v2/api/contexts/mine', jsonBody('PUT', { name: 'theirs' }))
    assert.equal(status, 400)
    assert.match(body.detail, /names context "theirs" but the path names "mine"/)
    assert.equal((await haze.json('/v2/api/contexts/theirs')).status, 404)
  })
})
