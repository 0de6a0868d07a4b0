/**
 * Every error leaves as JSON problem details (RFC 9457: `status`, `title`, `detail`), mapped
 * from one closed set of codes in one place. Stack traces go to the log, never to a client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { type ErrorCode, HazeError } from '../domain/errors.js'

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The HTTP status of an error code: the one place that decides it. */
export const statusOf = (code: ErrorCode): number => STATUS[code]

export interface Problem {
  status: number
  title: string
  detail: string
}

export function problem(status: number, detail: string): Problem {
  return { status, title: TITLES[status] ?? 'Error', detail }
}

/** What a 429 or 503 asks the client to wait before trying again. */
export const RETRY_AFTER_SECONDS = 5

/** Sent with every 401 (RFC 6750): the API takes bearer tokens. */
export const WWW_AUTHENTICATE = 'Bearer realm="haze"'

export function sendProblem(reply: FastifyReply, status: number, detail: string): FastifyReply {
  if (status === 401) void reply.header('www-authenticate', WWW_AUTHENTICATE)
  return reply.code(status).type('application/problem+json').send(problem(status, detail))
}

export function errorHandler(error: FastifyError | HazeError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const { status, detail } = describe(error)
  if (status >= 500) request.log.error({ err: error }, 'request failed')
  else request.log.info({ status, detail }, 'request refused')
  // A full queue, a shutdown, a store that cannot write: passing states, worth a retry.
  if (status === 429 || status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS))
  void sendProblem(reply, status, detail)
}

function describe(error: FastifyError | HazeError | Error): { status: number; detail: string } {
  if (error instanceof HazeError) return { status: statusOf(error.code), detail: error.message }
  const fastifyError = error as FastifyError
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'request'
    return { status: 400, detail: `invalid ${where}: ${describeValidation(fastifyError.validation, where)}` }
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
      return { status: 413, detail: 'the request body is larger than this server accepts' }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, detail: 'the request body is empty; send a JSON document' }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, detail: error.message }
  }
  const statusCode = fastifyError.statusCode
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, detail: error.message }
  }
  return { status: 500, detail: 'internal error; the Haze log has the details' }
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number] & { parentSchema?: unknown; data?: unknown }

/**
 * A schema may say in its own words why a value is refused: `x-refusal`, a sentence with `{}`
 * for the value as JSON, or `x-refusal-<keyword>` for one failed keyword (`x-refusal-maximum`).
 * The document's patterns and ranges then refuse with the same messages the code would.
 */
function refusalOf(issue: ValidationIssue): string | undefined {
  const schema = issue.parentSchema as Record<string, unknown> | undefined
  const template = schema?.[`x-refusal-${issue.keyword}`] ?? schema?.['x-refusal']
  if (typeof template !== 'string') return undefined
  return template.replace('{}', JSON.stringify(issue.data) ?? String(issue.data))
}

/**
 * One sentence per field. Ajv reports each branch of a nullable field's anyOf separately
 * ("must be integer", "must be null", "must match a schema in anyOf"); they are merged into
 * "maxJobs must be integer or null". A field whose schema has its own refusal says only that.
 */
function describeValidation(issues: readonly ValidationIssue[], where: string): string {
  const byField = new Map<string, string[]>()
  const refused = new Map<string, string>()
  for (const issue of issues) {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.')
    const missing = (issue.params as { missingProperty?: string }).missingProperty
    const field = missing !== undefined ? (path ? `${path}.${missing}` : missing) : path || where
    const refusal = missing === undefined ? refusalOf(issue) : undefined
    if (refusal !== undefined) {
      if (!refused.has(field)) refused.set(field, refusal)
      continue
    }
    const message = missing !== undefined ? 'is required' : (issue.message ?? 'is invalid')
    if (issue.keyword === 'anyOf' && (byField.get(field)?.length ?? 0) > 0) continue
    const messages = byField.get(field) ?? []
    messages.push(message)
    byField.set(field, messages)
  }
  const described = [...byField]
    .filter(([field]) => !refused.has(field) && ![...refused.keys()].some((f) => f.startsWith(`${field}.`)))
    .map(([field, messages]) => {
      const types = messages.filter((m) => m.startsWith('must be ')).map((m) => m.slice('must be '.length))
      const others = messages.filter((m) => !m.startsWith('must be '))
      const parts = [...(types.length > 0 ? [`must be ${types.join(' or ')}`] : []), ...others]
      return `${field} ${parts.join(', ')}`
    })
  return [...refused.values(), ...described].join('; ')
}
