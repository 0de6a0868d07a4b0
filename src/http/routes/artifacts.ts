/** Artifacts: upload (multipart field `file`), list, download, SHA-1, delete. */
import { extname } from 'node:path'
import { Type } from 'typebox'
import { HazeError } from '../../domain/errors.js'
import { checkArtifactName } from '../../domain/names.js'
import type { HazeApp, HttpDeps } from '../deps.js'
import { queryBoolean } from '../query.js'
import { ForceQuery, NameParams, Problem, QueryBoolean } from '../schemas.js'

const CONTENT_TYPES: Record<string, string> = {
  '.py': 'text/x-python; charset=utf-8',
  '.jar': 'application/java-archive',
  '.zip': 'application/zip',
  '.whl': 'application/zip',
  '.egg': 'application/zip',
}

const ArtifactDetails = Type.Object({
  name: Type.String(),
  size: Type.Integer({ description: 'Bytes' }),
  sha1: Type.String({ description: 'Lowercase hex' }),
  modified: Type.Integer({ description: 'Last written, epoch milliseconds' }),
})

/**
 * A multipart body that cannot be parsed (no boundary, cut off in the middle) is the client's
 * fault, whatever the parser throws: a 400 saying so. Errors that already carry a status
 * (limits, Haze's own) keep it.
 */
function unreadableUpload(error: unknown): Error {
  if (error instanceof HazeError) return error
  const { statusCode, message } = error as { statusCode?: number; message?: string }
  if (statusCode !== undefined && statusCode < 500) return error as Error
  // The disk's own errors (ENOSPC…) are the server's, not the body's.
  if (error instanceof Error && 'syscall' in error) return error
  return new HazeError(
    'bad_request',
    `the multipart body cannot be read (${message ?? String(error)}); send multipart/form-data with its boundary and the file in a field named "file"`,
    { cause: error },
  )
}

export function artifactRoutes(app: HazeApp, { artifacts, config }: HttpDeps): void {
  app.get(
    '/v2/api/artifacts',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'List artifact names; with details=true (Haze), each one with its size, SHA-1 and time',
        querystring: Type.Object({ details: Type.Optional(QueryBoolean('details', 'true: answer [{name, size, sha1, modified}]')) }),
        response: { 200: Type.Union([Type.Array(Type.String()), Type.Array(ArtifactDetails)]), 400: Problem },
      },
    },
    async (request) => {
      const names = await artifacts.list()
      if (!queryBoolean('details', request.query.details)) return names
      const infos = await Promise.all(names.map((name) => artifacts.info(name)))
      // A file deleted between the listing and its reading is simply left out.
      return infos.flatMap((info) => (info ? [{ name: info.name, size: info.size, sha1: info.sha1, modified: info.modified }] : []))
    },
  )

  app.post(
    '/v2/api/artifacts',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Upload an artifact (multipart/form-data, field "file"); answers the stored name',
        querystring: ForceQuery,
        consumes: ['multipart/form-data'],
        produces: ['text/plain'],
        response: { 200: Type.String(), 400: Problem, 409: Problem, 413: Problem, 415: Problem },
      },
    },
    async (request, reply) => {
      const force = queryBoolean('force', request.query.force)
      if (!request.isMultipart()) {
        throw new HazeError('unsupported_media_type', 'upload artifacts as multipart/form-data with the file in a field named "file"')
      }
      const part = await request.file({ limits: { fileSize: config.uploadLimit, files: 1 } }).catch((error: unknown) => {
        throw unreadableUpload(error)
      })
      if (!part || part.fieldname !== 'file' || !part.filename) {
        part?.file.resume()
        throw new HazeError('bad_request', 'the upload has no file in a field named "file" (with a filename)')
      }
      const name = checkArtifactName(part.filename)
      const tooLarge = () =>
        new HazeError('payload_too_large', `artifact ${JSON.stringify(name)} is larger than the upload limit of ${config.uploadLimit} bytes`)
      const saved = await artifacts
        .save(name, part.file, {
          force,
          beforeCommit: () => {
            if (part.file.truncated) throw tooLarge()
          },
        })
        .catch((error: Error & { code?: string }) => {
          throw error.code === 'FST_REQ_FILE_TOO_LARGE' ? tooLarge() : unreadableUpload(error)
        })
      request.log.info({ artifact: saved }, 'artifact stored')
      return reply.type('text/plain; charset=utf-8').send(saved.name)
    },
  )

  app.get(
    '/v2/api/artifacts/:name',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Download an artifact',
        produces: [...new Set([...Object.values(CONTENT_TYPES).map((type) => type.split(';')[0] ?? type), 'application/octet-stream'])],
        params: NameParams,
        response: { 200: Type.Unknown({ description: 'The file' }), 400: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const { stream, size } = await artifacts.open(request.params.name)
      return reply
        .type(CONTENT_TYPES[extname(request.params.name).toLowerCase()] ?? 'application/octet-stream')
        .header('content-length', size)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(request.params.name)}`)
        .send(stream)
    },
  )

  app.get(
    '/v2/api/artifacts/:name/sha',
    {
      schema: {
        tags: ['artifacts'],
        summary: "An artifact's SHA-1, as bare lowercase hex",
        produces: ['text/plain'],
        params: NameParams,
        response: { 200: Type.String(), 400: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const info = await artifacts.require(request.params.name)
      return reply.type('text/plain; charset=utf-8').send(info.sha1)
    },
  )

  app.delete(
    '/v2/api/artifacts/:name',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Delete an artifact; answers its name',
        produces: ['text/plain'],
        params: NameParams,
        response: { 200: Type.String(), 400: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      await artifacts.delete(request.params.name)
      return reply.type('text/plain; charset=utf-8').send(request.params.name)
    },
  )
}
