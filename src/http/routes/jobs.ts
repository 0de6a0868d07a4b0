/** Job history: all jobs, one function's, one worker's; and one job. Newest first. */
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { notFound } from '../../domain/errors.js'
import { jobDetailsJson } from '../../domain/job.js'
import type { JobQuery, JobStore } from '../../store/job-store.js'
import type { HazeApp, HttpDeps } from '../deps.js'
import { queryBoolean, queryCount, queryName, querySource, queryStatuses } from '../query.js'
import { FunctionParams, IdParams, JobDetails, JobList, JobListQuery, Problem } from '../schemas.js'

/** Job JSON is written by hand (see `jobDetailsJson`); these keep the documented shapes. */
const JobDetailsText = Type.Unsafe<string>(JobDetails)
const JobListText = Type.Unsafe<string>(JobList)

const DEFAULT_PAGE = 25
const MAX_PAGE = 10_000

/** As validated by `JobListQuery` (counts arrive as numbers). */
type ListQuery = { limit?: number; offset?: number; status?: string[]; paginate?: string; function?: string; context?: string; source?: string }

export function jobRoutes(app: HazeApp, { jobs }: HttpDeps): void {
  const listSchema = (summary: string) => ({
    tags: ['jobs'],
    summary,
    querystring: JobListQuery,
    response: { 200: JobListText, 400: Problem },
  })

  app.get('/v2/api/jobs', { schema: listSchema('List jobs') }, async (request, reply) =>
    sendList(reply, jobs, request.query as ListQuery, {}),
  )
  app.get(
    '/v2/api/functions/:id/jobs',
    { schema: { ...listSchema("List a function's jobs"), params: FunctionParams } },
    async (request, reply) => sendList(reply, jobs, request.query as ListQuery, { function: request.params.id }),
  )
  app.get(
    '/v2/api/workers/:id/jobs',
    { schema: { ...listSchema("List a worker's jobs (also of workers that are gone)"), params: IdParams } },
    async (request, reply) => sendList(reply, jobs, request.query as ListQuery, { workerId: request.params.id }),
  )

  app.get(
    '/v2/api/jobs/:id',
    {
      schema: { tags: ['jobs'], summary: 'One job', params: IdParams, response: { 200: JobDetailsText, 404: Problem } },
    },
    async (request, reply) => {
      const job = await jobs.get(request.params.id)
      if (!job) throw notFound(`job ${JSON.stringify(request.params.id)} not found`)
      return reply.type('application/json; charset=utf-8').send(jobDetailsJson(job))
    },
  )
}

async function sendList(
  reply: FastifyReply,
  jobs: JobStore,
  query: ListQuery,
  scope: Pick<JobQuery, 'function' | 'workerId'>,
): Promise<FastifyReply> {
  const paginate = queryBoolean('paginate', query.paginate)
  const page = await jobs.list({
    function: queryName('function', query.function),
    context: queryName('context', query.context),
    source: querySource(query.source),
    ...scope,
    limit: queryCount('limit', query.limit, DEFAULT_PAGE, MAX_PAGE),
    offset: queryCount('offset', query.offset, 0),
    statuses: queryStatuses(query.status),
    withTotal: paginate,
  })
  const list = `[${page.jobs.map(jobDetailsJson).join(',')}]`
  return reply
    .type('application/json; charset=utf-8')
    .send(paginate ? `{"jobs":${list},"total":${page.total ?? 0}}` : list)
}
