/**
 * TLS end to end, with real certificates made by openssl. A master with a self-signed
 * certificate and no `tls.ca`, as the README shows: the API over HTTPS, the event stream over
 * WSS, and a real PySpark worker that verifies the certificate on its link and downloads its
 * artifact over HTTPS. A master whose certificate a CA issued, with `tls.ca` naming another
 * CA: its worker fails to start, saying why. Also the `tls` settings: paths, and start-up
 * errors that name them. (worker/tests/test_master_tls.py covers the worker's trust in detail.)
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { WebSocket } from 'ws'
import type { Agent } from 'undici'
import { loadConfig } from '../src/config.js'
import { lifecycle, NORMAL_RUN, openEvents } from './helpers/events.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { makeCertificates, trustingAgent, type TestCertificates } from './helpers/tls.js'

// One core and no Spark UI: the test is about the link, not about Spark.
const LOCAL = { sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }

let certs: TestCertificates
before(async () => {
  certs = await makeCertificates()
})
after(() => certs.close())

/** Uploads jobs.py and deploys its `echo` on the default context. */
async function deployEcho(call: (path: string, init: RequestInit) => Promise<Response>): Promise<void> {
  assert.equal((await call('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
  const deployed = await call('/v2/api/functions', jsonBody('POST', { name: 'echo', path: 'jobs.py', className: 'echo', defaultContext: 'default' }))
  assert.equal(deployed.status, 200, await deployed.text())
}

describe('a master with a self-signed certificate', { timeout: 600_000 }, () => {
  let haze: TestHaze
  before(async () => {
    // No ca: workers (and startHaze's requests) trust the certificate itself.
    haze = await startHaze({
      tls: certs.selfSigned,
      contextDefaults: { ...loadConfig({}, {}).contextDefaults, ...LOCAL },
      workerHeartbeat: 1000,
    })
    await deployEcho((path, init) => haze.api(path, init))
  })
  after(() => haze.close())

  it('serves the API over HTTPS', async () => {
    assert.match(haze.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.equal((await haze.api('/v2/api/status')).status, 200)
  })

  it('refuses plain HTTP on its port', async () => {
    await assert.rejects(fetch(`${haze.url.replace(/^https:/, 'http:')}/v2/api/status`))
  })

  it('is refused by a client that does not trust its certificate', async () => {
    await assert.rejects(fetch(`${haze.url}/v2/api/status`), (error: Error) => {
      assert.equal((error.cause as { code?: string } | undefined)?.code, 'DEPTH_ZERO_SELF_SIGNED_CERT')
      return true
    })
  })

  it('refuses a WebSocket from a client that does not trust its certificate', async () => {
    const socket = new WebSocket(`${haze.url.replace(/^https:/, 'wss:')}/v2/api/ws/all`)
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve))
    assert.match(error.message, /self-signed certificate/)
  })

  it('runs a job on a worker linked over WSS that fetched its artifact over HTTPS, streaming its events over WSS', async () => {
    const events = await openEvents(haze.url, '/v2/api/ws/all', {}, { ca: readFileSync(certs.selfSigned.cert) })
    try {
      const { body } = await haze.json<{ id: string }>('/v2/api/functions/echo/jobs', jsonBody('POST', { value: { over: 'TLS', n: 7 } }))
      const done = await jobApi(haze).ended(body.id)
      assert.equal(done.status, 'finished', JSON.stringify(done.jobResult))
      assert.deepEqual(done.jobResult, { over: 'TLS', n: 7 })
      await events.next((frame) => frame.id === body.id && frame.event === 'finished', 'the finished event over WSS')
      // job-file-downloading: the worker's cache is new, so the artifact came over HTTPS.
      assert.deepEqual(lifecycle(events.frames, body.id), NORMAL_RUN)
    } finally {
      await events.close()
    }
  })
})

describe('a master whose workers are told to trust another CA', { timeout: 600_000 }, () => {
  let haze: TestHaze
  let agent: Agent
  // The test's requests trust the real CA; startHaze's own would trust tls.ca, the wrong one.
  const call = (path: string, init: RequestInit = {}) => fetch(`${haze.url}${path}`, { ...init, dispatcher: agent })
  before(async () => {
    agent = trustingAgent(certs.ca)
    haze = await startHaze({
      tls: { cert: certs.cert, key: certs.key, ca: certs.otherCa },
      contextDefaults: { ...loadConfig({}, {}).contextDefaults, ...LOCAL, maxConnFailures: 1 },
      workerHeartbeat: 1000,
    })
    await deployEcho(call)
  })
  after(async () => {
    await haze.close()
    await agent.close()
  })

  it('fails to start, and the job fails saying the certificate could not be verified', async () => {
    const response = await call('/v2/api/functions/echo/jobs?force=true', jsonBody('POST', { value: 1 }))
    const result = (await response.json()) as { success: boolean; errors: string[] }
    assert.equal(result.success, false)
    assert.match(result.errors.join('\n'), /failed to start: exited with code 2: .*CERTIFICATE_VERIFY_FAILED/s)
  })
})

describe('tls settings', { timeout: 120_000 }, () => {
  it('reads the file paths relative to the config file', () => {
    const file = join(certs.dir, 'haze.json')
    writeFileSync(file, JSON.stringify({ tls: { cert: 'server.pem', key: 'server.key', ca: 'ca.pem' } }))
    assert.deepEqual(loadConfig({ config: file }, {}).tls, { cert: certs.cert, key: certs.key, ca: certs.ca })
  })

  it('refuses an http:// publicUrl with tls', () => {
    const file = join(certs.dir, 'plain-public.json')
    writeFileSync(file, JSON.stringify({ publicUrl: 'http://haze.example:2004', tls: { cert: 'server.pem', key: 'server.key' } }))
    assert.throws(() => loadConfig({ config: file }, {}), /publicUrl must be an https:\/\/ URL when tls is set/)
  })

  it('refuses a tls setting without a key', () => {
    const file = join(certs.dir, 'no-key.json')
    writeFileSync(file, JSON.stringify({ tls: { cert: 'server.pem' } }))
    assert.throws(() => loadConfig({ config: file }, {}), /config file .* is invalid: \/tls .*key/)
  })

  it('stops at start-up on an unreadable certificate, naming the setting', async () => {
    const missing = join(certs.dir, 'missing.pem')
    await assert.rejects(startHaze({ tls: { cert: missing, key: certs.key } }), new RegExp(`cannot read tls\\.cert ${missing}: ENOENT`))
  })

  it('stops at start-up on a key that is not the certificate’s', async () => {
    await assert.rejects(
      startHaze({ tls: { cert: certs.cert, key: join(certs.dir, 'ca.key') } }),
      /tls\.cert .* and tls\.key .* are not a usable certificate and private key \(.*key values mismatch\)/,
    )
  })

  it('stops at start-up on a CA file that holds no certificate', async () => {
    await assert.rejects(startHaze({ tls: { cert: certs.cert, key: certs.key, ca: certs.key } }), /tls\.ca .* holds no certificate/)
  })
})
