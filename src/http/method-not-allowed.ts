/**
 * 405 Method Not Allowed, with `Allow`, for a path that exists under other methods (RFC 9110):
 * `TRACE /v2/api/status` is not "nothing here". Fastify answers unmatched methods through the
 * not-found handler, so the routes' patterns are kept here to tell the two apart.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendProblem } from './errors.js'

interface RoutePattern {
  regex: RegExp
  methods: Set<string>
}

export interface MethodIndex {
  /** The methods some route serves at this concrete path (`/v2/api/jobs/abc`), sorted; empty if none. */
  allowed(path: string): string[]
  /** The answer to a request no route matched: 405 with `Allow` if the path exists, else 404. */
  answer(request: FastifyRequest, reply: FastifyReply): FastifyReply
}

/** Call before routes are added: it watches them being registered. */
export function indexRouteMethods(app: FastifyInstance): MethodIndex {
  const patterns = new Map<string, RoutePattern>()
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    const entry = patterns.get(route.url) ?? { regex: patternRegex(route.url), methods: new Set<string>() }
    for (const method of methods) entry.methods.add(method.toUpperCase())
    patterns.set(route.url, entry)
  })
  return {
    allowed(path) {
      const methods = new Set<string>()
      for (const { regex, methods: served } of patterns.values()) {
        if (regex.test(path)) for (const method of served) methods.add(method)
      }
      return [...methods].sort()
    },
    answer(request, reply) {
      const path = request.url.split('?')[0] ?? ''
      const allowed = this.allowed(path)
      if (allowed.length === 0) return sendProblem(reply, 404, `nothing at ${request.method} ${path}; see /docs for the API`)
      void reply.header('allow', allowed.join(', '))
      return sendProblem(reply, 405, `${path} does not take ${request.method}; it takes ${allowed.join(', ')}`)
    },
  }
}

/** `/v2/api/jobs/:id` → one non-empty segment per parameter; `/ui/*` → anything below. */
function patternRegex(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*'
      if (segment.startsWith(':')) return '[^/]+'
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  return new RegExp(`^${escaped}$`)
}
