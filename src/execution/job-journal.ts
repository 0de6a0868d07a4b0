/**
 * Records what happens to jobs: each transition in the store (in order, per job), on the
 * event bus, and as a line of the job's log. The executor decides; the journal writes down.
 */
import { existsSync } from 'node:fs'
import type { EventBus, JobEventName } from '../events/bus.js'
import type { Logger } from '../logger.js'
import { formatLine, type JobLogs, type LogLevel, type LogLine } from '../logs/job-logs.js'
import type { JobPatch, JobStore } from '../store/job-store.js'
import { isTerminal, type JobRecord } from '../domain/job.js'
import { HazeError } from '../domain/errors.js'
import { formatBytes } from './limits.js'

/**
 * Haze's lines for a job that goes the usual way. A job with no other line gets no log file
 * (JobLogs.hold): its log is told again from its record by routineLog, with these texts.
 */
export const ROUTINE = {
  accepted: (job: JobRecord): string =>
    `job of function ${job.function} accepted (externalId=${job.externalId ?? 'none'}, source=${job.source}${job.startedBy === undefined ? '' : `, startedBy=${job.startedBy}`})`,
  queued: (context: string): string => `queued in context ${context}, waiting for a worker`,
  assigned: (workerId: string): string => `assigned to worker ${workerId}`,
  started: (workerId: string): string => `started on worker ${workerId}`,
  finished: 'finished',
} as const

/** Transitions whose INFO line is routine. */
const ROUTINE_EVENTS: ReadonlySet<JobEventName> = new Set(['queued', 'worker-assigned', 'started', 'finished'])

/**
 * The log of a job that has no log file: its routine lines, told from its record. Their times
 * are the record's: accepted and queued at createTime, assigned and started at startTime,
 * finished at endTime (assignment is not stored; it comes just before the start).
 */
export function routineLog(job: JobRecord): string {
  return routineLines(job).map(formatLine).join('')
}

function routineLines(job: JobRecord): LogLine[] {
  const lines: LogLine[] = []
  const add = (time: number | undefined, message: string) => {
    if (time !== undefined) lines.push({ level: 'INFO', time, source: 'haze', message })
  }
  add(job.createTime, ROUTINE.accepted(job))
  if (job.status !== 'initialized') add(job.createTime, ROUTINE.queued(job.context))
  if (job.workerId !== undefined) {
    add(job.startTime, ROUTINE.assigned(job.workerId))
    add(job.startTime, ROUTINE.started(job.workerId))
  }
  if (job.status === 'finished') add(job.endTime, ROUTINE.finished)
  return lines
}

/** What a job has logged of its own output so far, and what was dropped past the cap. */
interface Output {
  bytes: number
  droppedLines: number
  droppedBytes: number
}

/**
 * How long a transition is tried again while the store is unavailable (a full disk, a lock
 * held elsewhere, PostgreSQL restarting) before it is left to the next start's recovery.
 */
const STORE_RETRY_MS = 60_000
const STORE_RETRY_MAX_WAIT_MS = 5000

/** Jobs whose output sizes are tracked at once; far above any master's running jobs. */
const MAX_TRACKED_OUTPUTS = 100_000

/** A job being written down: its record as last stored, and the chain of its writes. */
export interface Journaled {
  record: JobRecord
  /** Serializes this job's store writes, so events apply in the order they happened. */
  chain: Promise<unknown>
}

export class JobJournal {
  /** Per running job; forgotten when it ends (or, for a job that never ends here, bounded below). */
  private readonly outputs = new Map<string, Output>()

  /** `outputLimit`: bytes of a job's own output kept in its log (`jobLogLimit`). */
  constructor(
    private readonly jobs: JobStore,
    private readonly logs: JobLogs,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly outputLimit = Infinity,
  ) {}

  /**
   * Applies a transition after the job's earlier ones, then announces it and logs `message`.
   * A move the state machine does not allow (e.g. out of a terminal status) is refused by the
   * store, and nothing is announced.
   */
  transition(run: Journaled, event: JobEventName, patch: JobPatch, level: LogLevel, message: string): Promise<unknown> {
    run.chain = run.chain
      .then(async () => {
        const updated = await this.stored(run.record.jobId, patch)
        if (!updated) return
        run.record = updated
        this.bus.publish('job:event', { event, job: updated, time: Date.now() })
        // Not awaited: the job log keeps its own order per job, and nobody should wait for a
        // file write to learn that a job finished.
        if (level === 'INFO' && ROUTINE_EVENTS.has(event)) void this.routine(updated.jobId, message)
        else void this.note(updated.jobId, level, message)
        if (isTerminal(updated.status)) {
          this.closeOutput(updated.jobId)
          this.logs.settle(updated.jobId)
        }
      })
      .catch((error: unknown) => this.log.error({ err: error, jobId: run.record.jobId, event }, 'could not record a job transition'))
    return run.chain
  }

