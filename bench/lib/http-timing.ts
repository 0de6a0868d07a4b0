/**
 * Timed requests over keep-alive connections (one, unless asked for more), and latency
 * percentiles.
 *
 * node:http with a keep-alive Agent rather than global fetch: undici's fetch adds its own
 * per-request work (WHATWG streams, header objects) to every figure, and the point here is
 * the server's time. The clock runs from sending the request to the last byte of the body.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http'

export interface TimedResponse {
  status: number
  body: string
  milliseconds: number
  /** When the request was sent, in epoch milliseconds (sub-millisecond), to line it up with the store's times. */
  sentAt: number
  headers: IncomingHttpHeaders
}

export class KeepAliveClient {
  /**
   * One socket by default: requests are sequential, and a new connection would be timed too.
   * A load generator asks for more and keeps each one busy.
   */
  private readonly agent: Agent
  /** Connections opened; `maxSockets` after any number of requests proves keep-alive held. */
  connections = 0

  constructor(
    private readonly baseUrl: string,
    maxSockets = 1,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets })
  }

  get(path: string): Promise<TimedResponse> {
    return this.send('GET', path)
  }

  /** A POST with a JSON body, as Mist's clients send one. */
  post(path: string, json: string): Promise<TimedResponse> {
    return this.send('POST', path, json)
  }

  private send(method: string, path: string, json?: string): Promise<TimedResponse> {
    const headers = json === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }
    return new Promise((resolve, reject) => {
      const started = performance.now()
      const outgoing = request(new URL(path, this.baseUrl), { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', reject)
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            milliseconds: performance.now() - started,
            sentAt: performance.timeOrigin + started,
            headers: response.headers,
          }),
        )
      })
      outgoing.on('socket', () => {
        if (!outgoing.reusedSocket) this.connections++
      })
      outgoing.on('error', reject)
      outgoing.end(json)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

export interface Latency {
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

/** Nearest-rank percentiles, in milliseconds. */
export function summarize(milliseconds: readonly number[]): Latency {
  const sorted = [...milliseconds].sort((a, b) => a - b)
  const rank = (fraction: number): number => sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? NaN
  return {
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  }
}
