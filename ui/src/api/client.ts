/**
 * The typed API client: openapi-fetch over the types generated from /v2/api/openapi.json
 * (schema.ts). Every call answers its data, or throws an ApiError carrying the problem's
 * `detail`, which the pages show next to what caused it.
 */
import createClient from 'openapi-fetch'
import type { components, paths } from './schema.js'
import { authFetch, authHeaders, tokenRefused } from './token.js'

export const api = createClient<paths>({ baseUrl: '' })
api.use({
  onRequest({ request }) {
    for (const [name, value] of Object.entries(authHeaders())) request.headers.set(name, value)
    return request
  },
  async onResponse({ response }) {
    if (response.status === 401) tokenRefused(detailOf(await response.clone().json().catch(() => undefined), response))
    return response
  },
})

export type FunctionInfo = components['schemas']['FunctionInfo']
export type ContextConfig = components['schemas']['ContextConfig']
export type Job = paths['/v2/api/jobs/{id}']['get']['responses'][200]['content']['application/json']
export type Worker = paths['/v2/api/workers/{id}']['get']['responses'][200]['content']['application/json']
export type Status = paths['/v2/api/status']['get']['responses'][200]['content']['application/json']
export type JobStatus = Job['status']

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail)
  }
}

/** The data of an openapi-fetch answer, or an ApiError with the server's words. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: Awaited<typeof call>
  try {
    answer = await call
  } catch (error) {
    throw new ApiError(0, `the server cannot be reached (${(error as Error).message})`)
  }
  if (answer.response.ok) return answer.data as T
  throw new ApiError(answer.response.status, detailOf(answer.error, answer.response))
}

function detailOf(error: unknown, response: Response): string {
  if (typeof error === 'object' && error !== null && 'detail' in error && typeof error.detail === 'string') return error.detail
  if (typeof error === 'string' && error !== '') return error
  return `${response.status} ${response.statusText}`
}

/**
 * Starts a job of `fn` with `body`, the arguments' exact JSON text (a big integer stays whole,
 * which an object through JSON.stringify would not); answers the new job's id.
 */
export async function startJob(fn: string, query: URLSearchParams, body: string): Promise<string> {
  const search = query.size > 0 ? `?${query}` : ''
  const response = await authFetch(`/v2/api/functions/${encodeURIComponent(fn)}/jobs${search}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const answer = (await response.json()) as { id?: string; detail?: string }
  if (!response.ok || !answer.id) throw new ApiError(response.status, answer.detail ?? `${response.status} ${response.statusText}`)
  return answer.id
}
