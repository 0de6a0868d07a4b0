/**
 * Hostile input: every request below gets a clear 4xx, and leaves nothing behind, neither on
 * disk (the data dir's files, hidden ones too, are the same before and after) nor in the store.
 * A real master, raw sockets where a well-behaved client could not send the request.
 */
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { connect } from 'node:net'
import { join, relative } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

type ProblemBody = { status: number; title: string; detail: string }

interface RawAnswer {
  status: number
  body: string
  /** Body bytes the client wrote before the answer came. */
  sent: number
}

/**
 * Sends `head` and then `chunks()` on a raw socket until the server answers (it need not read
 * everything), then `finish`es the socket: `end` half-closes it (a body cut off), `destroy`
 * drops it. Resolves with the answer, or undefined if the server just closed.
 */
function rawRequest(
  url: string,
  head: string,
  chunks: Iterable<Buffer>,
  finish: 'end' | 'destroy' = 'end',
): Promise<RawAnswer | undefined> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const received: Buffer[] = []
    let answered = false
    let sent = 0
    socket.on('data', (data: Buffer) => {
      answered = true
      received.push(data)
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while we still write: its answer, if any, is what counts.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error)
    })
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('latin1')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]
      const body = text.slice(text.indexOf('\r\n\r\n') + 4)
      resolve(status === undefined ? undefined : { status: Number(status), body, sent })
    })
    const send = async () => {
      socket.write(head)
      for (const chunk of chunks) {
        if (answered || socket.destroyed) break
        if (!socket.write(chunk)) await new Promise((go) => socket.once('drain', go).once('close', go))
        sent += chunk.length
      }
      if (finish === 'destroy') socket.destroy()
      else socket.end()
    }
    socket.once('connect', () => void send())
  })
}

function* repeat(chunk: Buffer, total: number): Iterable<Buffer> {
  for (let sent = 0; sent < total; sent += chunk.length) yield chunk
}

/** Every file under the data dir, hidden ones too, but the SQLite files (they grow on every write). */
function files(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return files(path, root)
    return /\.db(-wal|-shm)?$/.test(entry.name) ? [] : [relative(root, path)]
  })
}

const MiB = 1024 * 1024
const UPLOAD_LIMIT = MiB

