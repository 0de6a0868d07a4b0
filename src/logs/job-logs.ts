/**
 * One log file per job, `<dir>/job-<id>.log`, lines `LEVEL yyyy-MM-ddTHH:mm:ss.SSS [source] message`
 * in UTC — the format the Mist UI parses. Appends to one file are serialized so batches never
 * interleave; each append answers the file's size after it (Mist's `fileOffset`).
 */
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'

export interface LogLine {
  level: LogLevel
  /** Epoch milliseconds. */
  time: number
  source: string
  message: string
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/
const MAX_KNOWN_SIZES = 10_000

interface Batch {
  text: string
  /** Set once its write began; later lines go to the next batch. */
  writing: boolean
  done: Promise<number>
}

export class JobLogs {
  /** Per job, the batch written last or waiting to be written. */
  private readonly batches = new Map<string, Batch>()
  /** File sizes once known, so an append needs no stat (a job appends many times). */
  private readonly sizes = new Map<string, number>()

  private constructor(readonly directory: string) {}

  static async open(directory: string): Promise<JobLogs> {
    await mkdir(directory, { recursive: true })
    return new JobLogs(directory)
  }

  /**
   * Appends lines; resolves with the file size afterwards. Lines that arrive while an earlier
   * write of the same job is under way are gathered and written together (a Spark driver
   * prints dozens of lines per job), in the order they arrived.
   */
  append(jobId: string, lines: readonly LogLine[]): Promise<number> {
    const path = this.pathOf(jobId)
    const text = lines.map(formatLine).join('')
    const last = this.batches.get(jobId)
    if (last && !last.writing) {
      last.text += text
      return last.done
    }
    const batch: Batch = { text, writing: false, done: Promise.resolve(0) }
    batch.done = (last?.done ?? Promise.resolve(0))
      .catch(() => 0)
      .then(() => {
        batch.writing = true
        return this.write(jobId, path, batch.text)
      })
    this.batches.set(jobId, batch)
    void batch.done
      .finally(() => {
        if (this.batches.get(jobId) === batch) this.batches.delete(jobId)
      })
      .catch(() => undefined)
    return batch.done
  }

  private async write(jobId: string, path: string, text: string): Promise<number> {
    await appendFile(path, text)
    const known = this.sizes.get(jobId)
    const size = known === undefined ? (await stat(path)).size : known + Buffer.byteLength(text)
    this.sizes.delete(jobId)
    this.sizes.set(jobId, size)
    // Remember the most recently written files only; a forgotten size costs one stat.
    if (this.sizes.size > MAX_KNOWN_SIZES) this.sizes.delete(this.sizes.keys().next().value as string)
    return size
  }

  /** The whole log, '' if the job has logged nothing yet. */
  async read(jobId: string): Promise<string> {
    await this.batches.get(jobId)?.done.catch(() => undefined)
    return readFile(this.pathOf(jobId), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return ''
      throw error
    })
  }

  pathOf(jobId: string): string {
    if (!SAFE_ID.test(jobId)) throw new Error(`job id ${JSON.stringify(jobId)} cannot name a log file`)
    return join(this.directory, `job-${jobId}.log`)
  }
}

export function formatLine(line: LogLine): string {
  const time = new Date(line.time).toISOString().replace(/Z$/, '')
  // A message's own newlines become continuation lines, as a stack trace does in Mist's files.
  return `${line.level} ${time} [${line.source}] ${line.message.replace(/\r?\n$/, '')}\n`
}