  /**
   * The store's answer to a transition, asked again while the store is unavailable: a job's
   * end reached during a fault must be written down once the store is back, not dropped.
   */
  private async stored(jobId: string, patch: JobPatch): Promise<JobRecord | undefined> {
    const deadline = Date.now() + STORE_RETRY_MS
    for (let wait = 250; ; wait = Math.min(2 * wait, STORE_RETRY_MAX_WAIT_MS)) {
      try {
        return await this.jobs.transition(jobId, patch)
      } catch (error) {
        const unavailable = error instanceof HazeError && error.code === 'unavailable'
        if (!unavailable || Date.now() + wait > deadline) throw error
        this.log.warn({ err: error, jobId, status: patch.status }, 'the store is unavailable; trying the job transition again')
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
    }
  }

  /** A line of Haze's own in the job's log. */
  note(jobId: string, level: LogLevel, message: string): Promise<void> {
    return this.write(jobId, [{ level, time: Date.now(), source: 'haze', message }])
  }

  /**
   * A job a previous master left unfinished: its routine lines were held in that master's
   * memory only, so unless it has a file they are told again from its record and held, to go
   * ahead of what this master writes about it (the restart's note, its end).
   */
  recovered(job: JobRecord): void {
    if (existsSync(this.logs.pathOf(job.jobId))) return
    void this.logs.hold(job.jobId, routineLines(job))
  }

  /** The first line of a job's log: it was accepted. */
  accepted(job: JobRecord): Promise<void> {
    return this.routine(job.jobId, ROUTINE.accepted(job))
  }

  /** A line the job's record can tell again: it makes no log file by itself (JobLogs.hold). */
  private async routine(jobId: string, message: string): Promise<void> {
    const lines: LogLine[] = [{ level: 'INFO', time: Date.now(), source: 'haze', message }]
    try {
      const fileOffset = await this.logs.hold(jobId, lines)
      this.bus.publish('job:logs', { jobId, lines, fileOffset })
    } catch (error) {
      this.log.warn({ err: error, jobId }, 'could not write to the job log')
    }
  }

  /**
   * Lines of the job's own output (its prints and logging, Spark's driver lines), up to
   * `outputLimit` bytes per job: past it, lines are counted and dropped (neither written nor
   * sent to subscribers), so a job printing without end fills neither the disk nor the
   * master's memory. Its end says how much was dropped.
   */
  async lines(jobId: string, lines: LogLine[]): Promise<void> {
    const output = this.outputs.get(jobId) ?? { bytes: 0, droppedLines: 0, droppedBytes: 0 }
    if (!this.outputs.has(jobId)) {
      // A job that never ends on this master (a restart) must not keep its entry forever.
      if (this.outputs.size >= MAX_TRACKED_OUTPUTS) this.outputs.delete(this.outputs.keys().next().value as string)
      this.outputs.set(jobId, output)
    }
    const kept: LogLine[] = []
    for (const line of lines) {
      const size = Buffer.byteLength(line.message) + 40
      if (output.bytes + size > this.outputLimit) {
        output.droppedLines++
        output.droppedBytes += size
      } else {
        output.bytes += size
        kept.push(line)
      }
    }
    if (kept.length > 0) await this.write(jobId, kept)
  }

  private closeOutput(jobId: string): void {
    const output = this.outputs.get(jobId)
    this.outputs.delete(jobId)
    if (!output || output.droppedLines === 0) return
    void this.write(jobId, [
      {
        level: 'WARN',
        time: Date.now(),
        source: 'haze',
        message:
          `${output.droppedLines} lines (${formatBytes(output.droppedBytes)}) of the job's output were dropped: ` +
          `a job's log keeps its first ${formatBytes(this.outputLimit)} (jobLogLimit in the config file)`,
      },
    ])
  }

  private async write(jobId: string, lines: LogLine[]): Promise<void> {
    try {
      const fileOffset = await this.logs.append(jobId, lines)
      this.bus.publish('job:logs', { jobId, lines, fileOffset })
    } catch (error) {
      this.log.warn({ err: error, jobId }, 'could not write to the job log')
    }
  }
}
