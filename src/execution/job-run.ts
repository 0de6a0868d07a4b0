/**
 * A job the executor is responsible for: from queued to terminal. Lives only in memory; the
 * store holds what survives a restart.
 */
import type { Duration } from '../domain/duration.js'
import type { JobRecord } from '../domain/job.js'
import type { Journaled } from './job-journal.js'
import type { ContextKind } from '../workers/protocol.js'
import type { Worker } from '../workers/worker.js'

export type RunState = 'queued' | 'assigned' | 'cancelling' | 'done'

export interface JobRun extends Journaled {
  artifact: { name: string; sha1: string }
  contextKind: ContextKind
  startTimeout: Duration
  performTimeout: Duration
  state: RunState
  worker?: Worker | undefined
  /** Why it is being cancelled: "user request", "perform timeout was exceeded: 10 seconds". */
  cancelReason?: string | undefined
  timers: NodeJS.Timeout[]
  /** Resolved with the stored record when the job becomes terminal. */
  ended: Promise<JobRecord>
  resolveEnded: (record: JobRecord) => void
}

export function newRun(fields: Omit<JobRun, 'state' | 'timers' | 'ended' | 'resolveEnded' | 'chain'>): JobRun {
  let resolveEnded!: (record: JobRecord) => void
  const ended = new Promise<JobRecord>((resolve) => (resolveEnded = resolve))
  return { ...fields, state: 'queued', timers: [], ended, resolveEnded, chain: Promise.resolve() }
}

/** setTimeout for any duration: Infinity never fires; beyond Node's 24.8-day cap it is clamped. */
export function armTimer(run: JobRun, duration: Duration, fire: () => void): void {
  if (!Number.isFinite(duration)) return
  run.timers.push(setTimeout(fire, Math.min(Math.max(duration, 0), 2_147_483_647)))
}

export function clearTimers(run: JobRun): void {
  for (const timer of run.timers) clearTimeout(timer)
  run.timers = []
}
