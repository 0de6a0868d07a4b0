/**
 * One log file per job, `<dir>/job-<id>.log`, lines `LEVEL yyyy-MM-ddTHH:mm:ss.SSS [source] message`
 * in UTC — the format the Mist UI parses. Each append answers the file's size after it
 * (Mist's `fileOffset`).
 *
 * A job's file is made only when it has lines of its own: Haze's lines for a job going the
 * usual way (accepted, queued, assigned, started, finished) are `hold()`-en in memory and
 * written only if another line comes (its output, a warning, a failure), ahead of it. A job
 * that ends with held lines alone gets no file (`settle()`); its log is told from its record
 * (see execution/job-journal.ts). Creating a file costs ~0.15 ms of CPU on ext4, a third of
 * the master's whole budget for a no-op job.
 *
 * Lines to write are kept in memory and written a moment later (at most FLUSH_MS, sooner past
 * FLUSH_BYTES), each job's lines in one append, in the order they came. `read()` sees lines
 * not yet written; a crash of the master loses at most FLUSH_MS of lines, which the job store
 * does not need (it holds every transition). `close()` writes what is left.
 *
 * The writes are synchronous, as the job store's are: a few microseconds per job on a local
 * disk, far cheaper than the thread-pool round trips of an asynchronous open, write and close.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
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
/** Longest a line waits in memory before it is written. */
const FLUSH_MS = 100
/** Lines waiting, in bytes, past which they are written at once. */
const FLUSH_BYTES = 1 << 20

export class JobLogs {
  /** Per job, text appended and not yet written, in order. */
  private readonly pending = new Map<string, string>()
  /** Per job without a file yet, its held lines (see hold()). */
  private readonly held = new Map<string, string>()
  private pendingBytes = 0
  /** File sizes once known, counting text not yet written, so an append needs no stat. */
  private readonly sizes = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined

  private constructor(
    readonly directory: string,
    private readonly onWriteError: (error: unknown, jobId: string) => void,
  ) {}

  /** `onWriteError`: told of lines that could not be written (a full disk); they are dropped. */
  static async open(
    directory: string,
    onWriteError: (error: unknown, jobId: string) => void = (error, jobId) =>
      process.emitWarning(`could not write the log of job ${jobId}: ${(error as Error).message}`),
  ): Promise<JobLogs> {
    await mkdir(directory, { recursive: true })
    return new JobLogs(directory, onWriteError)
  }

  /**
   * Appends lines, after the job's held ones; answers the file's size once they are written
   * (they may not be yet).
   */
  async append(jobId: string, lines: readonly LogLine[]): Promise<number> {
    return this.appendNow(jobId, lines.map(formatLine).join(''))
  }

  /**
   * Lines that make no file by themselves: kept until another line of the job comes (then
   * written before it) or the job is settled (then dropped). A job with a file of its own
   * already gets them appended. Answers the log's size with them, as append does.
   */
  async hold(jobId: string, lines: readonly LogLine[]): Promise<number> {
    const text = lines.map(formatLine).join('')
    const path = this.pathOf(jobId)
    const before = this.held.get(jobId)
    // Held lines mean no file; otherwise one stat tells a file made by an earlier master.
    if (before === undefined && (this.pending.has(jobId) || this.sizes.has(jobId) || statSync(path, { throwIfNoEntry: false }) !== undefined)) {
      return this.appendNow(jobId, text)
    }
    const held = (before ?? '') + text
    this.held.set(jobId, held)
    return Buffer.byteLength(held)
  }

  /** The job has ended: lines still held are dropped, and no file is made for them. */
  settle(jobId: string): void {
    this.held.delete(jobId)
  }

  private appendNow(jobId: string, appended: string): number {
    const path = this.pathOf(jobId)
    const text = (this.held.get(jobId) ?? '') + appended
    this.held.delete(jobId)
    const bytes = Buffer.byteLength(text)
    const size = this.sizeOf(jobId, path) + bytes
    this.pending.set(jobId, (this.pending.get(jobId) ?? '') + text)
    this.pendingBytes += bytes
    this.sizes.delete(jobId)
    this.sizes.set(jobId, size)
    // Remember the most recently written files only; a forgotten size costs one stat.
    if (this.sizes.size > MAX_KNOWN_SIZES) this.sizes.delete(this.sizes.keys().next().value as string)
    this.scheduleFlush()
    return size
  }

  /** The whole log: its file and lines not yet written, or its held lines; '' if none. */
  async read(jobId: string): Promise<string> {
    const held = this.held.get(jobId)
    if (held !== undefined) return held
    let written = ''
    try {
      written = readFileSync(this.pathOf(jobId), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    return written + (this.pending.get(jobId) ?? '')
  }

  /** Writes every line waiting. */
  flush(): void {
    clearTimeout(this.timer)
    if (this.immediate) clearImmediate(this.immediate)
    this.timer = this.immediate = undefined
    const pending = [...this.pending]
    this.pending.clear()
    this.pendingBytes = 0
    for (const [jobId, text] of pending) {
      try {
        appendFileSync(this.pathOf(jobId), text)
      } catch (error) {
        this.sizes.delete(jobId) // what the file holds is known no more
        this.onWriteError(error, jobId)
      }
    }
  }

  /** Writes what is left; later appends are written by a later flush() or close(). */
  async close(): Promise<void> {
    this.flush()
  }

  pathOf(jobId: string): string {
    if (!SAFE_ID.test(jobId)) throw new Error(`job id ${JSON.stringify(jobId)} cannot name a log file`)
    return join(this.directory, `job-${jobId}.log`)
  }

  /** The file's size counting lines not yet written. */
  private sizeOf(jobId: string, path: string): number {
    const known = this.sizes.get(jobId)
    if (known !== undefined) return known
    const onDisk = statSync(path, { throwIfNoEntry: false })?.size ?? 0
    return onDisk + Buffer.byteLength(this.pending.get(jobId) ?? '')
  }

  private scheduleFlush(): void {
    if (this.pendingBytes >= FLUSH_BYTES) {
      this.immediate ??= setImmediate(() => this.flush())
      return
    }
    if (this.timer) return
    this.timer = setTimeout(() => this.flush(), FLUSH_MS)
    // Shutdown writes what is left (close); a pending flush alone must not keep a process up.
    this.timer.unref()
  }
}

export function formatLine(line: LogLine): string {
  const time = new Date(line.time).toISOString().replace(/Z$/, '')
  // A message's own newlines become continuation lines, as a stack trace does in Mist's files.
  return `${line.level} ${time} [${line.source}] ${line.message.replace(/\r?\n$/, '')}\n`
}

