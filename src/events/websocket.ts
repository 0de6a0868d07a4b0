/**
 * The event stream over WebSocket, as Mist serves it (and the UI and scripts use it):
 * - `/v2/api/ws/all` (and the documented `/v2/api/ws`): every job's events;
 * - `/v2/api/ws/jobs/{id}` (and `/v2/api/jobs/{id}/ws`): one job's events.
 * `withLogs=true` adds `logs` frames; Haze's `withWorkers=true` and `withContexts=true` add
 * worker and context frames. Frames are Mist's (see frames.ts), one per text message;
 * `{"event":"keep-alive"}` after `keepAlive` of silence; client messages are ignored.
 *
 * Beyond Mist:
 * - A subscriber to one job first receives the job's current state (its terminal event at
 *   once if it has ended), so a fast job is never missed; an unknown job is a 404.
 * - A client that reads too slowly cannot make the master's memory grow: once more than
 *   `bufferLimit` bytes wait for it, it gets no more frames and is closed with the reason.
 * - The browser-origin guard applies to upgrades as to requests.
 * - Shutdown closes every socket with a reason.
 */
import type { IncomingMessage } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import { forbidden, HazeError, notFound } from '../domain/errors.js'
import { isTerminal, type JobRecord } from '../domain/job.js'
import type { Duration } from '../domain/duration.js'
import { originRefusal } from '../http/origins.js'
import { queryBoolean } from '../http/query.js'
import type { UpgradeRoute } from '../http/upgrades.js'
import type { Logger } from '../logger.js'
import type { EventBus } from './bus.js'
import { contextFrame, currentStateFrame, jobEventFrame, KEEP_ALIVE_FRAME, logsFrame, workerFrame } from './frames.js'

export interface EventSocketSettings {
  /** Silence after which a keep-alive frame is sent. */
  keepAlive: Duration
  /** Bytes that may wait to be sent to one client before it is closed as too slow. */
  bufferLimit: number
  allowedOrigins: readonly string[]
}

/** How the stream learns where a job stands. */
export interface JobLookup {
  /** The job as stored. */
  get(jobId: string): Promise<JobRecord | undefined>
  /**
   * The job as the executor holds it now, if it is running through this master. It already
   * reflects every event published for the job: the executor publishes right after updating it.
   */
  live(jobId: string): JobRecord | undefined
}

type FrameKind = 'job' | 'logs' | 'worker' | 'context'

interface Filter {
  jobId?: string | undefined
  withLogs: boolean
  withWorkers: boolean
  withContexts: boolean
}

/** Close codes: 1001 going away (shutdown), 1008 policy (too slow). */
const GOING_AWAY = 1001
const TOO_SLOW = 1008
/** How long a closed client has to read its close frame before its connection is cut. */
const CLOSE_GRACE_MS = 2000

class Subscriber {
  lastSent = Date.now()
  closing = false
  /** While its first state is being read: frames that arrived meanwhile, with their sequence number. */
  pending: { seq: number; kind: FrameKind; frame: string }[] | undefined = []

  constructor(
    readonly ws: WebSocket,
    readonly filter: Filter,
    private readonly limit: number,
    private readonly onOverflow: (subscriber: Subscriber) => void,
  ) {}

  wants(kind: FrameKind): boolean {
    if (kind === 'logs') return this.filter.withLogs
    if (kind === 'worker') return this.filter.withWorkers && this.filter.jobId === undefined
    if (kind === 'context') return this.filter.withContexts && this.filter.jobId === undefined
    return true
  }

  offer(seq: number, kind: FrameKind, frame: string): void {
    if (this.pending) this.pending.push({ seq, kind, frame })
    else this.send(frame)
  }

  send(frame: string): void {
    if (this.closing) return
    if (this.ws.bufferedAmount + frame.length > this.limit) {
      this.onOverflow(this)
      return
    }
    this.lastSent = Date.now()
    this.ws.send(frame)
  }

  close(code: number, reason: string): Promise<void> {
    this.closing = true
    return new Promise((resolve) => {
      if (this.ws.readyState === this.ws.CLOSED) return resolve()
      const cut = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS)
      this.ws.once('close', () => {
        clearTimeout(cut)
        resolve()
      })
      this.ws.close(code, reason)
    })
  }
}

