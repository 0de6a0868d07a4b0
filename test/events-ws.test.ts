/**
 * The WebSocket event stream's own rules, on a real master over real sockets: which upgrades
 * are served and which refused, keep-alive, Haze's worker and context frames, a slow client
 * closed while the master stays bounded, and shutdown closing every socket with a reason.
 * Jobs on real Spark, seen through the stream, are in e2e-events.test.ts.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { WebSocket } from 'ws'
import { jsonBody, startHaze, type TestHaze } from './helpers/haze.js'
import { openEvents, refusedUpgrade, type EventClient } from './helpers/events.js'
import { until } from './helpers/wait.js'

describe('the WebSocket event stream', () => {
  let haze: TestHaze
  const clients: EventClient[] = []
  const open = async (path: string, headers?: Record<string, string>) => {
    const client = await openEvents(haze.url, path, headers)
    clients.push(client)
    return client
  }
  before(async () => {
    haze = await startHaze({ allowedOrigins: ['http://trusted.example'], wsKeepAlive: 300, wsBufferLimit: 64 * 1024 })
  })
  after(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await haze.close()
  })

  it('answers an upgrade to a path it does not serve with 404', async () => {
    const refused = await refusedUpgrade(haze.url, '/v2/api/ws/nothing')
    assert.equal(refused.status, 404)
    assert.match(refused.detail, /no WebSocket at \/v2\/api\/ws\/nothing; the event streams are \/v2\/api\/ws\/all/)
  })

  it('answers a plain GET of a stream path with 404, as Mist does', async () => {
    assert.equal((await haze.api('/v2/api/ws/all')).status, 404)
  })

  it('serves all four stream paths: Mist real ones and its documented ones', async () => {
    for (const path of ['/v2/api/ws/all', '/v2/api/ws']) {
      const client = await open(path)
      assert.equal(client.socket.readyState, client.socket.OPEN, path)
    }
  })

  it('refuses an upgrade for a job that does not exist, on both job paths', async () => {
    for (const path of ['/v2/api/ws/jobs/no-such-job', '/v2/api/jobs/no-such-job/ws']) {
      const refused = await refusedUpgrade(haze.url, path)
      assert.deepEqual(refused, { status: 404, detail: 'job "no-such-job" not found' }, path)
    }
  })

  it('refuses a withLogs that is not a boolean', async () => {
    const refused = await refusedUpgrade(haze.url, '/v2/api/ws/all?withLogs=maybe')
    assert.deepEqual(refused, { status: 400, detail: 'query parameter withLogs must be true or false; got "maybe"' })
  })

  it('refuses web pages of other origins, as for HTTP requests', async () => {
    const refused = await refusedUpgrade(haze.url, '/v2/api/ws/all', { origin: 'http://evil.example' })
    assert.equal(refused.status, 403)
    assert.match(refused.detail, /requests from web pages at http:\/\/evil\.example are not allowed/)
  })

  it('admits an allowed origin and its own', async () => {
    const trusted = await open('/v2/api/ws/all', { origin: 'http://trusted.example' })
    assert.equal(trusted.socket.readyState, trusted.socket.OPEN)
    const own = await open('/v2/api/ws/all', { origin: haze.url })
    assert.equal(own.socket.readyState, own.socket.OPEN)
  })

  it('sends Mist\'s keep-alive after a silence', async () => {
    const client = await open('/v2/api/ws/all?withLogs=false')
    const frame = await client.next((f) => f.event === 'keep-alive', 'a keep-alive', 5000)
    assert.deepEqual(frame, { event: 'keep-alive' })
  })

  it('sends context frames to a subscriber that asks for them', async () => {
    const client = await open('/v2/api/ws/all?withContexts=true')
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', { name: 'seen', maxJobs: 3 }))).status, 200)
    const changed = await client.next((f) => f.event === 'context-changed', 'a context-changed frame')
    assert.equal((changed.context as { maxJobs: number; name: string }).maxJobs, 3)
    assert.equal(((await haze.api('/v2/api/contexts/seen', { method: 'DELETE' })).status), 200)
    const deleted = await client.next((f) => f.event === 'context-deleted', 'a context-deleted frame')
    assert.equal(deleted.name, 'seen')
  })

  it('sends no context frames to a subscriber that did not ask', async () => {
    const client = await open('/v2/api/ws/all')
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', { name: 'unseen' }))).status, 200)
    // A keep-alive comes only after a silence: once it is there, nothing else was sent.
    await client.next((f) => f.event === 'keep-alive', 'a keep-alive after the change', 5000)
    assert.deepEqual(client.frames.map((f) => f.event).filter((event) => event !== 'keep-alive'), [])
  })

  it('closes a client that reads too slowly, and holds no more than its bound for it', async () => {
    const slow = await open('/v2/api/ws/all?withLogs=true')
    const raw = (slow.socket as WebSocket & { _socket: import('node:net').Socket })._socket
    raw.pause()
    const before = haze.server.sockets.size
    const line = { level: 'INFO' as const, time: Date.now(), source: 'stdout', message: 'x'.repeat(16 * 1024) }
    // Events far beyond what the kernel's socket buffers absorb, until the master gives up on it.
    await until(
      () => {
        for (let i = 0; i < 200; i++) haze.server.bus.publish('job:logs', { jobId: 'synthetic', lines: [line], fileOffset: i })
        return haze.server.sockets.slowClosed === 1
      },
      'the slow client to be closed',
      20_000,
    )
    raw.resume()
    const closed = await slow.closed
    assert.equal(closed.code, 1008)
    assert.match(closed.reason, /^too slow: over 65536 bytes of events waiting/)
    await until(() => haze.server.sockets.size === before - 1, 'the master to forget the slow client')
  })
})

describe('shutting down with subscribers connected', () => {
  it('closes every event socket with a reason, and does not wait for clients to leave', async () => {
    const haze = await startHaze()
    const client = await openEvents(haze.url, '/v2/api/ws/all')
    await haze.close()
    const closed = await client.closed
    assert.deepEqual(closed, { code: 1001, reason: 'Haze is shutting down' })
  })
})
