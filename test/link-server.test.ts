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
import { LINK_PATH, parseMessage } from '../src/workers/protocol.js'
import type { SparkWorker } from '../src/workers/spark-worker.js'

/** Stands in for a SparkWorker: records the sockets it is given. */
class Expected extends EventEmitter {
  readonly attached: WebSocket[] = []
  constructor(readonly id: string) {
    super()
  }
  attach(socket: WebSocket): void {
    this.attached.push(socket)
    this.emit('attached')
  }
}

const hello = (workerId: string, token: string) =>
  JSON.stringify({ type: 'hello', workerId, token, pid: 1, versions: { python: '3', pyspark: '4', worker: '0' } })

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

  it('checks frames against the schema: a worker may not send master messages or malformed ones', () => {
    assert.equal(parseMessage('{"type":"started","jobId":"j1","time":5}').type, 'started')
    assert.throws(() => parseMessage('{"type":"started","jobId":"j 1","time":5}'), /not a worker-link message/)
    assert.throws(() => parseMessage('{"type":"finished","jobId":"j1","time":5,"result":1}'), /not a worker-link message/)
    assert.throws(() => parseMessage('{"type":"shutdown"}'), /may not send shutdown/)
  })
})