export class EventSockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false })
  private readonly all = new Set<Subscriber>()
  private readonly byJob = new Map<string, Set<Subscriber>>()
  /** Counts bus events, so a subscriber's first state can be told apart from what came before it. */
  private seq = 0
  private readonly keepAliveTimer: NodeJS.Timeout
  private closed = false
  /** Slow clients closed since start. */
  slowClosed = 0

  constructor(
    bus: EventBus,
    private readonly jobs: JobLookup,
    private readonly settings: EventSocketSettings,
    private readonly log: Logger,
    /** False until restart recovery is done: a job's first state is only sure after it. */
    private readonly accepting: () => boolean,
  ) {
    bus.on('job:event', (event) => this.dispatch(event.job.jobId, 'job', () => jobEventFrame(event)))
    bus.on('job:logs', (event) => this.dispatch(event.jobId, 'logs', () => logsFrame(event)))
    for (const name of ['worker:started', 'worker:ready', 'worker:exited'] as const) {
      bus.on(name, (payload) => this.dispatch(undefined, 'worker', () => workerFrame(name, payload)))
    }
    for (const name of ['context:changed', 'context:deleted'] as const) {
      bus.on(name, (payload) => this.dispatch(undefined, 'context', () => contextFrame(name, payload)))
    }
    const tick = Math.max(10, Math.min(settings.keepAlive / 4, 5000))
    this.keepAliveTimer = setInterval(() => this.keepAlive(), tick)
    this.keepAliveTimer.unref()
  }

  /** Subscribers now connected. */
  get size(): number {
    return this.everyone().length
  }

  /** Every job's stream (Mist's path and its documented one), then one job's (both again). */
  readonly routes: UpgradeRoute[] = [
    exact('/v2/api/ws/all'),
    exact('/v2/api/ws'),
    pattern(/^\/v2\/api\/ws\/jobs\/([^/]+)$/),
    pattern(/^\/v2\/api\/jobs\/([^/]+)\/ws$/),
  ].map((match) => ({ match, handle: (request, socket, head, params, url) => this.upgrade(request, socket, head, url, params.id) }))

  /** Closes every socket with the reason; resolves once all are closed. */
  async close(reason: string): Promise<void> {
    this.closed = true
    clearInterval(this.keepAliveTimer)
    await Promise.all(this.everyone().map((subscriber) => subscriber.close(GOING_AWAY, reason)))
    this.wss.close()
  }

  private async upgrade(request: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer, url: URL, jobId?: string): Promise<void> {
    const refusal = originRefusal(request.headers.origin, request.headers.host, this.settings.allowedOrigins)
    if (refusal !== undefined) throw forbidden(refusal)
    if (this.closed) throw new HazeError('unavailable', 'Haze is shutting down')
    if (!this.accepting()) throw new HazeError('unavailable', 'Haze is starting; connect again in a moment')
    const filter: Filter = {
      jobId,
      withLogs: flag(url, 'withLogs'),
      withWorkers: flag(url, 'withWorkers'),
      withContexts: flag(url, 'withContexts'),
    }
    if (jobId !== undefined && !this.jobs.live(jobId) && !(await this.jobs.get(jobId))) {
      throw notFound(`job ${JSON.stringify(jobId)} not found`)
    }
    if (this.closed) throw new HazeError('unavailable', 'Haze is shutting down')
    this.wss.handleUpgrade(request, socket, head, (ws) => void this.subscribe(ws, filter))
  }

  private async subscribe(ws: WebSocket, filter: Filter): Promise<void> {
    const subscriber = new Subscriber(ws, filter, this.settings.bufferLimit, (slow) => this.tooSlow(slow))
    ws.on('error', (error) => this.log.debug({ err: error }, 'an event subscriber failed'))
    ws.on('close', () => this.remove(subscriber))
    ws.on('message', () => undefined)
    const { jobId } = filter
    if (jobId === undefined) {
      subscriber.pending = undefined
      this.all.add(subscriber)
      return
    }
    // Subscribed first, then the state read: whatever happens in between is kept in `pending`.
    let set = this.byJob.get(jobId)
    if (!set) this.byJob.set(jobId, (set = new Set()))
    set.add(subscriber)
    const stored = await this.jobs.get(jobId).catch(() => undefined)
    const live = this.jobs.live(jobId)
    const seenUpTo = this.seq
    const current = live ?? stored
    const pending = subscriber.pending ?? []
    subscriber.pending = undefined
    if (current) subscriber.send(currentStateFrame(current))
    for (const { seq, kind, frame } of pending) {
      // The live record already reflects every job event published before it was read; a
      // terminal job has no later job events. Log lines are never part of the first state.
      const reflected = kind === 'job' && ((live !== undefined && seq <= seenUpTo) || (current !== undefined && isTerminal(current.status)))
      if (!reflected) subscriber.send(frame)
    }
  }

  private dispatch(jobId: string | undefined, kind: FrameKind, frame: () => string): void {
    this.seq += 1
    let text: string | undefined
    const offer = (subscriber: Subscriber) => {
      if (!subscriber.wants(kind)) return
      text ??= frame()
      subscriber.offer(this.seq, kind, text)
    }
    for (const subscriber of this.all) offer(subscriber)
    if (jobId !== undefined) {
      const set = this.byJob.get(jobId)
      if (set) for (const subscriber of set) offer(subscriber)
    }
  }

  private tooSlow(subscriber: Subscriber): void {
    if (subscriber.closing) return
    this.slowClosed += 1
    const limit = this.settings.bufferLimit
    this.log.warn({ jobId: subscriber.filter.jobId, bufferLimit: limit }, 'closed an event subscriber that reads too slowly')
    void subscriber.close(TOO_SLOW, `too slow: over ${limit} bytes of events waiting; reconnect and read GET /v2/api/jobs`)
  }

  private remove(subscriber: Subscriber): void {
    this.all.delete(subscriber)
    const { jobId } = subscriber.filter
    if (jobId === undefined) return
    const set = this.byJob.get(jobId)
    set?.delete(subscriber)
    if (set?.size === 0) this.byJob.delete(jobId)
  }

  private everyone(): Subscriber[] {
    return [...this.all, ...[...this.byJob.values()].flatMap((set) => [...set])]
  }

  private keepAlive(): void {
    const silentSince = Date.now() - this.settings.keepAlive
    for (const subscriber of this.everyone()) {
      if (!subscriber.pending && subscriber.lastSent <= silentSince) subscriber.send(KEEP_ALIVE_FRAME)
    }
  }
}

function exact(path: string): UpgradeRoute['match'] {
  return (pathname) => (pathname === path ? {} : undefined)
}

function pattern(regex: RegExp): UpgradeRoute['match'] {
  return (pathname) => {
    const id = regex.exec(pathname)?.[1]
    if (id === undefined) return undefined
    try {
      return { id: decodeURIComponent(id) }
    } catch {
      return undefined
    }
  }
}

function flag(url: URL, name: string): boolean {
  return queryBoolean(name, url.searchParams.get(name) ?? undefined)
}
