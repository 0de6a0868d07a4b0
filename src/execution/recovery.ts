/**
 * What a starting master does with the jobs a previous one left unfinished. No worker
 * survives a master, so:
 * - a job still waiting for a worker is queued again;
 * - a job that had a worker ends (failed, or cancelled if it was being cancelled) with the
 *   reason, unless it came over MQTT or Kafka: nobody waits on a connection for those, so
 *   they run again, as in Mist.
 * Every write goes through the journal, so each is on the event bus and in the job's log.
 */
import type { ContextService } from '../catalog/context-service.js'
import type { ContextConfig } from '../domain/context.js'
import { coerceError } from '../domain/errors.js'
import { isAsyncSource, type JobRecord } from '../domain/job.js'
import type { JobPatch, JobStore } from '../store/job-store.js'
import type { FunctionResolver } from './executor.js'
import type { JobJournal } from './job-journal.js'

export interface RecoveryHost {
  jobs: JobStore
  contexts: ContextService
  functions: FunctionResolver
  journal: JobJournal
  /**
   * Queues a job again, as resolved (its timeouts were not kept); `patch` goes with its
   * `queued` transition (a job that had a worker loses it).
   */
  requeue(job: JobRecord, resolved: Awaited<ReturnType<FunctionResolver['resolveForRun']>>, context: ContextConfig, patch: JobPatch): void
}

type Resolve = FunctionResolver['resolveForRun']

export async function recoverUnfinished(host: RecoveryHost): Promise<void> {
  // One lookup per function, not per job: a restart may find thousands of unfinished jobs.
  const functions = new Map<string, ReturnType<Resolve>>()
  const resolve: Resolve = (name) => {
    let resolved = functions.get(name)
    if (!resolved) {
      resolved = host.functions.resolveForRun(name)
      resolved.catch(() => undefined)
      functions.set(name, resolved)
    }
    return resolved
  }
  for (const job of await host.jobs.listUnfinished()) {
    host.journal.recovered(job)
    const waiting = (job.status === 'initialized' || job.status === 'queued') && job.workerId === undefined
    if (waiting) await requeue(host, job, resolve, 'the master restarted; the job is queued again (its timeouts were not kept)', {})
    else if (isAsyncSource(job.source) && job.status !== 'cancelling') {
      const where = job.workerId ? ` on worker ${job.workerId}` : ''
      await requeue(host, job, resolve, `the master restarted while the job was running${where}; as a job from ${job.source}, it runs again`, {
        workerId: undefined,
        startTime: undefined,
      })
    } else await endInterrupted(host, job)
  }
}

async function endInterrupted(host: RecoveryHost, job: JobRecord): Promise<void> {
  const cancelled = job.status === 'cancelling'
  const reason = cancelled
    ? 'Job was cancelled: the master restarted before the worker confirmed the cancel'
    : `the master restarted while the job was running${job.workerId ? ` on worker ${job.workerId}` : ''}; its worker stopped with it`
  await end(host, job, cancelled ? 'cancelled' : 'failed', reason)
}

async function requeue(host: RecoveryHost, job: JobRecord, resolve: Resolve, note: string, patch: JobPatch): Promise<void> {
  try {
    const resolved = await resolve(job.function)
    const context = await host.contexts.get(job.context)
    if (!context) throw new Error(`its context ${job.context} no longer exists`)
    void host.journal.note(job.jobId, 'INFO', note)
    host.requeue(job, resolved, context, patch)
  } catch (error) {
    await end(host, job, 'failed', `the master restarted and the job could not be queued again: ${coerceError(error).message}`)
  }
}

function end(host: RecoveryHost, job: JobRecord, status: 'failed' | 'cancelled', reason: string): Promise<unknown> {
  return host.journal.transition(
    { record: job, chain: Promise.resolve() },
    status,
    { status, endTime: Date.now(), result: JSON.stringify(reason) },
    'ERROR',
    `${status}: ${reason}`,
  )
}
