/**
 * The two JVM function APIs end to end on real Spark: Haze's own typed API (haze.api, a `run`
 * method whose parameters are the arguments) in Scala and Java, and Mist's own example functions
 * (jvm/mist-examples, copied unchanged from Mist's repository) compiled against Haze's mist.api.
 * Both jars are built by scripts/setup.sh. Signatures are read at deploy time; types are checked
 * by the master and `validated(...)` rules by a JVM, both before a job exists.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'

const JARS = {
  'examples.jar': join(HAZE_HOME, 'jvm', 'examples', 'target', 'haze-jvm-examples.jar'),
  'mist-examples.jar': join(HAZE_HOME, 'jvm', 'mist-examples', 'target', 'haze-mist-examples.jar'),
}
type Info = { lang: string; execute: Record<string, unknown>; tags: string[]; defaults: Record<string, unknown>; detail?: string }
type Sync = { success: boolean; payload: unknown; errors: string[]; detail?: string }

describe('JVM function APIs on real Spark', { timeout: 600_000 }, () => {
  let haze: TestHaze
  let files: string
  const deploy = (name: string, path: keyof typeof JARS, className: string) =>
    haze.json<Info>('/v2/api/functions', jsonBody('POST', { name, path, className, defaultContext: 'jvm-shared' }))
  const run = (fn: string, args: unknown, context?: string) =>
    haze.json<Sync>(`/v2/api/functions/${fn}/jobs?force=true${context ? `&context=${context}` : ''}`, jsonBody('POST', args))
  const jobsOf = async (fn: string) => (await haze.json<{ total: number }>(`/v2/api/functions/${fn}/jobs?paginate=true`)).body.total
  const allJobs = async () => (await haze.json<{ total: number }>('/v2/api/jobs?paginate=true')).body.total

  before(async () => {
    files = mkdtempSync(join(tmpdir(), 'haze-jvm-api-'))
    writeFileSync(join(files, 'sales.csv'), 'region,amount\nnorth,10\nsouth,5\nnorth,2.5\neast,1\nsouth,5\n')
    writeFileSync(join(files, 'people.json'), '{"name":"a","age":30}\n{"name":"b","age":41}\n{"name":"c","age":20}\n')
    haze = await startHaze({ cancelGrace: 5000, workerHeartbeat: 1000, workerStartTimeout: 180_000 })
    for (const [name, file] of Object.entries(JARS)) {
      assert.equal((await haze.api('/v2/api/artifacts', upload(name, readFileSync(file)))).status, 200)
    }
    const spark = { 'spark.master': 'local[2]', 'spark.ui.enabled': 'false', 'spark.sql.shuffle.partitions': '2' }
    const contexts = [
      { name: 'jvm-shared', workerMode: 'shared', maxJobs: 2, downtime: 'Inf', sparkConf: spark, streamingDuration: '1s' },
      { name: 'jvm-exclusive', workerMode: 'exclusive', maxJobs: 1, sparkConf: { ...spark, 'spark.master': 'local[1]' } },
    ]
    for (const context of contexts) assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', context))).status, 200)
    const functions: [string, keyof typeof JARS, string][] = [
      ['typed-pi', 'examples.jar', 'TypedPi'],
      ['java-typed-pi', 'examples.jar', 'JavaTypedPi'],
      ['typed-totals', 'examples.jar', 'TypedTotals'],
      ['java-totals', 'examples.jar', 'JavaTotals'],
      ['typed-kinds', 'examples.jar', 'TypedKinds'],
      ['java-kinds', 'examples.jar', 'JavaKinds'],
      ['typed-streaming', 'examples.jar', 'TypedStreaming'],
      ['typed-throws', 'examples.jar', 'TypedThrows'],
      ['java-throws', 'examples.jar', 'JavaThrows'],
      ['mist-pi', 'mist-examples.jar', 'PiExample'],
      ['mist-java-pi', 'mist-examples.jar', 'JavaPiExample'],
      ['mist-sql', 'mist-examples.jar', 'SQLContextExample'],
      ['mist-less-verbose', 'mist-examples.jar', 'LessVerboseExample'],
      ['mist-session', 'mist-examples.jar', 'SparkSessionExample'],
      ['mist-java-streaming', 'mist-examples.jar', 'JavaStreamingContextExample'],
    ]
    for (const [name, jar, className] of functions) {
      const deployed = await deploy(name, jar, className)
      assert.equal(deployed.status, 200, `${name}: ${deployed.body.detail ?? ''}`)
    }
  })
  after(async () => {
    await haze?.close()
    if (files) rmSync(files, { recursive: true, force: true })
  })

  it('describes a Scala function of Haze API from its declared types, defaults and case classes included', async () => {
    const info = (await haze.json<Info>('/v2/api/functions/typed-kinds')).body
    const line = { type: 'MObj', fields: { item: { type: 'MString' }, quantity: { type: 'MInt' }, price: { type: 'MOption', args: [{ type: 'MDouble' }] } } }
    assert.deepEqual([info.lang, info.execute], ['scala', {
      lines: { type: 'MList', args: [line] },
      tags: { type: 'MMap', args: [{ type: 'MString' }, { type: 'MBoolean' }] },
      note: { type: 'MOption', args: [{ type: 'MString' }] },
      big: { type: 'MInt' },
      weights: { type: 'MOption', args: [{ type: 'MList', args: [{ type: 'MDouble' }] }] },
    }])
  })

  it('describes a Java function of Haze API from its parameter names, types and @Default', async () => {
    const info = (await haze.json<Info>('/v2/api/functions/java-kinds')).body
    assert.deepEqual([info.lang, info.execute, info.defaults], ['java', {
      numbers: { type: 'MList', args: [{ type: 'MInt' }] },
      weights: { type: 'MMap', args: [{ type: 'MString' }, { type: 'MDouble' }] },
      label: { type: 'MOption', args: [{ type: 'MString' }] },
      flag: { type: 'MOption', args: [{ type: 'MBoolean' }] },
    }, { flag: true }])
  })

  it("reports Mist's Scala examples as scala and its Java ones as java, from the class file's SourceFile", async () => {
    const langs = await Promise.all(['mist-pi', 'mist-java-pi', 'mist-sql', 'mist-java-streaming'].map(async (fn) => (await haze.json<Info>(`/v2/api/functions/${fn}`)).body.lang))
    assert.deepEqual(langs, ['scala', 'java', 'scala', 'java'])
  })

  it('refuses a class that is not a function, saying why, and creates nothing', async () => {
    const deployed = await deploy('not-a-function', 'examples.jar', 'NotAFunction')
    const after = await haze.api('/v2/api/functions/not-a-function')
    assert.deepEqual(
      [deployed.status, /NotAFunction in examples\.jar is not a function: it does not extend mist\.api\.MistFn .*nor implement haze\.api\.HazeFunction/.test(deployed.body.detail ?? ''), after.status],
      [400, true, 404],
    )
  })

  it('refuses arguments of the wrong type in the master, before a job exists', async () => {
    const before = await allJobs()
    const answer = await run('typed-kinds', { lines: [{ item: 'a', quantity: 'two' }], tags: {}, big: 1 })
    assert.deepEqual(
      [answer.status, answer.body.detail, await jobsOf('typed-kinds'), await allJobs()],
      [400, 'invalid arguments for function "typed-kinds": lines[0].quantity must be an integer; got the string "two"', 0, before],
    )
  })

  it("refuses arguments Mist's validated rule rejects with 400, before a job exists", async () => {
    const before = await allJobs()
    const scala = await run('mist-pi', { samples: -5 })
    const java = await run('mist-java-pi', { samples: 0 })
    assert.deepEqual(
      [scala.status, scala.body.detail, java.status, java.body.detail, await jobsOf('mist-pi'), await jobsOf('mist-java-pi'), await allJobs()],
      [
        400, 'invalid arguments for function "mist-pi": Invalid value: Arg was rejected by validation rule :Samples should be positive',
        400, 'invalid arguments for function "mist-java-pi": Invalid value: Arg was rejected by validation rule :Samples must be positive',
        0, 0, before,
      ],
    )
  })

  it("runs pi estimates of both APIs in Scala and Java on a shared worker (Mist's pass their validated rule)", async () => {
    const answers = await Promise.all([run('typed-pi', { samples: 20000 }), run('java-typed-pi', {}), run('mist-pi', { samples: 20000 }), run('mist-java-pi', { samples: 20000 })])
    for (const answer of answers) {
      assert.ok(answer.body.success && typeof answer.body.payload === 'number' && Math.abs(answer.body.payload - Math.PI) < 0.3, JSON.stringify(answer.body))
    }
  })

  it('aggregates a CSV the test wrote into rows: a Scala DataFrame and a Java Dataset of Haze API', async () => {
    const path = join(files, 'sales.csv')
    const rows = [{ region: 'east', total: 1, rows: 1 }, { region: 'north', total: 12.5, rows: 2 }, { region: 'south', total: 10, rows: 2 }]
    const [scala, java, filtered] = await Promise.all([run('typed-totals', { path }), run('java-totals', { path, column: 'amount' }), run('typed-totals', { path, minTotal: 10 })])
    assert.deepEqual([scala.body.payload, java.body.payload, filtered.body.payload], [rows, rows, rows.slice(1)])
  })

  it("runs Mist's SQLContextExample (registerTempTable, SQL) and SparkSessionExample with MistExtras", async () => {
    const [sql, session] = await Promise.all([run('mist-sql', { file: join(files, 'people.json') }), run('mist-session', { numbers: [1, 2, 3] })])
    assert.deepEqual([sql.body.payload, session.body.payload], [[30], [2, 4, 6]])
  })

  it("reads and writes case classes: Mist's generic encoders (LessVerboseExample) and Haze API's", async () => {
    const typedArgs = '{"lines":[{"item":"a","quantity":2,"price":1.5},{"item":"b","quantity":1}],"tags":{"x":true},"big":9007199254740993}'
    const [mist, typed] = await Promise.all([
      run('mist-less-verbose', { numbers: [1, 2, 3], multiplier: 3 }),
      haze.api('/v2/api/functions/typed-kinds/jobs?force=true', jsonBody('POST', typedArgs)).then((response) => response.text()),
    ])
    // 2 × 1.5 + 1 × the default price 1.0, times the default weights' sum; the Long past 2^53 stays exact.
    assert.deepEqual(
      [mist.body.payload, typed],
      [{ wtf: [3, 6, 9], req: { numbers: [1, 2, 3], multiplier: 3 } }, '{"success":true,"payload":{"lines":2,"total":4,"tags":{"x":true},"note":null,"big":9007199254740993},"errors":[]}'],
    )
  })

  it('reads Java lists, maps and optional values and returns a record as an object', async () => {
    const answer = await run('java-kinds', { numbers: [1, 2, 40], weights: { a: 0.5 } })
    assert.deepEqual(answer.body.payload, { count: 3, sum: 43, weights: { a: 0.5 }, label: 'none', flag: true })
  })

  it("runs streaming jobs of both APIs, and Mist's ssc.stop() leaves the shared worker's SparkContext running", async () => {
    const typed = await run('typed-streaming', { batches: 3 })
    const mist = await run('mist-java-streaming', {})
    const afterwards = await run('typed-pi', { samples: 1000 })
    assert.deepEqual([typed.body.payload, mist.body.success, afterwards.body.success], [[10, 20, 30], true, true])
  })

  it("fails a job whose Scala function throws with its exception, message and the user's frames, none of Haze's", async () => {
    const answer = await run('typed-throws', { limit: 3 })
    const reason = answer.body.errors.join('\n')
    assert.deepEqual(
      [answer.body.success, reason.split('\n')[0], /at TypedThrows\$\.check\(HazeScala\.scala:\d+\)/.test(reason), /haze\.runtime|mist\.api/.test(reason)],
      [false, 'java.lang.ArithmeticException: limit 3 is below 10', true, false],
    )
  })

  it('fails a job whose Java function throws with its exception and its cause', async () => {
    const answer = await run('java-throws', { reason: 'many' })
    const reason = answer.body.errors.join('\n')
    assert.deepEqual(
      [reason.split('\n')[0], /Caused by: java\.lang\.NumberFormatException: For input string: "many"/.test(reason), /at JavaThrows\.run\(JavaThrows\.java:\d+\)/.test(reason)],
      ['java.lang.IllegalArgumentException: not a count: many', true, true],
    )
  })

  it('runs functions of both APIs in an exclusive context, each on a worker of its own', async () => {
    const api = jobApi(haze)
    const submit = async (fn: string, args: unknown) =>
      (await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs?context=jvm-exclusive`, jsonBody('POST', args))).body.id
    const ids = [await submit('java-typed-pi', { samples: 5000 }), await submit('mist-pi', { samples: 5000 })]
    const ended = await Promise.all(ids.map((id) => api.ended(id, 300_000)))
    const near = (result: unknown) => typeof result === 'number' && Math.abs(result - Math.PI) < 0.4
    assert.deepEqual(
      [ended.map((job) => job.status), ended.map((job) => near(job.jobResult)), new Set(ended.map((job) => job.workerId)).size],
      [['finished', 'finished'], [true, true], 2],
    )
  })
})
