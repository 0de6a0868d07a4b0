/**
 * A job's result as a body of its own: GET /v2/api/jobs/:id/result streams a result stored over
 * `resultLimit` (or answers a small one, which `jobResult` holds inline); and the worker's side,
 * PUT /internal/workers/results/:id, where a worker streams such a result in. Neither ever
 * holds a result whole: bytes go between the socket and the file in chunks.
 */
import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import { conflict, forbidden, HazeError, notFound } from '../../domain/errors.js'
import { bearerToken } from '../../auth/tokens.js'
import { isResultReference, RESULT_MEDIA_TYPES } from '../../results/result-files.js'
import type { ResultFormat } from '../../workers/protocol.js'
import type { HazeApp, HttpDeps } from '../deps.js'
import { IdParams, Problem } from '../schemas.js'

export const RESULT_UPLOAD_ROUTE = '/internal/workers/results/:id'

export function resultRoutes(app: HazeApp, { jobs, executor, gate, results }: HttpDeps): void {
  app.get(
    '/v2/api/jobs/:id/result',
    {
      schema: {
        tags: ['jobs'],
        summary: "A finished job's result, streamed with its size",
        description:
          'The result as its own body, with Content-Length: a result over resultLimit (its jobResult is then ' +
          '{"location", "size", "format"}) streamed from the file it is stored in, as application/json, or ' +
          'application/x-ndjson (one row object per line) for a DataFrame; a smaller one as the JSON text jobResult holds. ' +
          '409 while the job has not finished (or when it failed: its reason is in jobResult).',
        produces: ['application/json', 'application/x-ndjson'],
        params: IdParams,
        response: {
          200: Type.Unknown({ description: 'The result: one JSON document, or JSON lines (format jsonl)' }),
          404: Problem,
          409: Problem,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      const job = await jobs.get(id)
      if (!job) throw notFound(`job ${JSON.stringify(id)} not found`)
      if (job.status !== 'finished') {
        throw conflict(
          job.status === 'failed' || job.status === 'cancelled'
            ? `job ${JSON.stringify(id)} is ${job.status}: it has no result; GET /v2/api/jobs/${id} says why in jobResult`
            : `job ${JSON.stringify(id)} is ${job.status}: its result is here once it has finished`,
        )
      }
      if (!isResultReference(id, job.result)) {
        const text = job.result ?? 'null'
        return reply
          .type('application/json; charset=utf-8')
          .header('content-length', Buffer.byteLength(text))
          .send(text)
      }
      const file = await results.open(id)
      if (!file) {
        throw notFound(
          `the result of job ${JSON.stringify(id)} is no longer on this master: its file in ${results.directory} was removed (job retention) or is on another master's disk`,
        )
      }
      return reply.type(RESULT_MEDIA_TYPES[file.format]).header('content-length', file.size).send(file.stream)
    },
  )

  // The worker's upload: the body is read here as a stream, never by the JSON body parser.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
    scope.put(RESULT_UPLOAD_ROUTE, { schema: { hide: true, params: IdParams } }, async (request, reply) => {
      const { id } = request.params as { id: string }
      const worker = request.admission?.worker ?? gate.workerOf(bearerToken(request.headers.authorization))
      if (worker === undefined) throw forbidden('only a worker stores a result, with its own credential')
      if (!executor.acceptsResult(id, worker)) {
        throw conflict(`job ${JSON.stringify(id)} is not running on worker ${worker}; its result is not taken`)
      }
      const format = formatOf(request.headers['content-type'])
      let size: number
      try {
        size = await results.receive(id, format, request.body as Readable)
      } catch (error) {
        // The worker broke off (a cancel, its exit): its job says why, not this upload.
        if (request.raw.readableAborted || BROKEN_OFF.has((error as NodeJS.ErrnoException).code ?? '')) throw error
        const reason = `the master could not store the result of job ${id} in ${results.directory}: ${(error as Error).message}`
        executor.resultNotStored(id, worker, reason)
        // Closed after the answer: the worker stops sending a result nobody keeps.
        void reply.header('connection', 'close')
        throw new HazeError('internal', reason, { cause: error })
      }
      // The job may have ended (cancelled, timed out) while its result was coming in.
      if (!executor.acceptsResult(id, worker)) {
        await results.remove(id)
        throw conflict(`job ${JSON.stringify(id)} ended while its result was being stored; the result was dropped`)
      }
      return reply.send({ size })
    })
  })
}

/** How a body that stopped coming shows (the worker's side ended the upload). */
const BROKEN_OFF = new Set(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED'])

function formatOf(contentType: string | undefined): ResultFormat {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
  if (type === RESULT_MEDIA_TYPES.jsonl) return 'jsonl'
  if (type === RESULT_MEDIA_TYPES.json) return 'json'
  throw new HazeError('unsupported_media_type', `a result is ${RESULT_MEDIA_TYPES.json} or ${RESULT_MEDIA_TYPES.jsonl}, not ${contentType ?? 'without a Content-Type'}`)
}
