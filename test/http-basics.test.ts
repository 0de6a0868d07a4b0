import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startHaze, type TestHaze } from './helpers/haze.js'

type ProblemBody = { status: number; title: string; detail: string }

describe('status, OpenAPI, errors and origins', () => {
  let haze: TestHaze
  before(async () => {
    haze = await startHaze({ allowedOrigins: ['http://trusted.example'] })
  })
  after(() => haze.close())

  it('reports true versions in the fields mist-cli and the Mist UI read', async () => {
    const { status, body } = await haze.json<{
      mistVersion: string
      sparkVersion: string
      started: string
      javaVersion: { runtimeVersion: string; vmVendor: string }
    }>('/v2/api/status')
    assert.equal(status, 200)
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as { version: string }
    assert.equal(body.mistVersion, pkg.version)
    const pyspark = execFileSync(haze.config.python, ['-c', 'import pyspark; print(pyspark.__version__)']).toString().trim()
    assert.equal(body.sparkVersion, pyspark)
    const java = execFileSync('sh', ['-c', 'java -XshowSettings:properties -version 2>&1 | grep "java.runtime.version"'])
      .toString()
      .split('=')[1]
      ?.trim()
    assert.equal(body.javaVersion.runtimeVersion, java)
    assert.match(body.started, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/, 'a LocalDateTime without zone')
    assert.ok(Math.abs(Date.parse(`${body.started}Z`) - Date.now()) < 10 * 60_000)
  })

  it('serves an OpenAPI 3.1 document generated from the routes, and a viewer', async () => {
    const { status, body } = await haze.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      '/v2/api/openapi.json',
    )
    assert.equal(status, 200)
    assert.equal(body.openapi, '3.1.0')
    for (const [path, methods] of Object.entries({
      '/v2/api/artifacts': ['get', 'post'],
      '/v2/api/artifacts/{name}': ['get', 'delete'],
      '/v2/api/artifacts/{name}/sha': ['get'],
      '/v2/api/functions': ['get', 'post', 'put'],
      '/v2/api/functions/{id}': ['get', 'delete'],
      '/v2/api/functions/{id}/jobs': ['get', 'post'],
      '/v2/api/contexts': ['get', 'post'],
      '/v2/api/contexts/{id}': ['get', 'put', 'delete'],
      '/v2/api/jobs': ['get'],
      '/v2/api/jobs/{id}': ['get', 'delete'],
      '/v2/api/jobs/{id}/logs': ['get'],
      '/v2/api/workers': ['get'],
      '/v2/api/workers/{id}': ['get', 'delete'],
      '/v2/api/workers/{id}/jobs': ['get'],
      '/v2/api/status': ['get'],
    })) {
      assert.deepEqual(Object.keys(body.paths[path] ?? {}).sort(), [...methods].sort(), path)
    }
    const docs = await haze.api('/docs/')
    assert.equal(docs.status, 200)
    assert.match(await docs.text(), /swagger/i)
  })

  it('answers unknown routes and trailing slashes with a 404 problem', async () => {
    for (const path of ['/v2/api/nothing', '/v2/api/functions/']) {
      const { status, body } = await haze.json<ProblemBody>(path)
      assert.equal(status, 404, path)
      assert.deepEqual(Object.keys(body).sort(), ['detail', 'status', 'title'])
    }
  })

  it('refuses oversized JSON bodies with 413', async () => {
    const big = JSON.stringify({ name: 'x', runOptions: 'a'.repeat(17 * 1024 * 1024) })
    const { status } = await haze.json<ProblemBody>('/v2/api/contexts', jsonBody('POST', big))
    assert.equal(status, 413)
    assert.equal((await haze.json('/v2/api/contexts/x')).status, 404)
  })

  it('never leaks a stack trace in an error', async () => {
    const { body } = await haze.json<ProblemBody>('/v2/api/contexts', jsonBody('POST', '{"name":'))
    assert.doesNotMatch(JSON.stringify(body), /at .*\.(ts|js):\d+/)
  })

  it('refuses calls from foreign web pages, allows configured and same-origin ones', async () => {
    const create = (origin: string) =>
      haze.json<ProblemBody>('/v2/api/contexts', {
        ...jsonBody('POST', { name: 'from-browser' }, 'text/plain'),
        headers: { 'content-type': 'text/plain', origin },
      })
    const foreign = await create('http://evil.example')
    assert.equal(foreign.status, 403)
    assert.match(foreign.body.detail, /allowedOrigins/)
    assert.equal((await haze.json('/v2/api/contexts/from-browser')).status, 404, 'nothing was created')

    const trusted = await haze.api('/v2/api/contexts', {
      method: 'OPTIONS',
      headers: { origin: 'http://trusted.example', 'access-control-request-method': 'POST' },
    })
    assert.equal(trusted.status, 204)
    assert.equal(trusted.headers.get('access-control-allow-origin'), 'http://trusted.example')
    assert.equal((await create('http://trusted.example')).status, 200)
    assert.equal((await create(new URL(haze.url).origin)).status, 200, 'same origin (the UI)')
  })
})
