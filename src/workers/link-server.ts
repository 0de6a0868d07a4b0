/**
 * The master's end of the worker link: a WebSocket endpoint on the API's HTTP server, at an
 * internal path. A worker is admitted once, by the one-time token it was started with; a
 * wrong, unknown or reused token is refused (close code 4001).
 */
import { timingSafeEqual } from 'node:crypto'
import { WebSocketServer, type WebSocket } from 'ws'
import type { UpgradeRoute } from '../http/upgrades.js'
import type { Logger } from '../logger.js'
import { frameText, helloMismatch, LINK_PATH, parseMessage } from './protocol.js'
import type { SparkWorker } from './spark-worker.js'

const HELLO_DEADLINE_MS = 10_000

export class LinkServer {
  private readonly expected = new Map<string, { token: string; worker: SparkWorker }>()
  private readonly wss: WebSocketServer

  constructor(
    private readonly log: Logger,
    maxPayload: number,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload })
  }

  /** The link's place among the API server's WebSocket upgrades. */
  readonly route: UpgradeRoute = {
    ownCredentials: true,
    match: (pathname) => (pathname === LINK_PATH ? {} : undefined),
    handle: (request, socket, head) => this.wss.handleUpgrade(request, socket, head, (ws) => this.admit(ws)),
  }

  /** Registers a worker about to start, with the token it will present. */
  expect(worker: SparkWorker, token: string): void {
    this.expected.set(worker.id, { token, worker })
    worker.once('exit', () => this.expected.delete(worker.id))
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate()
    this.wss.close()
  }

  private admit(ws: WebSocket): void {
    const deadline = setTimeout(() => ws.close(4001, 'no hello'), HELLO_DEADLINE_MS)
    ws.once('message', (data) => {
      clearTimeout(deadline)
      const text = frameText(data)
      const raw = helloFields(text)
      if (!raw) {
        ws.close(4001, 'the first frame must be a hello')
        return
      }
      const entry = this.expected.get(raw.workerId)
      if (!entry || !sameToken(entry.token, raw.token)) {
        this.log.warn({ workerId: raw.workerId }, 'refused a worker link: unknown worker or wrong token')
        ws.close(4001, 'unknown worker or wrong token')
        return
      }
      this.expected.delete(raw.workerId) // one-time
      // Version and language first: a worker of another Haze is told what differs.
      const mismatch = helloMismatch(raw.fields, entry.worker.lang)
      if (mismatch !== undefined) {
        this.log.error({ workerId: raw.workerId, lang: raw.fields.lang, protocolVersion: raw.fields.protocolVersion }, `refused a worker link: ${mismatch}`)
        ws.close(4003, mismatch.slice(0, 120))
        entry.worker.refuse(`its hello was refused: ${mismatch}`)
        return
      }
      try {
        parseMessage(text)
      } catch (error) {
        const reason = `its hello does not fit the worker-link schema (${(error as Error).message})`
        this.log.error({ workerId: raw.workerId }, `refused a worker link: ${reason}`)
        ws.close(4003, 'malformed hello')
        entry.worker.refuse(reason)
        return
      }
      entry.worker.attach(ws)
    })
  }
}

/** A hello's identity and fields, read before the schema check; undefined if it is no hello. */
function helloFields(text: string): { workerId: string; token: string; fields: Record<string, unknown> } | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const fields = value as Record<string, unknown>
  if (fields.type !== 'hello' || typeof fields.workerId !== 'string' || typeof fields.token !== 'string') return undefined
  return { workerId: fields.workerId, token: fields.token, fields }
}

function sameToken(expected: string, given: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
