/**
 * Records what happens to jobs: each transition in the store (in order, per job), on the
 * event bus, and as a line of the job's log. The executor decides; the journal writes down.
 */
import type { EventBus, JobEventName } from '../events/bus.js'
import type { Logger } from '../logger.js'
import type { JobLogs, LogLevel, LogLine } from '../logs/job-logs.js'
import type { JobPatch, JobStore } from '../store/job-store.js'
import type { JobRecord } from '../domain/job.js'

/** A job being written down: its record as last stored, and the chain of its writes. */
export interface Journaled {
  record: JobRecord
  /** Serializes this job's store writes, so events apply in the order they happened. */
  chain: Promise<unknown>
}

export class JobJournal {
  constructor(
    private readonly jobs: JobStore,
    private readonly logs: JobLogs,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  /**
   * Applies a transition after the job's earlier ones, then announces it and logs `message`.
   * A move the state machine does not allow (e.g. out of a terminal status) is refused by the
   * store, and nothing is announced.
   */
  transition(run: Journaled, event: JobEventName, patch: JobPatch, level: LogLevel, message: string): Promise<unknown> {
    run.chain = run.chain
      .then(async () => {
        const updated = await this.jobs.transition(run.record.jobId, patch)
        if (!updated) return
        run.record = updated
        this.bus.publish('job:event', { event, job: updated, time: Date.now() })
        // Not awaited: the job log keeps its own order per job, and nobody should wait for a
        // file write to learn that a job finished.
        void this.note(run.record.jobId, level, message)
      })
      .catch((error: unknown) => this.log.error({ err: error, jobId: run.record.jobId, event }, 'could not record a job transition'))
    return run.chain
  }

  /** A line of Haze's own in the job's log. */
  note(jobId: string, level: LogLevel, message: string): Promise<void> {
    return this.lines(jobId, [{ level, time: Date.now(), source: 'haze', message }])
  }

  /** Lines of the job's own output (its prints and logging, Spark's driver lines). */
  async lines(jobId: string, lines: LogLine[]): Promise<void> {
    try {
      const fileOffset = await this.logs.append(jobId, lines)
      this.bus.publish('job:logs', { jobId, lines, fileOffset })
    } catch (error) {
      this.log.warn({ err: error, jobId }, 'could not write to the job log')
    }
  }
}
