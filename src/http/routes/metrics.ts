/**
 * GET /metrics: this master's Prometheus metrics, in the text exposition format. It needs an
 * API token like every other route unless the config says `metrics.public: true`
 * (a scraper on a trusted network without credentials); the auth layer decides.
 */
import { Type } from 'typebox'
import type { HazeApp, HttpDeps } from '../deps.js'

export function metricsRoutes(app: HazeApp, { metrics }: HttpDeps): void {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['status'],
        summary: 'Prometheus metrics (text format): jobs, workers, HTTP, store, event stream, process',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }) },
      },
    },
    async (_request, reply) => {
      const text = await metrics.metrics()
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text)
    },
  )
}
