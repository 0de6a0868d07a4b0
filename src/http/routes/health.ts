/**
 * Probes for load balancers and orchestrators:
 * - GET /health: the process answers HTTP (liveness; restart it if not).
 * - GET /ready: this master takes jobs now (readiness; send it traffic only then). It is 503
 *   while starting (until the jobs a previous master left are resolved), from the first
 *   moment of a shutdown (so a load balancer drains it while running jobs finish), and while
 *   the store does not answer.
 */
import { Type } from 'typebox'
import { coerceError } from '../../domain/errors.js'
import type { HazeApp, HttpDeps } from '../deps.js'
import { sendProblem } from '../errors.js'
import { Problem } from '../schemas.js'

/**
 * Where a master is in its life; `server.ts` moves it forward, never back. `standby`: another
 * master holds the active lock on the shared PostgreSQL store (src/ha/active-lock.ts).
 */
export type Lifecycle = 'standby' | 'starting' | 'serving' | 'stopping'

export const STANDBY_REASON =
  'this Haze is a standby: another master is active on the shared PostgreSQL store, and this one takes over when it stops; send requests to the active master'

export interface HealthSource {
  lifecycle(): Lifecycle
  /** Resolves once the store answered a trivial query; rejects with the store's error. */
  pingStore(): Promise<void>
}

const Healthy = Type.Object({ status: Type.Literal('ok') }, { description: 'The process answers' })
const Ready = Type.Object({ status: Type.Literal('ready') }, { description: 'This master takes jobs now' })

export function healthRoutes(app: HazeApp, { health, executor }: HttpDeps): void {
  /** Why this master should not get traffic now, or undefined if it should. */
  const unready = async (): Promise<string | undefined> => {
    const phase = health.lifecycle()
    if (phase === 'standby') return STANDBY_REASON
    if (phase === 'stopping' || (phase === 'serving' && !executor.acceptsJobs)) {
      return 'Haze is shutting down: running jobs are finishing and no new ones are taken; send requests to another master'
    }
    if (phase === 'starting' || !executor.recovered) {
      return 'Haze is starting: it takes jobs once the jobs a previous master left unfinished are resolved; try again in a moment'
    }
    try {
      await health.pingStore()
    } catch (error) {
      return `the store does not answer (${coerceError(error).message}); the Haze log may say why`
    }
    return undefined
  }

  app.get(
    '/health',
    {
      schema: {
        tags: ['status'],
        summary: 'Liveness: 200 while the process answers',
        response: { 200: Healthy },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store')
      return { status: 'ok' as const }
    },
  )

  app.get(
    '/ready',
    {
      schema: {
        tags: ['status'],
        summary: 'Readiness: 200 while this master takes jobs; 503 while starting, shutting down or without its store',
        response: { 200: Ready, 503: Problem },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store')
      const reason = await unready()
      if (reason !== undefined) return sendProblem(reply, 503, reason)
      return { status: 'ready' as const }
    },
  )
}
