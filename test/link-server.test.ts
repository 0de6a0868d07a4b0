/** The master's end of the worker link: who is admitted, and what a worker may say. */
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { WebSocket } from 'ws'
import { HazeError } from '../src/domain/errors.js'
import { routeUpgrades } from '../src/http/upgrades.js'
import { createLogger } from '../src/logger.js'
import { LinkServer } from '../src/workers/link-server.js'
import { LINK_PATH, parseMessage, PROTOCOL_VERSION, type WorkerLang } from '../src/workers/protocol.js'
import type { SparkWorker } from '../src/workers/spark-worker.js'

/** Stands in for a SparkWorker: records the sockets it is given, and why it was refused. */
class Expected extends EventEmitter {
  readonly attached: WebSocket[] = []
  readonly refused: string[] = []
  constructor(
    readonly id: string,
    readonly lang: WorkerLang = 'python',
  ) {
    super()
  }
  attach(socket: WebSocket): void {
    this.attached.push(socket)
    this.emit('attached')
  }
  refuse(reason: string): void {
    this.refused.push(reason)
  }
}

const hello = (workerId: string, token: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'hello', workerId, token, pid: 1, lang: 'python', protocolVersion: PROTOCOL_VERSION, versions: { python: '3', pyspark: '4', worker: '0' }, ...fields })

describe('the worker link server', () => {
  let server: Server
  let link: LinkServer
  let url: string
  before(async () => {
    server = createServer()
    link = new LinkServer(createLogger('silent'), 1024 * 1024)
    // An API gate that refuses everything: the link admits by its own one-time tokens only.
    routeUpgrades(server, [link.route], createLogger('silent'), () => {
      throw new HazeError('unauthorized', 'no API token')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${LINK_PATH}`
  })
  after(async () => {
    link.close()
    await new Promise((resolve) => server.close(resolve))
  })

  /**
   * Connects, sends `first`, and resolves with the close code, or 'open' once `worker` is
   * handed the link (the server admitted it); then the client closes.
   */
  const attempt = (first: string, worker?: Expected) =>
    new Promise<number | 'open'>((resolve, reject) => {
      const socket = new WebSocket(url)
      socket.on('error', reject)
      socket.on('open', () => socket.send(first))
      socket.on('close', (code) => resolve(code))
      worker?.once('attached', () => {
        socket.close()
        resolve('open')
      })
    })

  it('admits an expected worker once, by its one-time token', async () => {
    const worker = new Expected('w1')
    link.expect(worker as unknown as SparkWorker, 'secret-token')
    assert.equal(await attempt(hello('w1', 'wrong-token'), worker), 4001, 'a wrong token is refused')
    assert.equal(await attempt(hello('w1', 'secret-token'), worker), 'open')
    assert.equal(worker.attached.length, 1)
    assert.equal(await attempt(hello('w1', 'secret-token'), worker), 4001, 'a reused token is refused')
    assert.equal(worker.attached.length, 1)
  })

  it('refuses unknown workers and a first frame that is not a hello', async () => {
    assert.equal(await attempt(hello('nobody', 'x')), 4001)
    assert.equal(await attempt('{"type":"heartbeat","time":1}'), 4001)
    assert.equal(await attempt('not json'), 4001)
  })

  it('refuses a worker of another protocol version, failing its start with the reason', async () => {
    const worker = new Expected('w-old')
    link.expect(worker as unknown as SparkWorker, 'token-old')
    assert.equal(await attempt(hello('w-old', 'token-old', { protocolVersion: PROTOCOL_VERSION + 1 }), worker), 4003)
    assert.match(worker.refused.join('\n'), new RegExp(`protocol version ${PROTOCOL_VERSION + 1}, this master version ${PROTOCOL_VERSION}`))
  })

  it('refuses a worker of another language than was launched', async () => {
    const worker = new Expected('w-jvm', 'jvm')
    link.expect(worker as unknown as SparkWorker, 'token-jvm')
    assert.equal(await attempt(hello('w-jvm', 'token-jvm'), worker), 4003)
    assert.match(worker.refused.join('\n'), /it says it is a "python" worker, but a jvm worker was launched/)
  })

  it('admits a JVM worker saying so, with its own versions', async () => {
    const worker = new Expected('w-jvm-2', 'jvm')
    link.expect(worker as unknown as SparkWorker, 'token-jvm-2')
    const versions = { java: '17', scala: '2.13', spark: '4.3.0', worker: '0.1.0' }
    assert.equal(await attempt(hello('w-jvm-2', 'token-jvm-2', { lang: 'jvm', versions }), worker), 'open')
  })

  it('refuses a hello that does not fit the schema, saying so', async () => {
    const worker = new Expected('w-bad')
    link.expect(worker as unknown as SparkWorker, 'token-bad')
    assert.equal(await attempt(hello('w-bad', 'token-bad', { versions: { python: '3' } }), worker), 4003)
    assert.match(worker.refused.join('\n'), /its hello does not fit the worker-link schema/)
  })

  it('checks frames against the schema: a worker may not send master messages or malformed ones', () => {
    assert.equal(parseMessage('{"type":"started","jobId":"j1","time":5}').type, 'started')
    assert.throws(() => parseMessage('{"type":"started","jobId":"j 1","time":5}'), /not a worker-link message/)
    assert.throws(() => parseMessage('{"type":"finished","jobId":"j1","time":5,"result":1}'), /not a worker-link message/)
    assert.throws(() => parseMessage('{"type":"shutdown"}'), /may not send shutdown/)
  })
})
