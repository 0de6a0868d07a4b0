/**
 * The command line's way to the API: openapi-fetch typed by the types generated from the
 * master's own /v2/api/openapi.json (shared with the web UI), plus raw calls where the answer
 * must stay exact (job results with big integers) or is not JSON (logs, artifact uploads).
 * Every failure becomes a CliError: unreachable (exit 4) or refused with the server's detail (3).
 */
import createClient, { type Client } from 'openapi-fetch'
import { parse as parseLossless } from 'lossless-json'
import type { paths } from '../../ui/src/api/schema.js'
import { CliError, EXIT, RefusedError } from './errors.js'

export const DEFAULT_URL = 'http://127.0.0.1:2004'

export interface Connection {
  /** The master's base URL, without a trailing slash. */
  url: string
  token?: string | undefined
}

type Answer<T> = { data?: T; error?: unknown; response: Response }

export class HazeClient {
  readonly api: Client<paths>

  constructor(readonly connection: Connection) {
    this.api = createClient<paths>({
      baseUrl: connection.url,
      headers: this.headers(),
      fetch: (request) => this.fetch(request),
    })
  }

  /** The data of a typed call, or the CliError that says why there is none. */
  async data<T>(call: Promise<Answer<T>>): Promise<T> {
    const answer = await call
    if (answer.response.ok) return answer.data as T
    throw new RefusedError(answer.response.status, detailOf(answer.error, answer.response))
  }

  /** A request whose answer is read as text; refused answers become RefusedError. */
  async text(path: string, init: RequestInit = {}): Promise<string> {
    const response = await this.fetch(new Request(`${this.connection.url}${path}`, { ...init, headers: { ...this.headers(), ...init.headers } }))
    const text = await response.text()
    if (!response.ok) throw new RefusedError(response.status, detailOf(parseMaybe(text), response))
    return text
  }

  /** A JSON answer parsed without losing digits: big integers come back as LosslessNumber. */
  async exact(path: string, init: RequestInit = {}): Promise<unknown> {
    return parseLossless(await this.text(path, init))
  }

  /** The WebSocket URL of an event stream path, carrying the token as `?token=` (headers cannot). */
  socketUrl(path: string, query: Record<string, string> = {}): string {
    const url = new URL(`${this.connection.url}${path}`)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
    if (this.connection.token) url.searchParams.set('token', this.connection.token)
    return url.toString()
  }

  headers(): Record<string, string> {
    return this.connection.token ? { authorization: `Bearer ${this.connection.token}` } : {}
  }

  private async fetch(request: Request): Promise<Response> {
    try {
      return await fetch(request)
    } catch (error) {
      throw unreachable(this.connection.url, error)
    }
  }
}

export function unreachable(url: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  const why = cause?.code ?? cause?.message ?? (error as Error).message
  return new CliError(EXIT.unreachable, `cannot reach the Haze server at ${url} (${why}); start it with \`haze start\`, or point --url / HAZE_URL at it`, {
    cause: error,
  })
}

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** The server's own words: a problem's `detail`, a plain-text body, or the status line. */
export function detailOf(error: unknown, response: Response): string {
  if (typeof error === 'object' && error !== null && 'detail' in error && typeof error.detail === 'string') return error.detail
  if (typeof error === 'string' && error.trim() !== '') return error.trim().split('\n')[0] ?? error
  return `${response.status} ${response.statusText}`.trim()
}
