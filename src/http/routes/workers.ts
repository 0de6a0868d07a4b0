/** Live workers: list, one (with its context and its jobs), stop. History is under /workers/{id}/jobs. */
import { Type } from 'typebox'
import { contextToJson } from '../../domain/context.js'
import { formatBodyDuration } from '../../domain/duration.js'
import { notFound } from '../../domain/errors.js'
import { jobDetailsJson } from '../../domain/job.js'
import type { Worker } from '../../workers/worker.js'
import type { HazeApp, HttpDeps } from '../deps.js'
import { ContextConfig, IdParams, JobDetails, Problem } from '../schemas.js'

const WorkerLink = Type.Object(
  {
    name: Type.String({ description: 'The worker id (as in JobDetails.workerId)' }),
    address: Type.String(),
    sparkUi: Type.Optional(Type.String()),
    initInfo: Type.Record(Type.String(), Type.Unknown()),
    context: Type.String(),
    lang: Type.Union([Type.Literal('python'), Type.Literal('jvm')], { description: "Haze's: the worker's language (python runs Python functions, jvm Java and Scala ones)" }),
    state: Type.String({ description: 'starting, ready, stopping, or spare: ready and never given a job (the context\'s spareWorkers)' }),
    pid: Type.Optional(Type.Integer()),
    startTime: Type.Integer(),
  },
  { description: "Mist's WorkerLink, plus Haze's context, state, pid and start time" },
)

/** Written by hand, as job JSON is (`jobDetailsJson`); this keeps the documented shape. */
const WorkerDetailsText = Type.Unsafe<string>(
  Type.Object(
    { ...WorkerLink.properties, contextConfig: ContextConfig, jobs: Type.Array(JobDetails, { description: 'Its jobs now' }) },
    { description: 'A worker, its context settings and the jobs on it now' },
  ),
)

export function workerRoutes(app: HazeApp, deps: HttpDeps): void {
  const { executor, config } = deps
  const link = (worker: Worker) => {
    const master = new URL(deps.masterUrl())
    return {
      name: worker.id,
      address: `pid ${worker.info.pid ?? '?'}@${master.hostname}`,
      ...(worker.info.sparkUi ? { sparkUi: worker.info.sparkUi } : {}),
      initInfo: {
        sparkConf: worker.context.sparkConf,
        maxJobs: worker.capacity,
        downtime: formatBodyDuration(worker.context.downtime),
        streamingDuration: formatBodyDuration(worker.context.streamingDuration),
        logService: master.host,
        masterAddress: master.host,
        masterHttpConf: master.host,
        maxArtifactSize: config.uploadLimit,
        runOptions: worker.context.runOptions,
      },
      context: worker.context.name,
      lang: worker.lang,
      state: executor.isSpare(worker) ? 'spare' : worker.state,
      ...(worker.info.pid !== undefined ? { pid: worker.info.pid } : {}),
      startTime: worker.info.startTime,
    }
  }
  const find = (id: string) => {
    const worker = executor.workers().find((candidate) => candidate.id === id)
    if (!worker) throw notFound(`worker ${JSON.stringify(id)} not found; GET /v2/api/workers lists the live ones`)
    return worker
  }

  app.get(
    '/v2/api/workers',
    { schema: { tags: ['workers'], summary: 'Live workers', response: { 200: Type.Array(WorkerLink) } } },
    async () => executor.workers().filter((worker) => worker.state !== 'exited').map(link),
  )

  app.get(
    '/v2/api/workers/:id',
    {
      schema: {
        tags: ['workers'],
        summary: 'One live worker, with its context settings and the jobs on it now',
        params: IdParams,
        response: { 200: WorkerDetailsText, 404: Problem },
      },
    },
    async (request, reply) => {
      const worker = find(request.params.id)
      const body = JSON.stringify({ ...link(worker), contextConfig: contextToJson(worker.context) })
      const jobs = `[${executor.jobsOn(worker.id).map(jobDetailsJson).join(',')}]`
      return reply.type('application/json; charset=utf-8').send(`${body.slice(0, -1)},"jobs":${jobs}}`)
    },
  )

  app.delete(
    '/v2/api/workers/:id',
    {
      schema: {
        tags: ['workers'],
        summary: 'Stop a worker now; its running jobs fail saying so',
        produces: ['text/plain'],
        params: IdParams,
        response: { 200: Type.String(), 404: Problem },
      },
    },
    async (request, reply) => {
      await executor.stopWorker(request.params.id)
      return reply.type('text/plain; charset=utf-8').send('')
    },
  )
}
