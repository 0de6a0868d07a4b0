/**
 * Results over `resultLimit`, one file per job under `<dataDir>/results/`: `<jobId>.json` (one
 * JSON document) or `<jobId>.jsonl` (a DataFrame's rows, one object per line). A worker streams
 * the file in (PUT /internal/workers/results/:id); GET /v2/api/jobs/:id/result streams it out.
 * The master never holds one whole: bytes go from the socket to the disk and back in chunks.
 *
 * A file appears only complete: it is written as `<name>.partial` and renamed when the upload
 * ended cleanly. What the job record says (`location`, `size`, `format`) is the job's
 * `jobResult`; the file is its body, deleted with the job (`remove`).
 */
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs'
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { JobRecord } from '../domain/job.js'
import type { ResultFile, ResultFormat } from '../workers/protocol.js'

export const RESULT_FORMATS: readonly ResultFormat[] = ['json', 'jsonl']

/** The Content-Type of each format, on the upload and on the download. */
export const RESULT_MEDIA_TYPES: Record<ResultFormat, string> = {
  json: 'application/json',
  jsonl: 'application/x-ndjson',
}

const PARTIAL = '.partial'

/** Where a stored result is served; a job's `jobResult` points there. */
export const resultLocation = (jobId: string): string => `/v2/api/jobs/${encodeURIComponent(jobId)}/result`

/** The job's `jobResult` for a stored result, as JSON text. */
export function resultReference(jobId: string, file: ResultFile): string {
  return JSON.stringify({ location: resultLocation(jobId), size: file.size, format: file.format })
}

/** True if `result` (a job's `jobResult` text) is the reference to a stored result of `jobId`. */
export function isResultReference(jobId: string, result: string | undefined): boolean {
  if (result === undefined || !result.startsWith('{"location":')) return false
  try {
    const value = JSON.parse(result) as { location?: unknown }
    return value.location === resultLocation(jobId)
  } catch {
    return false
  }
}

export class ResultFiles {
  /** Uploads that ended cleanly, not yet claimed by the job's `finished` frame. */
  private readonly received = new Map<string, ResultFile>()

  constructor(readonly directory: string) {}

  /**
   * Writes `body` as the job's result file; resolves with its size once it is in place.
   * Rejects (leaving nothing behind) if the body breaks off or the disk refuses it.
   */
  async receive(jobId: string, format: ResultFormat, body: Readable): Promise<number> {
    // Made at each upload, not once at start-up: a results dir removed meanwhile comes back.
    await mkdir(this.directory, { recursive: true })
    const path = this.path(jobId, format)
    const partial = path + PARTIAL
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'w', mode: 0o640 }))
      await rename(partial, path)
    } catch (error) {
      await unlink(partial).catch(() => undefined)
      throw error
    }
    const { size } = await stat(path)
    this.received.set(jobId, { size, format })
    return size
  }

  /** The upload the worker says it made, once; undefined if none ended cleanly. */
  claim(jobId: string): ResultFile | undefined {
    const file = this.received.get(jobId)
    this.received.delete(jobId)
    return file
  }

  /** The job's stored result, to stream out; undefined if there is none. */
  async open(jobId: string): Promise<{ size: number; format: ResultFormat; stream: ReadStream } | undefined> {
    for (const format of RESULT_FORMATS) {
      const path = this.path(jobId, format)
      const found = await stat(path).catch(() => undefined)
      if (!found?.isFile()) continue
      // Opened before answering: a file removed in between is a 404, not a broken 200.
      const stream = createReadStream(path)
      const opened = await new Promise<boolean>((resolve) => {
        stream.once('open', () => resolve(true))
        stream.once('error', () => resolve(false))
      })
      if (opened) return { size: found.size, format, stream }
    }
    return undefined
  }

  /** Deletes the job's result file, if any (job retention and failed jobs call it). Never rejects. */
  async remove(jobId: string): Promise<void> {
    this.received.delete(jobId)
    await Promise.all(
      RESULT_FORMATS.flatMap((format) => [this.path(jobId, format), this.path(jobId, format) + PARTIAL]).map((path) =>
        unlink(path).catch(() => undefined),
      ),
    )
  }

  /**
   * At start-up, before any worker runs: removes half-written files, and files whose job did
   * not finish (the master died between the upload and the job's end; recovery fails the job).
   */
  async sweep(jobOf: (jobId: string) => Promise<JobRecord | undefined>): Promise<number> {
    const names = await readdir(this.directory).catch(() => [] as string[])
    let removed = 0
    for (const name of names) {
      const match = /^(.+)\.(json|jsonl)(\.partial)?$/.exec(name)
      if (!match?.[1]) continue
      const job = match[3] === undefined ? await jobOf(match[1]) : undefined
      if (job?.status === 'finished' && isResultReference(job.jobId, job.result)) continue
      await unlink(join(this.directory, name)).catch(() => undefined)
      removed += 1
    }
    return removed
  }

  private path(jobId: string, format: ResultFormat): string {
    // Job ids are the master's own UUIDs; the route checks the id's pattern before this.
    return join(this.directory, `${jobId}.${format}`)
  }
}
