/**
 * Finishes the OpenAPI document that @fastify/swagger builds from the route schemas, with what
 * every route shares and no route schema says (test/api-contract.test.ts holds the server to it):
 * - errors are `application/problem+json` (RFC 9457), never `application/json`;
 * - the answers any route may give: 400 for a bad parameter or body, 401/403 where a token is
 *   needed (only when tokens are configured), 413/415 for bodies, 500, and 503 while the store
 *   cannot write (a full disk, a locked database);
 * - the artifact upload's multipart body, which the route reads as a stream, not through a schema.
 */
import type { Access } from '../auth/policy.js'

type Json = Record<string, unknown>

interface Operation {
  parameters?: { in: string }[]
  requestBody?: unknown
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>
}

const PROBLEM_TYPE = 'application/problem+json'
const problemRef = { $ref: '#/components/schemas/Problem' }

const SHARED: Record<string, string> = {
  400: 'The request is invalid: the problem says which part and why',
  401: 'An API token is needed (only when the server has tokens): send Authorization: Bearer <token>',
  403: 'The API token lacks the role this needs, or the page is of an origin not allowed',
  413: 'The body is larger than the server accepts',
  415: 'The body is not of a media type this takes',
  500: 'An internal error; the Haze log has the details',
  503: 'The server cannot serve this now (starting, stopping, or its store is not writable); retry later',
}

export interface DocumentOptions {
  /** The problem-details schema every error refers to. */
  problem: Json
  /** Who may call a route, by its Fastify pattern (`/v2/api/jobs/:id`) and method. */
  accessOf(method: string, route: string): Access
}

export function refineDocument(document: Json, options: DocumentOptions): Json {
  const components = (document.components ??= {}) as { schemas?: Json }
  ;(components.schemas ??= {}).Problem = stripId(options.problem)
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>
  for (const [path, operations] of Object.entries(paths)) {
    const route = path.replace(/\{([^}]+)\}/g, ':$1')
    for (const [method, operation] of Object.entries(operations)) {
      const responses = (operation.responses ??= {})
      const takesInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody !== undefined
      const shared = [
        ...(takesInput ? ['400'] : []),
        ...(options.accessOf(method.toUpperCase(), route) === 'public' ? [] : ['401', '403']),
        ...(operation.requestBody !== undefined ? ['413', '415'] : []),
        '500',
        '503',
      ]
      for (const status of shared) responses[status] ??= { description: SHARED[status] ?? 'Error' }
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue
        response.content = { [PROBLEM_TYPE]: { schema: problemRef } }
      }
    }
  }
  const upload = paths['/v2/api/artifacts']?.post
  if (upload) {
    upload.requestBody = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['file'],
            properties: { file: { type: 'string', format: 'binary', description: 'The artifact; its file name is the name it is stored under' } },
          },
        },
      },
    }
    for (const status of ['413', '415']) upload.responses![status] ??= { description: SHARED[status]!, content: { [PROBLEM_TYPE]: { schema: problemRef } } }
  }
  return document
}

function stripId(schema: Json): Json {
  const { $id: _id, ...rest } = schema
  return rest
}
