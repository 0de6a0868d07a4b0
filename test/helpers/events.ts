/**
 * Event subscribers for tests: a WebSocket client that keeps every frame it receives, and
 * waits on them with a bound; and the checks every subscriber's view of a job must pass.
 */
import assert from 'node:assert/strict'
import { WebSocket, type ClientOptions } from 'ws'
import { until } from './wait.js'

export interface Frame {
  event: string
  id?: string
  time?: number
  [field: string]: unknown
}

export interface EventClient {
  readonly frames: Frame[]
  /** The frames' texts as received (numbers exact). */
  readonly texts: string[]
  readonly socket: WebSocket
  /** Resolves with the first frame (from the start) that matches, within `ms`. */
  next(match: (frame: Frame) => boolean, what: string, ms?: number): Promise<Frame>
  /** Frames about one job, in arrival order. */
  of(jobId: string): Frame[]
  /** Resolves with the close code and reason, once closed. */
  readonly closed: Promise<{ code: number; reason: string }>
  close(): Promise<void>
}

/**
 * Opens a WebSocket to `path` of the server at `baseUrl` (http://…, or https://… for wss://
 * with `options.ca`); resolves once open.
 */
export async function openEvents(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
  options: Pick<ClientOptions, 'ca'> = {},
): Promise<EventClient> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, { ...options, headers })
  const frames: Frame[] = []
  const texts: string[] = []
  socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8')
    texts.push(text)
    frames.push(JSON.parse(text) as Frame)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)))
  })
  return {
    frames,
    texts,
    socket,
    closed,
    next: (match, what, ms = 30_000) => until(() => frames.find(match), what, ms),
    of: (jobId) => frames.filter((frame) => frame.id === jobId),
    async close() {
      if (socket.readyState === socket.CLOSED) return
      socket.close()
      await closed
    },
  }
}

/** The status code an upgrade to `path` is answered with, and the body's detail. */
export function refusedUpgrade(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; detail: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, { headers })
    socket.once('open', () => {
      socket.close()
      reject(new Error(`the upgrade to ${path} was accepted`))
    })
    socket.once('error', () => undefined)
    socket.once('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, detail: (JSON.parse(body) as { detail: string }).detail }))
    })
  })
}

/** Mist's lifecycle event names, in the order a job that ran normally goes through them. */
export const NORMAL_RUN = ['initialized', 'queued', 'worker-assigned', 'job-file-downloading', 'started', 'finished'] as const

/** The lifecycle events (not logs, not keep-alive) a subscriber saw for one job, in order. */
export function lifecycle(frames: readonly Frame[], jobId: string): string[] {
  return frames.filter((frame) => frame.id === jobId && frame.event !== 'logs').map((frame) => frame.event)
}

/** Checks the fields of Mist's frames for a finished job, as Mist's UI reads them. */
export function assertMistFrames(frames: readonly Frame[], jobId: string, fn: string, context: string): void {
  const byEvent = new Map(frames.filter((frame) => frame.id === jobId).map((frame) => [frame.event, frame]))
  const initialized = byEvent.get('initialized')
  const keys = Object.keys(initialized ?? {}).filter((key) => key !== 'externalId')
  assert.deepEqual(keys.sort(), ['context', 'event', 'function', 'id', 'params'], 'initialized has exactly Mist\'s fields')
  assert.equal(initialized?.function, fn)
  assert.equal(initialized?.context, context)
  assert.deepEqual(Object.keys(byEvent.get('queued') ?? {}).sort(), ['event', 'id'])
  assert.equal(typeof byEvent.get('worker-assigned')?.workerId, 'string')
  for (const event of ['job-file-downloading', 'started', 'finished']) {
    assert.equal(typeof byEvent.get(event)?.time, 'number', `${event} carries its time`)
  }
  assert.ok('result' in (byEvent.get('finished') ?? {}), 'finished carries the result')
}
