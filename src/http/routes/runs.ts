/** Running jobs: submit (async or synchronous with force=true), cancel, logs. */
import { Type } from 'typebox'
import { notFound } from '../../domain/errors.js'
import { routineLog } from '../../execution/job-journal.js'
import { jobDetailsJson, type JobRecord } from '../../domain/job.js'
import type { HazeApp, HttpDeps } from '../deps.js'
import { queryBoolean, queryDuration, queryString } from '../query.js'
import { FunctionParams, IdParams, JobDetails, Problem, QueryBoolean, QueryDuration } from '../schemas.js'

const RunQuery = Type.Object({
  force: Type.Optional(QueryBoolean('force', 'true: answer {"success", "payload", "errors"} when the job ends')),
  context: Type.Optional(Type.String({ description: "Run in this context instead of the function's defaultContext" })),
  externalId: Type.Optional(Type.String({ description: 'A label of yours, stored with the job' })),
  startTimeout: Type.Optional(QueryDuration('startTimeout', 'Longest wait for a worker: "10s", "500ms", "5min", "Inf" (default)')),
  performTimeout: Type.Optional(QueryDuration('performTimeout', 'Longest run once on a worker: "10s", "5min", "Inf" (default)')),
})

const JobResult = Type.Object(
  { success: Type.Boolean(), payload: Type.Unknown(), errors: Type.Array(Type.String()) },
  { description: 'Mist JobResult: payload is the result, or {} on failure' },
)

/** A finished job's result, or its error, in Mist's JobResult shape; the result text spliced verbatim. */
export function jobResultJson(job: JobRecord): string {
  if (job.status === 'finished') return `{"success":true,"payload":${job.result ?? 'null'},"errors":[]}`
  const error = job.result === undefined ? `Job ${job.status}` : (JSON.parse(job.result) as unknown)
  return JSON.stringify({ success: false, payload: {}, errors: [typeof error === 'string' ? error : JSON.stringify(error)] })
}

export function runRoutes(app: HazeApp, { executor, logs, jobs }: HttpDeps): void {
  app.post(
    '/v2/api/functions/:id/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Run a function: the body is its arguments object',
        description:
          'Arguments are checked against the function before any job exists (400 naming each bad one). ' +
          'Answers {"id"} at once, or with force=true the JobResult when the job ends.',
        params: FunctionParams,
        querystring: RunQuery,
        body: Type.Record(Type.String(), Type.Unknown(), { description: 'Argument name → value' }),
        response: {
          200: Type.Union([Type.Object({ id: Type.String() }), Type.Unsafe<string>(JobResult)]),
          400: Problem,
          404: Problem,
          429: Type.Unsafe<unknown>({ ...Problem, description: "The context's queue is full (queueLimit): retry after Retry-After seconds" }),
          503: Problem,
        },
      },
    },
    async (request, reply) => {
      const force = queryBoolean('force', request.query.force)
      const run = await executor.submit({
        functionName: request.params.id,
        argumentsText: request.rawBody ?? '{}',
        context: queryString('context', request.query.context),
        externalId: queryString('externalId', request.query.externalId),
        startTimeout: queryDuration('startTimeout', request.query.startTimeout),
        performTimeout: queryDuration('performTimeout', request.query.performTimeout),
        source: 'Http',
        startedBy: request.admission?.caller?.name,
      })
      if (!force) return { id: run.record.jobId }
      const ended = await run.ended
      return reply.type('application/json; charset=utf-8').send(jobResultJson(ended))
    },
  )

  app.delete(
    '/v2/api/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a job; answers it once cancelled (a finished job is answered unchanged)',
        params: IdParams,
        response: { 200: Type.Unsafe<string>(JobDetails), 404: Problem },
      },
    },
    async (request, reply) => {
      const job = await executor.cancel(request.params.id)
      return reply.type('application/json; charset=utf-8').send(jobDetailsJson(job))
    },
  )

  app.get(
    '/v2/api/jobs/:id/logs',
    {
      schema: {
        tags: ['jobs'],
        summary: "A job's log: lines LEVEL DATE [source] message; empty until it logs",
        produces: ['text/plain'],
        params: IdParams,
        response: { 200: Type.String(), 404: Problem },
      },
    },
    async (request, reply) => {
      const job = await jobs.get(request.params.id)
      if (!job) throw notFound(`job ${JSON.stringify(request.params.id)} not found`)
      // A job that logged nothing but its routine lines has no file: they are told from its record.
      const text = (await logs.read(job.jobId)) || routineLog(job)
      return reply.type('text/plain; charset=utf-8').send(text)
    },
  )
}
