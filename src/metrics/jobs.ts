/**
 * Job metrics. Counts and durations come from the event bus, so every job is seen whichever
 * interface started it (HTTP, WebSocket, MQTT, Kafka, a restart); the queue and running
 * gauges are read from the executor at scrape time, so they can never drift from its state.
 * Durations are measured between the master's own event times: a worker's clock may differ.
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import type { EventBus } from '../events/bus.js'
import { BUCKETS, secondsBetween, type Registry } from './registry.js'

/** What the gauges read: the executor's jobs per context (`Executor.load`). */
export interface JobLoadSource {
  load(): ReadonlyMap<string, { queued: number; running: number }>
}

export function jobMetrics(registry: Registry, bus: EventBus, executor: JobLoadSource): void {
  const registers = [registry]
  const accepted = new Counter({
    name: 'haze_jobs_accepted_total',
    help: 'Jobs accepted (recorded as initialized), by function, context and source (Http, WebSocket, Async Mqtt, Async Kafka, Cli)',
    labelNames: ['function', 'context', 'source'] as const,
    registers,
  })
  const ended = new Counter({
    name: 'haze_jobs_ended_total',
    help: 'Jobs that reached a terminal status (finished, failed, cancelled), by function, context and that status',
    labelNames: ['function', 'context', 'status'] as const,
    registers,
  })
  const queueWait = new Histogram({
    name: 'haze_job_queue_wait_seconds',
    help: "Time from a job's queued event to its started event (waiting for a worker, then its artifact), by context",
    labelNames: ['context'] as const,
    buckets: BUCKETS.queueWait,
    registers,
  })
  const runTime = new Histogram({
    name: 'haze_job_run_duration_seconds',
    help: "Time from a job's started event to its terminal one, by function and context",
    labelNames: ['function', 'context'] as const,
    buckets: BUCKETS.runTime,
    registers,
  })
  new Gauge({
    name: 'haze_jobs_queued',
    help: 'Jobs waiting for a worker now, by context',
    labelNames: ['context'] as const,
    registers,
    collect() {
      this.reset()
      for (const [context, { queued }] of executor.load()) this.set({ context }, queued)
    },
  })
  new Gauge({
    name: 'haze_jobs_running',
    help: 'Jobs on a worker now (assigned, downloading, started or cancelling), by context',
    labelNames: ['context'] as const,
    registers,
    collect() {
      this.reset()
      for (const [context, { running }] of executor.load()) this.set({ context }, running)
    },
  })

  // Event times of jobs in flight, dropped at their end: memory is bounded by the open jobs.
  const queuedAt = new Map<string, number>()
  const startedAt = new Map<string, number>()
  bus.on('job:event', ({ event, job, time }) => {
    switch (event) {
      case 'initialized':
        accepted.inc({ function: job.function, context: job.context, source: job.source })
        return
      case 'queued':
        // A job queued again after a restart waits anew from then.
        queuedAt.set(job.jobId, time)
        startedAt.delete(job.jobId)
        return
      case 'started': {
        const since = queuedAt.get(job.jobId)
        if (since !== undefined) queueWait.observe({ context: job.context }, secondsBetween(since, time))
        startedAt.set(job.jobId, time)
        return
      }
      case 'finished':
      case 'failed':
      case 'cancelled': {
        ended.inc({ function: job.function, context: job.context, status: event })
        const since = startedAt.get(job.jobId)
        if (since !== undefined) runTime.observe({ function: job.function, context: job.context }, secondsBetween(since, time))
        queuedAt.delete(job.jobId)
        startedAt.delete(job.jobId)
        return
      }
      default:
        return
    }
  })
}
