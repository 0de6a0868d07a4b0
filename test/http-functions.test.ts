import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { zip } from './helpers/zip.js'

type ProblemBody = { status: number; detail: string }
type FunctionInfo = {
  name: string
  lang: string
  execute: Record<string, unknown>
  tags: string[]
  path: string
  className: string
  defaultContext: string
}

const M = (type: string, ...args: unknown[]) => (args.length ? { type, args } : { type })
const int = M('MInt')
const str = M('MString')
const dbl = M('MDouble')
const bool = M('MBoolean')
const any = M('MAny')

describe('functions over HTTP', () => {
  let haze: TestHaze
  const deploy = (body: Record<string, string>, query = '') =>
    haze.json<FunctionInfo & ProblemBody>(`/v2/api/functions${query}`, jsonBody('POST', body))

  before(async () => {
    haze = await startHaze()
    for (const file of ['typed_pi.py', 'typed_kinds.py', 'mist_pi.py', 'mist_kinds.py', 'broken_import.py', 'not_a_function.py']) {
      const response = await haze.api('/v2/api/artifacts', upload(file, sample(file)))
      assert.equal(response.status, 200, file)
    }
    const pkg = {
      'haze_sample_pkg/__init__.py': sample('pkg_src/haze_sample_pkg/__init__.py'),
      'haze_sample_pkg/jobs.py': sample('pkg_src/haze_sample_pkg/jobs.py'),
    }
    for (const name of ['words.zip', 'words-0.1-py3-none-any.whl', 'words-0.1-py3.11.egg']) {
      assert.equal((await haze.api('/v2/api/artifacts', upload(name, zip(pkg)))).status, 200, name)
    }
  })
  after(() => haze.close())

  it('deploys a type-hinted function with its real signature', async () => {
    const { status, body } = await deploy({ name: 'pi', path: 'typed_pi.py', className: 'estimate_pi', defaultContext: 'default' })
    assert.equal(status, 200)
    assert.deepEqual(body, {
      name: 'pi',
      lang: 'python',
      execute: { samples: M('MOption', int) },
      tags: ['sql'],
      path: 'typed_pi.py',
      className: 'estimate_pi',
      defaultContext: 'default',
      defaults: { samples: 1000 },
    })
    assert.deepEqual((await haze.json('/v2/api/functions/pi')).body, body)
  })

  it('describes every kind of type hint, in declaration order', async () => {
    const { status, body } = await deploy({ name: 'kinds', path: 'typed_kinds.py', className: 'all_kinds', defaultContext: 'default' })
    assert.equal(status, 200, JSON.stringify(body))
    assert.deepEqual(body.execute, {
      name: str,
      ratio: dbl,
      verbose: bool,
      ids: M('MList', int),
      weights: M('MMap', str, dbl),
      nickname: M('MOption', str),
      point: { type: 'MObj', fields: { x: dbl, y: dbl, label: M('MOption', str) } },
      count: M('MOption', int),
    })
    assert.deepEqual(Object.keys(body.execute), ['name', 'ratio', 'verbose', 'ids', 'weights', 'nickname', 'point', 'count'])
    const context = await deploy({ name: 'words', path: 'typed_kinds.py', className: 'on_context', defaultContext: 'default' })
    assert.deepEqual(context.body.execute, { words: M('MList', str) })
    assert.deepEqual(context.body.tags, [])
  })

  it("deploys Mist's decorator style: with_args, arg, opt_arg, list_type", async () => {
    const pi = await deploy({ name: 'hello-mist', path: 'mist_pi.py', className: 'hello_mist', defaultContext: 'default' })
    assert.equal(pi.status, 200)
    assert.deepEqual(pi.body.execute, { samples: M('MOption', int) })
    assert.deepEqual(pi.body.tags, [])

    const kinds = await deploy({ name: 'mist-kinds', path: 'mist_kinds.py', className: 'session_kinds', defaultContext: 'default' })
    assert.equal(kinds.status, 200, JSON.stringify(kinds.body))
    assert.deepEqual(kinds.body.execute, {
      name: str,
      ratio: M('MOption', dbl),
      verbose: bool,
      tags: M('MOption', M('MList', str)),
      matrix: M('MList', M('MList', int)),
      values: M('MList', any),
      options: M('MMap', str, any),
      anything: any,
      limit: M('MOption', int),
    })
    assert.deepEqual(kinds.body.tags, ['sql'])

    const sql = await deploy({ name: 'mist-sql', path: 'mist_kinds.py', className: 'sql_average_age', defaultContext: 'default' })
    assert.deepEqual([sql.body.execute, sql.body.tags], [{ path: str }, ['sql']])
    const streaming = await deploy({ name: 'mist-stream', path: 'mist_kinds.py', className: 'streaming_no_args', defaultContext: 'default' })
    assert.deepEqual([streaming.body.execute, streaming.body.tags], [{}, ['streaming']])
  })

  it('finds functions in .zip, .whl and .egg packages by dotted path', async () => {
    for (const [name, path] of [
      ['zip-words', 'words.zip'],
      ['whl-words', 'words-0.1-py3-none-any.whl'],
      ['egg-words', 'words-0.1-py3.11.egg'],
    ] as const) {
      const { status, body } = await deploy({ name, path, className: 'haze_sample_pkg.jobs.count_words', defaultContext: 'default' })
      assert.equal(status, 200, `${path}: ${JSON.stringify(body)}`)
      assert.deepEqual(body.execute, { text: str, min_length: M('MOption', int) })
    }
    const mist = await deploy({ name: 'zip-mist', path: 'words.zip', className: 'haze_sample_pkg.jobs.mist_count_words', defaultContext: 'default' })
    assert.deepEqual(mist.body.execute, { text: str })
  })

  it('refuses a function that does not load, with the cause, and stores nothing', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ path: 'missing.py', className: 'f' }, /artifact "missing.py" not found; upload it/],
      [{ path: 'broken_import.py', className: 'anything' }, /ModuleNotFoundError: No module named/],
      [{ path: 'not_a_function.py', className: 'value' }, /is an int, not a function/],
      [{ path: 'typed_pi.py', className: 'no_such_function' }, /has no function `no_such_function`/],
      [{ path: 'words.zip', className: 'haze_sample_pkg.nope.f' }, /haze_sample_pkg/],
    ]
    for (const [fields, expected] of cases) {
      const { status, body } = await deploy({ name: 'bad', defaultContext: 'default', ...fields })
      assert.equal(status, 400, JSON.stringify(fields))
      assert.match(body.detail, expected)
      assert.equal((await haze.json('/v2/api/functions/bad')).status, 404, 'nothing stored')
    }
  })

  it('refuses bad bodies and names with 400', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', path: 'typed_pi.py', className: 'estimate_pi' }, /defaultContext is required/],
      [{ name: 'x', path: 'typed_pi.py', className: 7, defaultContext: 'default' }, /className must be string/],
      [{ name: 'x/y', path: 'typed_pi.py', className: 'estimate_pi', defaultContext: 'default' }, /invalid function name/],
      [{ name: 'x', path: 'typed_pi.py', className: 'estimate_pi', defaultContext: 'nope' }, /defaultContext "nope" does not exist/],
      ['not json', /not valid JSON/],
    ]
    for (const [body, expected] of cases) {
      const { status, body: problem } = await haze.json<ProblemBody>('/v2/api/functions', jsonBody('POST', body))
      assert.equal(status, 400, JSON.stringify(body))
      assert.match(problem.detail, expected)
    }
    assert.equal((await haze.json('/v2/api/functions/x')).status, 404)
  })

  it('answers 409 for an existing name, and updates with PUT', async () => {
    const config = { name: 'upd', path: 'typed_kinds.py', className: 'on_context', defaultContext: 'default' }
    assert.equal((await deploy(config)).status, 200)
    const again = await deploy({ ...config, className: 'all_kinds' })
    assert.equal(again.status, 409)
    assert.match(again.body.detail, /already exists; update it with PUT/)

    const put = await haze.json<FunctionInfo>('/v2/api/functions', jsonBody('PUT', { ...config, path: 'typed_pi.py', className: 'estimate_pi' }))
    assert.equal(put.status, 200)
    assert.equal(put.body.className, 'estimate_pi')
    assert.deepEqual(put.body.execute, { samples: M('MOption', int) })

    const badPut = await haze.json<ProblemBody>('/v2/api/functions', jsonBody('PUT', { ...config, className: 'nope' }))
    assert.equal(badPut.status, 400)
    assert.equal((await haze.json<FunctionInfo>('/v2/api/functions/upd')).body.className, 'estimate_pi', 'unchanged')

    const missing = await haze.json<ProblemBody>('/v2/api/functions', jsonBody('PUT', { ...config, name: 'never' }))
    assert.equal(missing.status, 404)
    assert.match(missing.body.detail, /function "never" not found; create it with POST/)
  })

  it('with force=true stores without loading and answers the bare config, as Mist does', async () => {
    const config = { name: 'forced', path: 'not-yet-uploaded.py', className: 'f', defaultContext: 'default' }
    const { status, body } = await deploy(config, '?force=true')
    assert.equal(status, 200)
    assert.deepEqual(body, config)
    const stored = await haze.json<FunctionInfo>('/v2/api/functions/forced')
    assert.deepEqual(stored.body, { ...config, lang: 'python', execute: {}, tags: [], defaults: {} })

    // Once the artifact exists, the signature is read from it.
    const source = 'from pyspark.sql import SparkSession\n\ndef f(spark: SparkSession, n: int) -> int:\n    return n\n'
    assert.equal((await haze.api('/v2/api/artifacts', upload('not-yet-uploaded.py', source))).status, 200)
    assert.deepEqual((await haze.json<FunctionInfo>('/v2/api/functions/forced')).body.execute, { n: int })
  })

  it("reads the signature again when the function's artifact is replaced", async () => {
    const v1 = 'from pyspark.sql import SparkSession\n\ndef f(spark: SparkSession, a: int) -> int:\n    return a\n'
    const v2 = 'from pyspark.sql import SparkSession\n\ndef f(spark: SparkSession, a: int, b: str) -> int:\n    return a\n'
    await haze.api('/v2/api/artifacts', upload('evolving.py', v1))
    await deploy({ name: 'evolving', path: 'evolving.py', className: 'f', defaultContext: 'default' })
    await haze.api('/v2/api/artifacts?force=true', upload('evolving.py', v2))
    const list = await haze.json<FunctionInfo[]>('/v2/api/functions')
    assert.deepEqual(list.body.find((f) => f.name === 'evolving')?.execute, { a: int, b: str })
  })

  it('lists, and deletes a function while its artifact stays', async () => {
    await deploy({ name: 'doomed', path: 'typed_pi.py', className: 'estimate_pi', defaultContext: 'default' })
    const names = (await haze.json<FunctionInfo[]>('/v2/api/functions')).body.map((f) => f.name)
    assert.ok(names.includes('doomed') && names.includes('pi'), names.join(', '))
    const deleted = await haze.json<FunctionInfo>('/v2/api/functions/doomed', { method: 'DELETE' })
    assert.equal(deleted.status, 200)
    assert.equal(deleted.body.name, 'doomed')
    assert.equal((await haze.json('/v2/api/functions/doomed')).status, 404)
    assert.equal((await haze.json('/v2/api/functions/doomed', { method: 'DELETE' })).status, 404)
    assert.equal((await haze.api('/v2/api/artifacts/typed_pi.py/sha')).status, 200)
  })
})
