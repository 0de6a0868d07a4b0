/**
 * Timed GET requests over one keep-alive connection, and latency percentiles.
 *
 * node:http with a keep-alive Agent rather than global fetch: undici's fetch adds its own
 * per-request work (WHATWG streams, header objects) to every figure, and the point here is
 * the server's time. The clock runs from sending the request to the last byte of the body.
 */
import { Agent, request } from 'node:http'

export interface TimedResponse {
  status: number
  body: string
  milliseconds: number
}

export class KeepAliveClient {
  /** One socket: requests are sequential, and a new connection would be timed too. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 })
  /** Connections opened; 1 after any number of requests proves keep-alive held. */
  connections = 0

  constructor(private readonly baseUrl: string) {}

  get(path: string): Promise<TimedResponse> {
    return new Promise((resolve, reject) => {
      const started = performance.now()
      const outgoing = request(new URL(path, this.baseUrl), { agent: this.agent }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', reject)
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            milliseconds: performance.now() - started,
          }),
        )
      })
      outgoing.on('socket', () => {
        if (!outgoing.reusedSocket) this.connections++
      })
      outgoing.on('error', reject)
      outgoing.end()
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
