/**
 * Whoever reaches this API can run code on the cluster, and a web page in a user's browser can
 * reach a server on the user's loopback. Browsers name the page's origin on cross-site
 * requests, so a request whose Origin is neither this server nor an allowed origin is refused
 * (403), and CORS headers are sent only to allowed origins. Requests without an Origin (curl,
 * mist-cli, other programs) are unaffected.
 */
import type { FastifyInstance } from 'fastify'
import { sendProblem } from './errors.js'

export function guardOrigins(app: FastifyInstance, allowed: readonly string[]): void {
  const allowAll = allowed.includes('*')
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin
    if (origin === undefined) return
    const sameOrigin = safeHost(origin) === request.headers.host
    const refusal = originRefusal(origin, request.headers.host, allowed)
    if (refusal !== undefined) return sendProblem(reply, 403, refusal)
    if (!sameOrigin) {
      void reply.header('access-control-allow-origin', allowAll ? '*' : origin).header('vary', 'Origin')
      if (request.method === 'OPTIONS') {
        return reply
          .code(204)
          .header('access-control-allow-methods', 'GET, POST, PUT, DELETE, HEAD, OPTIONS')
          .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? '')
          .send()
      }
    }
  })
}

/**
 * Why a request from a web page at `origin` is refused, or undefined if it is allowed: the
 * same check for HTTP requests and WebSocket upgrades.
 */
export function originRefusal(origin: string | undefined, host: string | undefined, allowed: readonly string[]): string | undefined {
  if (origin === undefined || safeHost(origin) === host || allowed.includes('*') || allowed.includes(origin)) return undefined
  return `requests from web pages at ${origin} are not allowed; add it to allowedOrigins in the config file to allow it`
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}
