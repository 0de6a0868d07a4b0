/**
 * The API document is exact: schemathesis (PyPI) generates requests from /v2/api/openapi.json
 * (every phase: examples, coverage, fuzzing, stateful; every check) against a real master on
 * loopback, and fails on any 5xx or any answer the document does not allow.
 *
 * The master runs without API tokens (so every route is reached) and with a spark-submit that
 * refuses to start: the contract is HTTP's, and thousands of generated runs must not start
 * thousands of JVMs on a 2-core machine. Jobs still go through the whole executor: a worker
 * that fails to start fails them, and the context ends up broken, as it would for real.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { scrape } from './helpers/prometheus.js'
import { sample } from './helpers/samples.js'

const SCHEMATHESIS = join(HAZE_HOME, '.venv', 'bin', 'schemathesis')
const CONFIG = join(HAZE_HOME, 'test', 'contract', 'schemathesis.toml')
/** Generated cases per operation; 30 operations, and the stateful phase chains several requests. */
const EXAMPLES = Number(process.env.HAZE_CONTRACT_EXAMPLES ?? 250)
const MIN_REQUESTS = 5000

const requestsServed = async (haze: TestHaze): Promise<number> =>
  (await scrape(haze))
    .family('haze_http_request_duration_seconds')
    .samples.filter((s) => s.name.endsWith('_count'))
    .reduce((sum, s) => sum + s.value, 0)

describe('the OpenAPI document, checked by schemathesis', { timeout: 900_000 }, () => {
  let haze: TestHaze
  const sparkHome = mkdtempSync(join(tmpdir(), 'haze-contract-spark-'))

  before(async () => {
    mkdirSync(join(sparkHome, 'bin'))
    const submit = join(sparkHome, 'bin', 'spark-submit')
    writeFileSync(submit, '#!/bin/sh\necho "Spark is not started by the API contract test" >&2\nexit 3\n')
    chmodSync(submit, 0o755)
    haze = await startHaze({ sparkHome })
    // Something to find, so that generated reads reach more than 404s.
    assert.equal((await haze.api('/v2/api/artifacts', upload('typed_pi.py', sample('typed_pi.py')))).status, 200)
    const deploy = { name: 'pi', path: 'typed_pi.py', className: 'estimate_pi', defaultContext: 'default' }
    assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', deploy))).status, 200)
    assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', { name: 'ctx', workerMode: 'shared' }))).status, 200)
  })
  after(async () => {
    await haze.close()
    rmSync(sparkHome, { recursive: true, force: true })
  })

  it(`answers ${MIN_REQUESTS}+ generated requests without a 5xx or a contradiction of the document`, async (t) => {
    const before = await requestsServed(haze)
    const args = [
      '--config-file', CONFIG, 'run', `${haze.url}/v2/api/openapi.json`,
      '--checks', 'all', '--phases', 'examples,coverage,fuzzing,stateful',
      '--max-examples', String(EXAMPLES), '--seed', '14',
      // One worker: hypothesis inspects lambdas' source with ast, which is not thread-safe on Python 3.11.
      '--workers', '1',
      '--no-color', '--output-truncate', 'true', '--request-timeout', '30',
    ]
    const output: Buffer[] = []
    const code = await new Promise<number | null>((resolve, reject) => {
      // In the temp dir: schemathesis and hypothesis keep their caches in the working directory.
      const child = spawn(SCHEMATHESIS, args, { cwd: sparkHome, stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
      child.once('error', reject)
      child.once('exit', resolve)
    })
    const report = Buffer.concat(output).toString()
    const summary = report.slice(Math.max(0, report.lastIndexOf('FAILURES') - 40)) || report.slice(-4000)
    assert.equal(code, 0, `schemathesis found contradictions:\n${summary.slice(0, 20_000)}`)
    const served = (await requestsServed(haze)) - before
    t.diagnostic(`${served} requests served`)
    assert.ok(served >= MIN_REQUESTS, `only ${served} requests were served; raise HAZE_CONTRACT_EXAMPLES`)
  })
})
