/**
 * Job retention (`jobRetention`): a periodic sweep removes terminal jobs that ended longer ago
 * than the retention, with their log and result files, and the output files of workers that
 * have been gone as long. Open jobs are never removed, however old.
 *
 * It works in batches of BATCH jobs, yielding to the event loop between them, so a first
 * sweep over years of history neither blocks requests nor holds the store's write lock for
 * long (each batch is one short transaction). A job's files go before its row: a crash in
 * between leaves a row without files (its log reads empty), which the next sweep removes,
 * never a file no job points to.
 */
import { opendir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import type { Duration } from '../domain/duration.js'
import { coerceError } from '../domain/errors.js'
import type { Logger } from '../logger.js'
import { WORKER_OUTPUT_FILE } from '../logs/worker-output.js'
import type { JobStore } from '../store/job-store.js'

/** Jobs removed per store transaction: about 10 ms of SQLite's write lock each on a 2-CPU machine. */
const BATCH = 100
/** Sweeps come ten times per retention, at most hourly, at least a second apart. */
const sweepInterval = (retention: Duration): number => Math.min(Math.max(retention / 10, 1000), 3_600_000)

export interface RetentionDeps {
  jobs: Pick<JobStore, 'listEnded' | 'remove'>
  /** Removes the job's own files (its log, its stored result); must not reject for a missing one. */
  removeJobFiles(jobId: string): Promise<void>
  /** Where worker output files are (`worker-<id>.log`, `.log.1`). */
  workerOutputDir: string
  /** Ids of the workers alive now: their output files stay, however old. */
  liveWorkers(): Iterable<string>
  retention: Duration
  log: Logger
  /** Told after each sweep that removed something. */
  onRemoved?(removed: SweepResult): void
  now?: () => number
}

export interface SweepResult {
  jobs: number
  workerFiles: number
}

export class RetentionSweep {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<SweepResult> | undefined
  private stopped = false
  private readonly log: Logger

  constructor(private readonly deps: RetentionDeps) {
    this.log = deps.log.child({ part: 'retention' })
  }

  /** Sweeps now and then periodically; does nothing when the retention is infinite. */
  start(): void {
    if (!Number.isFinite(this.deps.retention) || this.timer) return
    void this.sweep()
    this.timer = setInterval(() => void this.sweep(), sweepInterval(this.deps.retention))
    this.timer.unref()
  }

  /** Stops the timer and waits for a sweep under way, which stops after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.running?.catch(() => undefined)
  }

  /** One sweep; a sweep asked for while one runs is that one. Never rejects. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce()
      .catch((error: unknown) => {
        this.log.warn({ err: coerceError(error) }, 'job retention sweep failed; the next one tries again')
        return { jobs: 0, workerFiles: 0 }
      })
      .finally(() => (this.running = undefined))
    return this.running
  }

  private async sweepOnce(): Promise<SweepResult> {
    const cutoff = (this.deps.now ?? Date.now)() - this.deps.retention
    const result = { jobs: 0, workerFiles: await this.removeWorkerFiles(cutoff) }
    while (!this.stopped) {
      const ids = await this.deps.jobs.listEnded(cutoff, BATCH)
      if (ids.length === 0) break
      for (const id of ids) {
        // A file that cannot be removed is reported; its job still goes.
        await this.deps.removeJobFiles(id).catch((error: unknown) => this.log.warn({ err: coerceError(error), jobId: id }, "could not remove a job's files"))
      }
      result.jobs += await this.deps.jobs.remove(ids)
      if (ids.length < BATCH) break
      await yieldToEvents()
    }
    if (result.jobs > 0 || result.workerFiles > 0) {
      this.log.info(
        { ...result, endedBefore: new Date(cutoff).toISOString() },
        `job retention removed ${result.jobs} jobs that ended before ${new Date(cutoff).toISOString()} and ${result.workerFiles} worker output files`,
      )
      this.deps.onRemoved?.(result)
    }
    return result
  }

  /** Output files of workers not alive now and not written since the cutoff. */
  private async removeWorkerFiles(cutoff: number): Promise<number> {
    const live = new Set(this.deps.liveWorkers())
    let removed = 0
    // Streamed: the directory also holds a log file per job, possibly millions.
    const dir = await opendir(this.deps.workerOutputDir).catch(() => undefined)
    if (!dir) return 0
    for await (const entry of dir) {
      const workerId = WORKER_OUTPUT_FILE.exec(entry.name)?.[1]
      if (workerId === undefined || live.has(workerId) || !entry.isFile()) continue
      const path = join(this.deps.workerOutputDir, entry.name)
      const written = await stat(path).then((found) => found.mtimeMs, () => Infinity)
      if (written >= cutoff) continue
      await unlink(path).then(
        () => (removed += 1),
        () => undefined,
      )
    }
    return removed
  }
}
