/**
 * Results of any size, on real Spark: a result over resultLimit is stored by the master and
 * served by GET /v2/api/jobs/{id}/result, streamed, with its size; a small one stays inline in
 * jobResult, as in Mist. Big results are compared by SHA-256 with the JSON text the test writes
 * itself from the same rule as the function, both sides hashed as they stream, never held whole.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { jobApi, jsonBody, startHaze, upload, type JobView, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'

const LOCAL = { 'spark.master': 'local[2]', 'spark.ui.enabled': 'false' }
const RESULT_LIMIT = 1024 * 1024
const FUNCTIONS = ['rows', 'small', 'frame']

/** The JSON text of big_results.rows(count), in pieces, as Python's encoder writes it. */
function* rowsJson(count: number, width = 80): Generator<string> {
  const pad = 'x'.repeat(width)
  const big = 2n ** 70n
  yield '['
  for (let i = 0; i < count; i += 1) {
    yield `${i === 0 ? '' : ','}{"i":${i},"big":${(big + BigInt(i)).toString()},"text":"row ${i} é ${pad}"}`
  }
  yield ']'
}

function expectedDigest(pieces: Iterable<string>): { sha256: string; size: number } {
  const hash = createHash('sha256')
  let size = 0
  let batch: string[] = []
  const flush = () => {
    const bytes = Buffer.from(batch.join(''), 'utf8')
    hash.update(bytes)
    size += bytes.length
    batch = []
  }
  for (const piece of pieces) {
    batch.push(piece)
    if (batch.length >= 10_000) flush()
  }
  flush()
  return { sha256: hash.digest('hex'), size }
}

/** Streams a response body through SHA-256; the body is never held. */
async function streamedDigest(response: Response): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  assert.ok(response.body, 'the answer has a body')
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  return { sha256: hash.digest('hex'), size }
}

describe('results of any size', { timeout: 900_000 }, () => {
  let haze: TestHaze
  let api: ReturnType<typeof jobApi>
  const run = async (fn: string, args: object = {}): Promise<JobView> => {
    const { status, body } = await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs`, jsonBody('POST', args))
    assert.equal(status, 200, JSON.stringify(body))
    return api.ended(body.id, 600_000)
  }

  before(async () => {
    haze = await startHaze({ resultLimit: RESULT_LIMIT })
    api = jobApi(haze)
    assert.equal((await haze.api('/v2/api/artifacts', upload('big_results.py', sample('big_results.py')))).status, 200)
    const ctx = { name: 'results', workerMode: 'shared', maxJobs: 2, downtime: 'Inf', sparkConf: LOCAL }
    assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', ctx))).status, 200)
    for (const name of FUNCTIONS) {
      const deploy = { name, path: 'big_results.py', className: name, defaultContext: 'results' }
      assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', deploy))).status, 200, name)
    }
  })
  after(() => haze.close())

  it('round-trips a 200 MB result exactly, streamed with its size', async () => {
    const count = 1_700_000 // rows of about 125 bytes: 200 MB of JSON
    const expected = expectedDigest(rowsJson(count))
    assert.ok(expected.size > 200_000_000, `the test's own text is ${expected.size} bytes`)
    const job = await run('rows', { count })
    assert.equal(job.status, 'finished', JSON.stringify(job.jobResult))
    assert.deepEqual(job.jobResult, { location: `/v2/api/jobs/${job.jobId}/result`, size: expected.size, format: 'json' })
    const response = await haze.api(`/v2/api/jobs/${job.jobId}/result`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/json')
    assert.equal(response.headers.get('content-length'), String(expected.size))
    assert.deepEqual(await streamedDigest(response), expected)
  })

  it('keeps a small result inline in jobResult, exact, and serves it at …/result too', async () => {
    const job = await run('small')
    assert.equal(job.status, 'finished')
    const details = await (await haze.api(`/v2/api/jobs/${job.jobId}`)).text()
    assert.ok(details.includes('"jobResult":{"answer":42,"big":1267650600228229401496703205376}'), details)
    const response = await haze.api(`/v2/api/jobs/${job.jobId}/result`)
    assert.equal(response.status, 200)
    const text = '{"answer":42,"big":1267650600228229401496703205376}'
    assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(text)))
    assert.equal(await response.text(), text)
    assert.deepEqual(readdirSync(haze.dataDir).includes('results') ? readdirSync(join(haze.dataDir, 'results')).filter((name) => name.startsWith(job.jobId)) : [], [])
  })

  it('stores a DataFrame over the limit as JSON lines, one row object per line, digits kept', async () => {
    const count = 40_000 // about 2.5 MB of rows: over the 1 MiB limit
    const job = await run('frame', { count })
    assert.equal(job.status, 'finished', JSON.stringify(job.jobResult))
    assert.equal((job.jobResult as { format?: string }).format, 'jsonl')
    const response = await haze.api(`/v2/api/jobs/${job.jobId}/result`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson')
    const lines = (await response.text()).split('\n')
    assert.equal(lines.pop(), '', 'the last line ends with a newline')
    assert.equal(lines.length, count)
    const big = 123456789012345678901234567890n
    const wrong = lines.filter((line, i) => line !== `{"id":${i},"square":${i * i},"big":${(big + BigInt(i)).toString()}}`)
    assert.deepEqual(wrong.slice(0, 3), [])
  })

  it('fails a job whose result the master cannot write, with the reason, and keeps nothing', async () => {
    // A real file-system failure, no mock of the writer: the results directory is a file now.
    const results = join(haze.dataDir, 'results')
    rmSync(results, { recursive: true, force: true })
    writeFileSync(results, 'not a directory')
    try {
      const job = await run('rows', { count: 100_000 })
      assert.equal(job.status, 'failed')
      assert.match(String(job.jobResult), /the master could not store the result of job \S+ in \S+results: E(EXIST|NOTDIR)/)
      const response = await haze.api(`/v2/api/jobs/${job.jobId}/result`)
      assert.equal(response.status, 409)
      assert.match(((await response.json()) as { detail: string }).detail, /is failed: it has no result/)
    } finally {
      rmSync(results, { force: true })
    }
    assert.equal((await run('small')).status, 'finished', 'the context serves the next job')
    assert.equal((await haze.api('/v2/api/jobs/no-such-job/result')).status, 404)
  })
})
