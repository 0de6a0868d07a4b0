/**
 * The access decision for one request, the same for HTTP routes and WebSocket upgrades: which
 * rule applies (policy.ts), who presents what (an API token or a worker's credential), and
 * whether that is enough. A refusal is a HazeError whose message says what to send instead.
 */
import { HazeError, forbidden } from '../domain/errors.js'
import { rolesMeeting, roleAllows } from '../domain/roles.js'
import type { Logger } from '../logger.js'
import { ruleFor, type Rule } from './policy.js'
import type { Caller, TokenSet } from './tokens.js'
import { WorkerCredentials } from './worker-credentials.js'

/**
 * What a worker credential opens: the artifacts of its jobs, and storing a result over
 * `resultLimit` (the route checks the job is the worker's own); nothing else.
 */
const WORKER_ROUTES: Record<string, readonly string[]> = {
  '/v2/api/artifacts/:name': ['GET', 'HEAD'],
  '/internal/workers/results/:id': ['PUT'],
}

export interface Admission {
  rule: Rule
  /** The token's owner; absent for public routes, workers, and when no token is configured. */
  caller?: Caller
  /** The worker whose credential was presented. */
  worker?: string
}

export interface GateOptions {
  publicMetrics: boolean
}

export class Gate {
  constructor(
    private readonly tokens: TokenSet,
    private readonly workers: WorkerCredentials,
    private readonly options: GateOptions,
    private readonly log: Logger,
  ) {}

  /** True when API tokens are configured and requests must carry one. */
  get enabled(): boolean {
    return this.tokens.enabled
  }

  /** The worker whose valid credential `presented` is, whether or not API tokens are on. */
  workerOf(presented: string | undefined): string | undefined {
    return presented !== undefined && WorkerCredentials.claims(presented) ? this.workers.verify(presented) : undefined
  }

  /**
   * Admits a request to `route` (Fastify's pattern; undefined if none matched) presenting
   * `presented` (the bearer token, if any), or throws the refusal, which names `path`.
   */
  admit(method: string, route: string | undefined, presented: string | undefined, path = route ?? 'this path'): Admission {
    const rule = ruleFor(method, route, this.options)
    if (!this.tokens.enabled || rule.access === 'public') return { rule }
    const where = `${method} ${path}`
    if (presented === undefined) {
      throw new HazeError('unauthorized', 'this Haze requires an API token: send the header "Authorization: Bearer <token>" (a WebSocket may add ?token=<token> to its URL)')
    }
    if (WorkerCredentials.claims(presented)) {
      const worker = this.workers.verify(presented)
      if (worker === undefined) {
        this.log.warn({ method, route }, 'refused a worker credential that this master did not issue, or that was revoked')
        throw new HazeError('unauthorized', 'this worker credential is not valid: it was not issued by this master, or its worker has exited')
      }
      if (route === undefined || !WORKER_ROUTES[route]?.includes(method)) {
        this.log.warn({ worker, method, route }, 'refused a worker credential outside artifact downloads and result uploads')
        throw forbidden(`a worker credential only downloads artifacts and stores its jobs' results; ${where} needs an API token`)
      }
      return { rule, worker }
    }
    const caller = this.tokens.identify(presented)
    if (caller === undefined) {
      this.log.warn({ method, route }, 'refused a request with an unknown API token')
      throw new HazeError('unauthorized', 'the API token is not valid; ask whoever runs this Haze for one')
    }
    if (!roleAllows(caller.role, rule.access)) {
      this.log.warn({ token: caller.name, role: caller.role, method, route, needs: rule.access }, 'refused a request above its token\'s role')
      throw forbidden(`token "${caller.name}" has role ${caller.role}; ${where} needs role ${rolesMeeting(rule.access)}`)
    }
    return { rule, caller }
  }
}

