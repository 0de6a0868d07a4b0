/**
 * What a starting master does with the jobs a previous one left unfinished: no worker
 * survives a master, so a job that had one ends (failed, or cancelled if it was being
 * cancelled) with the reason; a job still waiting for a worker is queued again.
 */
import type { ContextService } from '../catalog/context-service.js'
import type { ContextConfig } from '../domain/context.js'
import { coerceError } from '../domain/errors.js'
import type { JobRecord } from '../domain/job.js'
import type { JobStore } from '../store/job-store.js'
import type { FunctionResolver } from './executor.js'
import type { JobJournal } from './job-journal.js'

export interface RecoveryHost {
  jobs: JobStore
  contexts: ContextService
  functions: FunctionResolver
  journal: JobJournal
  /** Queues a job again, as resolved (its timeouts were not kept). */
  requeue(job: JobRecord, resolved: Awaited<ReturnType<FunctionResolver['resolveForRun']>>, context: ContextConfig): void
}

export async function recoverUnfinished(host: RecoveryHost): Promise<void> {
  // One lookup per function, not per job: a restart may find thousands of unfinished jobs.
  const functions = new Map<string, ReturnType<FunctionResolver['resolveForRun']>>()
  const resolve = (name: string) => {
    let resolved = functions.get(name)
    if (!resolved) {
      resolved = host.functions.resolveForRun(name)
      resolved.catch(() => undefined)
      functions.set(name, resolved)
    }
    return resolved
  }
  for (const job of await host.jobs.listUnfinished()) {
    const waiting = (job.status === 'initialized' || job.status === 'queued') && job.workerId === undefined
    if (waiting) await requeue(host, job, resolve)
    else await endInterrupted(host, job)
  }
}

async function endInterrupted(host: RecoveryHost, job: JobRecord): Promise<void> {
  const cancelled = job.status === 'cancelling'
  const reason = cancelled
    ? 'Job was cancelled: the master restarted before the worker confirmed the cancel'
    : `the master restarted while the job was running${job.workerId ? ` on worker ${job.workerId}` : ''}; its worker stopped with it`
  await host.jobs.transition(job.jobId, { status: cancelled ? 'cancelled' : 'failed', endTime: Date.now(), result: JSON.stringify(reason) })
  void host.journal.note(job.jobId, 'ERROR', reason)
}

async function requeue(host: RecoveryHost, job: JobRecord, resolve: FunctionResolver['resolveForRun']): Promise<void> {
  try {
    const resolved = await resolve(job.function)
    const context = await host.contexts.get(job.context)
    if (!context) throw new Error(`its context ${job.context} no longer exists`)
    void host.journal.note(job.jobId, 'INFO', 'the master restarted; the job is queued again (its timeouts were not kept)')
    host.requeue(job, resolved, context)
  } catch (error) {
    const reason = `the master restarted and the job could not be queued again: ${coerceError(error).message}`
    await host.jobs.transition(job.jobId, { status: 'failed', endTime: Date.now(), result: JSON.stringify(reason) })
    void host.journal.note(job.jobId, 'ERROR', reason)
  }
}