describe('hostile input', () => {
  let haze: TestHaze
  let state: () => Promise<string>
  before(async () => {
    haze = await startHaze({ uploadLimit: UPLOAD_LIMIT })
    assert.equal((await haze.api('/v2/api/artifacts', upload('typed_pi.py', sample('typed_pi.py')))).status, 200)
    const deploy = { name: 'pi', path: 'typed_pi.py', className: 'estimate_pi', defaultContext: 'default' }
    assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', deploy))).status, 200)
    // What must not change: files, contexts, functions, artifacts, jobs.
    state = async () =>
      JSON.stringify({
        files: files(haze.dataDir).sort(),
        contexts: (await haze.json('/v2/api/contexts')).body,
        functions: (await haze.json('/v2/api/functions')).body,
        artifacts: (await haze.json('/v2/api/artifacts')).body,
        jobs: (await haze.json('/v2/api/jobs?paginate=true')).body,
      })
  })
  after(() => haze.close())

  const refused = async (what: string, request: () => Promise<{ status: number; body: unknown }>, status: number, detail: RegExp) => {
    const before = await state()
    const answer = await request()
    assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`)
    assert.match((answer.body as ProblemBody).detail, detail, what)
    assert.equal(await state(), before, `${what} left something behind`)
  }

  it('refuses JSON nested 10,000 deep, as a context and as job arguments', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
    await refused('deep context', () => haze.json('/v2/api/contexts', jsonBody('POST', `{"name":"deep","sparkConf":{"a":${deep}}}`)), 400, /sparkConf/)
    await refused('deep arguments', () => haze.json('/v2/api/functions/pi/jobs', jsonBody('POST', `{"samples":${deep}}`)), 400, /more than 500 levels deep/)
  })

  it('refuses a 100 MB body at its declared length, without reading it', async () => {
    const before = await state()
    const head = `POST /v2/api/contexts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * MiB}\r\n\r\n`
    const answer = await rawRequest(haze.url, head, repeat(Buffer.alloc(MiB, 0x20), 100 * MiB))
    assert.equal(answer?.status, 413)
    assert.match(answer.body, /larger than this server accepts/)
    assert.ok(answer.sent < 100 * MiB, `the client could send ${answer.sent} bytes`)
    assert.equal(await state(), before)
  })

  it('refuses a 100 MB chunked body once past the limit', async () => {
    const before = await state()
    const head = 'POST /v2/api/contexts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
    const chunk = Buffer.concat([Buffer.from(`${MiB.toString(16)}\r\n`), Buffer.alloc(MiB, 0x20), Buffer.from('\r\n')])
    const answer = await rawRequest(haze.url, head, repeat(chunk, 100 * chunk.length))
    assert.equal(answer?.status, 413)
    assert.ok(answer.sent < 100 * MiB, `the server read ${answer.sent} bytes`)
    assert.equal(await state(), before)
  })

  it('refuses a body that is not UTF-8', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"bad'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])
    await refused('invalid UTF-8', () => haze.json('/v2/api/contexts', { method: 'POST', headers: { 'content-type': 'application/json' }, body }), 400, /not valid UTF-8/)
  })

  it('refuses an upload cut off in the middle, and an upload over the limit, leaving no file', async () => {
    const boundary = 'haze-boundary'
    const part = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.py"\r\nContent-Type: text/x-python\r\n\r\n`
    const content = Buffer.alloc(200 * 1024, 0x61)
    const head = (length: number) =>
      `POST /v2/api/artifacts HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`
    const before = await state()
    // Half the declared body, then the client stops sending (half-close): the form never ends.
    const declared = part.length + content.length + `\r\n--${boundary}--\r\n`.length
    const cut = await rawRequest(haze.url, head(declared), [Buffer.from(part), content.subarray(0, content.length / 2)])
    assert.equal(cut?.status, 400, cut?.body)
    // The same, with the connection dropped: nobody to answer, and still nothing may stay.
    await rawRequest(haze.url, head(declared), [Buffer.from(part), content.subarray(0, content.length / 2)], 'destroy')
    await until(async () => (await state()) === before, 'the cut-off uploads to leave nothing behind')
    // Over the limit: refused as it streams, the partial file removed.
    const big = new Uint8Array(UPLOAD_LIMIT + 1024)
    await refused('over the limit', () => haze.json('/v2/api/artifacts', upload('big.py', big)), 413, /larger than the upload limit/)
    // A multipart body without its boundary.
    await refused(
      'no boundary',
      () => haze.json('/v2/api/artifacts', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' }),
      400,
      /multipart/,
    )
  })

  it('refuses names that would leave the data dir or break a log line', async () => {
    // (A line break cannot reach a multipart file name: it would end the part's header.)
    for (const name of ['../escape.py', '..\\escape.py', '/etc/passwd', '.hidden.py', 'tab\there.py']) {
      await refused(`upload ${JSON.stringify(name)}`, () => haze.json('/v2/api/artifacts', upload(name, 'x = 1\n')), 400, /invalid artifact name|no file in a field/)
    }
    // (A bare `..` segment never leaves the client: URLs are normalized before sending.)
    for (const path of ['..%2F..%2Fhaze.db', '%2Fetc%2Fpasswd', 'a%0Ab.py', '..%5C..%5Chaze.db']) {
      await refused(`GET ${path}`, () => haze.json(`/v2/api/artifacts/${path}`), 400, /invalid artifact name/)
    }
    for (const name of ['../x', 'x\nINFO forged', 'x\r', 'a..b', '']) {
      await refused(`context ${JSON.stringify(name)}`, () => haze.json('/v2/api/contexts', jsonBody('POST', { name })), 400, /invalid context name/)
      const deploy = { name, path: 'typed_pi.py', className: 'estimate_pi', defaultContext: 'default' }
      await refused(`function ${JSON.stringify(name)}`, () => haze.json('/v2/api/functions', jsonBody('POST', deploy)), 400, /invalid function name/)
    }
  })
})
