/**
 * Who may call what: the one table of the API's routes that need more than `read`, with the
 * audit action each change is recorded as. Routes are named as Fastify registers them
 * (`/v2/api/contexts/:id`), so a rule is found by the route a request matched, never by
 * matching URLs a second time.
 *
 * Anything not listed needs `read` if it only reads (GET, HEAD) and `admin` otherwise, so a
 * route added without a rule is never more open than read-only.
 */
import type { Role } from '../domain/roles.js'

/** `public`: no token needed. */
export type Access = Role | 'public'

export interface Rule {
  access: Access
  /** The audit trail's name for a successful call, e.g. `function.delete`. */
  audit?: string
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

const RULES: Record<string, Partial<Record<Method, Rule>>> = {
  // Probes and the web UI's static files (the same for everybody, no data in them): the UI
  // must load to ask for a token.
  '/health': { GET: { access: 'public' } },
  '/ready': { GET: { access: 'public' } },
  '/': { GET: { access: 'public' } },
  '/ui': { GET: { access: 'public' } },
  '/ui/*': { GET: { access: 'public' } },

  '/v2/api/functions/:id/jobs': { POST: { access: 'run' } },
  '/v2/api/jobs/:id': { DELETE: { access: 'run', audit: 'job.cancel' } },

  '/v2/api/artifacts': { POST: { access: 'deploy', audit: 'artifact.upload' } },
  '/v2/api/artifacts/:name': { DELETE: { access: 'deploy', audit: 'artifact.delete' } },
  '/v2/api/functions': {
    POST: { access: 'deploy', audit: 'function.create' },
    PUT: { access: 'deploy', audit: 'function.update' },
  },
  '/v2/api/functions/:id': { DELETE: { access: 'deploy', audit: 'function.delete' } },
  '/v2/api/contexts': { POST: { access: 'deploy', audit: 'context.create' } },
  '/v2/api/contexts/:id': {
    PUT: { access: 'deploy', audit: 'context.update' },
    DELETE: { access: 'deploy', audit: 'context.delete' },
  },

  '/v2/api/workers/:id': { DELETE: { access: 'admin', audit: 'worker.stop' } },
  '/v2/api/audit': { GET: { access: 'admin' } },
}

const READ: Rule = { access: 'read' }
const ADMIN: Rule = { access: 'admin' }
const PUBLIC: Rule = { access: 'public' }

/**
 * The rule for a request. `route` is the matched route's pattern (undefined when nothing
 * matched: such a request needs `read`, so an unknown path tells a stranger nothing).
 */
export function ruleFor(method: string, route: string | undefined, options: { publicMetrics: boolean }): Rule {
  // CORS preflights carry no credentials, by the browser's rules; the origin guard answers them.
  if (method === 'OPTIONS') return PUBLIC
  const reads = method === 'GET' || method === 'HEAD'
  if (route === '/metrics' && reads && options.publicMetrics) return PUBLIC
  const rule = route === undefined ? undefined : RULES[route]?.[(method === 'HEAD' ? 'GET' : method) as Method]
  return rule ?? (reads ? READ : ADMIN)
}

/** Every rule, for the README's table and the tests that check each refusal. */
export function listRules(): { route: string; method: string; rule: Rule }[] {
  return Object.entries(RULES).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, rule]) => ({ route, method, rule })),
  )
}
