/**
 * HTTP request latency by route pattern (`/v2/api/jobs/:id`), never the raw URL: job ids and
 * query strings would make a new series per request. Requests that match no route share one
 * label value. WebSocket upgrades are not requests Fastify answers, so they are not counted
 * here (see haze_event_stream_subscribers).
 */
import { Histogram } from 'prom-client'
import type { HazeApp } from '../http/deps.js'
import { BUCKETS, type Registry } from './registry.js'

/** The `route` label of requests no route matched (answered 404 by the not-found handler). */
export const UNMATCHED_ROUTE = '(unmatched)'

export function httpMetrics(app: HazeApp, registry: Registry): void {
  const latency = new Histogram({
    name: 'haze_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending its answer, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: BUCKETS.http,
    registers: [registry],
  })
  app.addHook('onResponse', async (request, reply) => {
    latency.observe(
      { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    )
  })
}
