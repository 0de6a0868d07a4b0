/**
 * A worker's own output file, `worker-<id>.log` in the logs dir: what spark-submit, the driver
 * JVM and Python print outside any job (Spark's log at DEBUG, a function writing to fd 1).
 * It is bounded twice:
 *
 * - on disk: once the file holds half of `limit`, it is renamed to `<file>.1` (replacing the
 *   one before) and a new file begins with a line saying so and how much older output is gone,
 *   so a worker never keeps more than `limit` bytes, and its latest output is always there;
 * - in memory: lines that come faster than the disk takes them wait in the stream's buffer up
 *   to BACKLOG_LIMIT; past it they are counted and dropped, and a line says how many.
 */
import { createWriteStream, openSync, renameSync, type WriteStream } from 'node:fs'
import { basename } from 'node:path'
import { formatBytes } from '../execution/limits.js'

/** Bytes waiting for the disk, past which lines are dropped instead of kept in memory. */
const BACKLOG_LIMIT = 8 * 1024 * 1024

/** Worker output files, current and rotated: `worker-<id>.log` and `worker-<id>.log.1`. */
export const WORKER_OUTPUT_FILE = /^worker-(.+)\.log(\.1)?$/

export class WorkerOutputFile {
  private stream: WriteStream
  /** Bytes in the current file. */
  private bytes = 0
  /** Bytes of the file last rotated to `.1`: the next rotation drops them. */
  private rotatedBytes = 0
  private droppedBytes = 0
  private backlogLines = 0
  private backlogBytes = 0

  /** `limit`: bytes kept on disk at most, in the file and its `.1` together. */
  constructor(
    private readonly path: string,
    private readonly limit: number,
    private readonly onError: (error: Error) => void,
  ) {
    this.stream = this.open()
  }

  write(line: string): void {
    const text = `${line}\n`
    const size = Buffer.byteLength(text)
    if (this.stream.writableLength > BACKLOG_LIMIT) {
      this.backlogLines += 1
      this.backlogBytes += size
      return
    }
    if (this.bytes > 0 && this.bytes + size > this.limit / 2) this.rotate()
    if (this.backlogLines > 0) {
      this.append(`[haze] ${this.backlogLines} lines (${formatBytes(this.backlogBytes)}) of this worker's output were dropped here: they came faster than the disk took them\n`)
      this.backlogLines = 0
      this.backlogBytes = 0
    }
    this.append(text)
  }

  end(): void {
    this.stream.end()
  }

  private rotate(): void {
    try {
      // The old stream goes on writing what it holds into the renamed file, in order.
      renameSync(this.path, `${this.path}.1`)
    } catch (error) {
      this.onError(error as Error)
      return
    }
    this.stream.end()
    this.droppedBytes += this.rotatedBytes
    this.rotatedBytes = this.bytes
    this.bytes = 0
    this.stream = this.open()
    this.append(
      `[haze] this worker's output goes on from ${basename(this.path)}.1 (${formatBytes(this.rotatedBytes)}); ` +
        `${formatBytes(this.droppedBytes)} of older output were dropped: a worker keeps ${formatBytes(this.limit)} (workerOutputLimit)\n`,
    )
  }

  private append(text: string): void {
    this.stream.write(text)
    this.bytes += Buffer.byteLength(text)
  }

  /**
   * Opened at once (a rotation is rare), so the file exists before any line is written and a
   * rotation never renames a file its stream has yet to open.
   */
  private open(): WriteStream {
    let stream: WriteStream
    try {
      stream = createWriteStream(this.path, { fd: openSync(this.path, 'a') })
    } catch (error) {
      // Reported, and the stream tries again (and reports) asynchronously.
      this.onError(error as Error)
      stream = createWriteStream(this.path, { flags: 'a' })
    }
    stream.on('error', (error) => this.onError(error))
    return stream
  }
}
