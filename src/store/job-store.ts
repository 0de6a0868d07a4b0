/**
 * Where jobs are kept. One interface, one implementation per database (SQLite embedded,
 * PostgreSQL for shared state), one shared test suite run against each.
 */
import type { JobRecord, JobSource, JobStatus } from '../domain/job.js'

export interface JobQuery {
  limit: number
  offset: number
  /** Empty: any status. */
  statuses: readonly JobStatus[]
  function?: string | undefined
  workerId?: string | undefined
  context?: string | undefined
  source?: JobSource | undefined
  /** Also count every job that matches, ignoring limit and offset. */
  withTotal: boolean
}

export interface JobPage {
  /** Newest first. */
  jobs: JobRecord[]
  total?: number
}

/** Fields a transition may change. */
export type JobPatch = Partial<Pick<JobRecord, 'status' | 'startTime' | 'endTime' | 'workerId' | 'result'>>

export interface JobStore {
  insert(job: JobRecord): Promise<void>
  get(jobId: string): Promise<JobRecord | undefined>
  list(query: JobQuery): Promise<JobPage>
  /**
   * Applies `patch` if the job's status may move to `patch.status` (JOB_TRANSITIONS; a patch
   * without a status needs an open job), so a terminal status never changes. Returns the job
   * as stored afterwards, or undefined if the job is unknown or the move is not allowed.
   */
  transition(jobId: string, patch: JobPatch): Promise<JobRecord | undefined>
  /** Jobs not yet terminal, oldest first: what a restart must resolve. */
  listUnfinished(): Promise<JobRecord[]>
  /**
   * Ids of terminal jobs that ended before `endedBefore` (epoch ms; a terminal job without an
   * end time goes by its creation), oldest first, at most `limit`: what job retention removes.
   */
  listEnded(endedBefore: number, limit: number): Promise<string[]>
  /**
   * Deletes those of `jobIds` that are terminal (an open job is never removed), with their
   * share of every total; answers how many were deleted.
   */
  remove(jobIds: readonly string[]): Promise<number>
  close(): Promise<void>
}
