/**
 * Builds the HTTP application: body parsing, validation, errors, the browser-origin guard,
 * OpenAPI, and every route.
 */
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify'
import multipart from '@fastify/multipart'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Ajv } from 'ajv'
import type { Logger } from '../logger.js'
import { parseAllBodiesAsJson } from './body.js'
import type { HazeApp, HttpDeps } from './deps.js'
import { errorHandler } from './errors.js'
import { HazeError } from '../domain/errors.js'
import { guardOrigins } from './origins.js'
import { indexRouteMethods } from './method-not-allowed.js'
import { refineDocument } from './api-document.js'
import { Problem } from './schemas.js'
import { ruleFor } from '../auth/policy.js'
import { guardApi } from '../auth/http.js'
import { auditChanges } from '../auth/audit.js'
import { redactUrl } from '../auth/tokens.js'
import { lingerOnEarlyAnswers } from './linger.js'
import { auditRoutes } from './routes/audit.js'
import { httpsOptions } from './tls.js'
import { artifactRoutes } from './routes/artifacts.js'
import { contextRoutes } from './routes/contexts.js'
import { functionRoutes } from './routes/functions.js'
import { jobRoutes } from './routes/jobs.js'
import { resultRoutes } from './routes/results.js'
import { runRoutes } from './routes/runs.js'
import { workerRoutes } from './routes/workers.js'
import { statusRoutes } from './routes/status.js'
import { uiRoutes } from './routes/ui.js'
import { healthRoutes } from './routes/health.js'
import { metricsRoutes } from './routes/metrics.js'
import { httpMetrics } from '../metrics/http.js'
import { HAZE_VERSION } from '../status.js'

/** JSON bodies are the size of configs and job arguments; artifacts go through multipart. */
const JSON_BODY_LIMIT = 16 * 1024 * 1024

export async function buildApp(deps: HttpDeps, log: Logger): Promise<HazeApp> {
  const app = Fastify({
    // Without the widening, Fastify types every route's logger as pino's own Logger, which
    // no longer matches the FastifyBaseLogger that plugins and HazeApp are typed with.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: JSON_BODY_LIMIT,
    // One access line per request instead of Fastify's two (see the onResponse hook).
    logController: new LogController({ disableRequestLogging: () => true }),
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 1000 },
    // With TLS the one port speaks only TLS: the API, the event streams and the worker link.
    https: deps.config.tls ? httpsOptions(deps.config.tls) : null,
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Bodies are checked as sent: a string is not a number. Query strings are text by nature
  // and are parsed by `query.ts`, so only arrays are coerced (a single `status` is a list of one).
  // verbose: each error carries its schema and value, for the schemas' own refusals (errors.ts).
  const bodyAjv = new Ajv({ allErrors: true, verbose: true, coerceTypes: false, useDefaults: false, removeAdditional: false, strict: false })
  const queryAjv = new Ajv({ allErrors: true, verbose: true, coerceTypes: 'array', strict: false })
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema),
  )

  httpMetrics(app, deps.metrics)
  lingerOnEarlyAnswers(app)
  app.addHook('onResponse', async (request, reply) => {
    const quiet = request.method === 'GET' && reply.statusCode < 400
    request.log[quiet ? 'debug' : 'info'](
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        token: request.admission?.caller?.name,
      },
      'request',
    )
  })
  const methods = indexRouteMethods(app)
  // A request no route matched can fail in body parsing before the not-found handler (QUERY
  // without a Content-Type): it is answered as unmatched, 404 or 405, never as a bad body.
  // Refusals of the caller (401, 403) stay what they are: they tell a stranger nothing.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const refusal = error.statusCode === 401 || error.statusCode === 403 || (error instanceof HazeError && ['unauthorized', 'forbidden'].includes(error.code))
    if (request.is404 && !refusal) methods.answer(request, reply)
    else errorHandler(error, request, reply)
  })
  app.setNotFoundHandler((request, reply) => methods.answer(request, reply))
  // `/v2/api/functions/` matches `/v2/api/functions/:id` with an empty id: that is no resource.
  app.addHook('preValidation', async (request, reply) => {
    const params = request.params as Record<string, unknown> | undefined
    // A wildcard's empty rest (`/ui/` for `/ui/*`) is a path of its own, not a missing id.
    if (params && Object.entries(params).some(([name, value]) => name !== '*' && value === '')) return methods.answer(request, reply)
  })
  guardOrigins(app, deps.config.allowedOrigins)
  // After the origin guard (a foreign page is refused whatever it sends) and before any body is read.
  guardApi(app, deps.gate)
  auditChanges(app, deps.audit)
  parseAllBodiesAsJson(app)
  // preservePath: see the client's file name as sent, so a path in it is refused rather than stripped.
  await app.register(multipart, { throwFileSizeLimit: true, preservePath: true, limits: { fileSize: deps.config.uploadLimit, files: 1 } })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Haze',
        version: HAZE_VERSION,
        description:
          "Haze runs Spark functions as a service. It speaks Hydrosphere Mist's v2 API: Mist's clients work unchanged. " +
          'Errors are RFC 9457 problem details.',
      },
      tags: [
        { name: 'artifacts', description: 'Files holding functions' },
        { name: 'functions', description: 'Deployed entry points' },
        { name: 'contexts', description: 'Spark settings and worker policy' },
        { name: 'jobs', description: 'Invocations and their history' },
        { name: 'workers', description: 'Spark driver processes' },
        { name: 'status', description: 'Versions and health' },
      ],
    },
    // Shared schemas are components named by their $id (FunctionInfo, not def-0): the typed
    // client (ui/src/api/schema.ts) and other generators name their types after them.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transformObject: (document) =>
      refineDocument(('openapiObject' in document ? document.openapiObject : document.swaggerObject) as Record<string, unknown>, {
        problem: Problem as unknown as Record<string, unknown>,
        accessOf: (method, route) => ruleFor(method, route, { publicMetrics: deps.config.metrics.public }).access,
      }),
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/v2/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  artifactRoutes(app, deps)
  functionRoutes(app, deps)
  contextRoutes(app, deps)
  jobRoutes(app, deps)
  resultRoutes(app, deps)
  runRoutes(app, deps)
  workerRoutes(app, deps)
  statusRoutes(app, deps)
  auditRoutes(app, deps.audit)
  healthRoutes(app, deps)
  metricsRoutes(app, deps)
  uiRoutes(app)
  return app
}
