/**
 * Follows one job's events over the WebSocket stream (`/v2/api/ws/jobs/{id}`), until the job
 * ends. The server sends the job's current state first, so a job that ended before we
 * subscribed is seen at once. A dropped connection is opened again (a bounded number of times,
 * backing off); a refused upgrade (401, 403, 404) is the server saying no, with its reason.
 */
import WebSocket from 'ws'
import { unreachable, type HazeClient } from './client.js'
import { RefusedError } from './errors.js'

export const TERMINAL = new Set(['finished', 'failed', 'cancelled'])

/** A frame as Mist sends it: flat JSON with `event`; the fields used here are typed. */
export interface JobFrame {
  event: string
  id?: string
  time?: number
  workerId?: string
  error?: string
  events?: Array<{ from: string; message: string; timeStamp: number; level: number }>
  fileOffset?: number
}

export interface FollowOptions {
  withLogs?: boolean
  onFrame(frame: JobFrame): void
}

const RECONNECTS = 5

/** Resolves with the terminal frame once the job has ended. */
export async function followJob(client: HazeClient, jobId: string, options: FollowOptions): Promise<JobFrame> {
  let failures = 0
  for (;;) {
    try {
      const ended = await followOnce(client, jobId, options)
      if (ended) return ended
    } catch (error) {
      if (error instanceof RefusedError || failures >= RECONNECTS) throw error
    }
    failures += 1
    await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** failures))
  }
}

/** One connection: the terminal frame, or undefined if the connection closed before it. */
function followOnce(client: HazeClient, jobId: string, options: FollowOptions): Promise<JobFrame | undefined> {
  const url = client.socketUrl(`/v2/api/ws/jobs/${encodeURIComponent(jobId)}`, options.withLogs ? { withLogs: 'true' } : {})
  const socket = new WebSocket(url, { headers: client.headers() })
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (outcome: () => void) => {
      if (settled) return
      settled = true
      outcome()
    }
    socket.on('unexpected-response', (_request, response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => {
        const detail = detailText(body) ?? `the event stream was refused (${response.statusCode ?? 'no status'})`
        settle(() => reject(new RefusedError(response.statusCode ?? 0, detail)))
        socket.terminate()
      })
    })
    socket.on('message', (data) => {
      let frame: JobFrame
      try {
        frame = JSON.parse((data as Buffer).toString('utf8')) as JobFrame
      } catch {
        return // a frame we cannot read is not worth stopping for
      }
      if (frame.event === 'keep-alive') return
      options.onFrame(frame)
      if (TERMINAL.has(frame.event)) {
        settle(() => resolve(frame))
        socket.close(1000)
      }
    })
    socket.on('error', (error) => settle(() => reject(unreachable(client.connection.url, error))))
    socket.on('close', () => settle(() => resolve(undefined)))
  })
}

function detailText(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { detail?: unknown }
    if (typeof parsed.detail === 'string') return parsed.detail
  } catch {
    // not JSON: the text itself, if any
  }
  return body.trim() === '' ? undefined : body.trim().split('\n')[0]
}
