import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startHaze, upload, type TestHaze } from './helpers/haze.js'

type ProblemBody = { status: number; detail: string }
const sha1 = (data: string | Uint8Array) => createHash('sha1').update(data).digest('hex')

describe('artifacts over HTTP', () => {
  let haze: TestHaze
  const LIMIT = 64 * 1024
  before(async () => {
    haze = await startHaze({ uploadLimit: LIMIT })
  })
  after(() => haze.close())

  const artifactFiles = () => readdirSync(join(haze.dataDir, 'artifacts'))

  it('stores an upload under its file name and serves it back byte for byte', async () => {
    const content = 'def f(spark):\n    return 1\n'
    const response = await haze.api('/v2/api/artifacts', upload('hello_0.1.py', content))
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'hello_0.1.py')

    const download = await haze.api('/v2/api/artifacts/hello_0.1.py')
    assert.equal(download.status, 200)
    assert.equal(await download.text(), content)

    const sha = await haze.api('/v2/api/artifacts/hello_0.1.py/sha')
    assert.equal(sha.status, 200)
    assert.match(sha.headers.get('content-type') ?? '', /^text\/plain/)
    assert.equal(await sha.text(), sha1(content), 'bare lowercase hex, no quotes, no newline')

    assert.deepEqual((await haze.json('/v2/api/artifacts')).body, ['hello_0.1.py'])
  })

  it('lists each artifact with its size, SHA-1 and time when asked for details', async () => {
    const content = 'def g(spark):\n    return 2\n'
    const before = Date.now()
    assert.equal((await haze.api('/v2/api/artifacts', upload('detailed.py', content))).status, 200)
    const { status, body } = await haze.json<{ name: string; size: number; sha1: string; modified: number }[]>('/v2/api/artifacts?details=true')
    assert.equal(status, 200)
    const detailed = body.find((artifact) => artifact.name === 'detailed.py')
    assert.deepEqual({ ...detailed, modified: undefined }, { name: 'detailed.py', size: Buffer.byteLength(content), sha1: sha1(content), modified: undefined })
    assert.ok((detailed?.modified ?? 0) >= before - 1000, 'modified is the upload time')
    assert.equal((await haze.json('/v2/api/artifacts?details=maybe')).status, 400)
  })

  it('keeps binary content intact', async () => {
    const bytes = new Uint8Array(40_000).map((_, i) => (i * 7919) % 256)
    assert.equal((await haze.api('/v2/api/artifacts', upload('blob.zip', bytes))).status, 200)
    const back = new Uint8Array(await (await haze.api('/v2/api/artifacts/blob.zip')).arrayBuffer())
    assert.equal(sha1(back), sha1(bytes))
    assert.equal(await (await haze.api('/v2/api/artifacts/blob.zip/sha')).text(), sha1(bytes))
  })

  it('answers 409 for an existing name unless force=true, and force replaces the content and SHA', async () => {
    await haze.api('/v2/api/artifacts', upload('dup.py', 'first = 1\n'))
    const again = await haze.json<ProblemBody>('/v2/api/artifacts', upload('dup.py', 'second = 2\n'))
    assert.equal(again.status, 409)
    assert.match(again.body.detail, /already exists.*force=true/)
    assert.equal(await (await haze.api('/v2/api/artifacts/dup.py')).text(), 'first = 1\n')

    const forced = await haze.api('/v2/api/artifacts?force=True', upload('dup.py', 'second = 2\n'))
    assert.equal(forced.status, 200)
    assert.equal(await (await haze.api('/v2/api/artifacts/dup.py')).text(), 'second = 2\n')
    assert.equal(await (await haze.api('/v2/api/artifacts/dup.py/sha')).text(), sha1('second = 2\n'))
  })

  it('deletes an artifact and answers its name; then it is gone', async () => {
    await haze.api('/v2/api/artifacts', upload('temp.py', 'x = 1\n'))
    const deleted = await haze.api('/v2/api/artifacts/temp.py', { method: 'DELETE' })
    assert.equal(deleted.status, 200)
    assert.equal(await deleted.text(), 'temp.py')
    for (const path of ['/v2/api/artifacts/temp.py', '/v2/api/artifacts/temp.py/sha']) {
      const missing = await haze.json<ProblemBody>(path)
      assert.equal(missing.status, 404)
      assert.match(missing.body.detail, /artifact "temp.py" not found; upload it with POST \/v2\/api\/artifacts/)
    }
    assert.equal((await haze.api('/v2/api/artifacts/temp.py', { method: 'DELETE' })).status, 404)
  })

  it('refuses hostile names with 400 and writes nothing', async () => {
    const before = artifactFiles()
    for (const name of ['../evil.py', 'a/b.py', 'a\\b.py', '..', 'x\u0000.py', 'tab\t.py', '.hidden.py', 'a..b/../c']) {
      const response = await haze.json<ProblemBody>('/v2/api/artifacts', upload(name, 'x = 1\n'))
      assert.equal(response.status, 400, JSON.stringify(name))
      assert.match(response.body.detail, /invalid artifact name|no file in a field named "file"/, JSON.stringify(name))
    }
    assert.deepEqual(artifactFiles(), before)
    for (const path of ['/v2/api/artifacts/..%2Fhaze.db', '/v2/api/artifacts/..%2Fhaze.db/sha', '/v2/api/artifacts/%2Fetc%2Fpasswd']) {
      assert.equal((await haze.api(path)).status, 400, path)
    }
    assert.equal((await haze.api('/v2/api/artifacts/..%2Fhaze.db', { method: 'DELETE' })).status, 400)
  })

  it('answers 413 over the upload limit and leaves no partial file behind', async () => {
    const before = artifactFiles()
    const response = await haze.json<ProblemBody>('/v2/api/artifacts', upload('huge.zip', new Uint8Array(LIMIT + 1)))
    assert.equal(response.status, 413)
    assert.match(response.body.detail, /larger than the upload limit/)
    assert.deepEqual(artifactFiles(), before, 'no file, temporary or final, remains')
    assert.equal((await haze.api('/v2/api/artifacts', upload('exact.zip', new Uint8Array(LIMIT)))).status, 200)
  })

  it('answers 415 for a non-multipart upload and 400 for a missing file field', async () => {
    const notMultipart = await haze.json<ProblemBody>('/v2/api/artifacts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"file": "x"}',
    })
    assert.equal(notMultipart.status, 415)
    assert.match(notMultipart.body.detail, /multipart\/form-data/)
    const wrongField = await haze.json<ProblemBody>('/v2/api/artifacts', upload('w.py', 'x = 1\n', 'upload'))
    assert.equal(wrongField.status, 400)
    assert.match(wrongField.body.detail, /field named "file"/)
    assert.ok(!artifactFiles().includes('w.py'))
  })
})
