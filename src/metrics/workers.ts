/**
 * Worker metrics: how many Spark driver processes there are in each state (read from the
 * executor at scrape time), and how long they take to start (worker:started → worker:ready
 * on the event bus, the master's own clock).
 */
import { Gauge, Histogram } from 'prom-client'
import type { EventBus } from '../events/bus.js'
import type { Worker, WorkerState } from '../workers/worker.js'
import { BUCKETS, secondsBetween, type Registry } from './registry.js'

/** What the gauge reads: the executor's live workers, and the contexts it serves (`Executor.load`). */
export interface WorkerSource {
  workers(): readonly Pick<Worker, 'state' | 'context'>[]
  load(): ReadonlyMap<string, unknown>
}

/** Reported even at zero for every context served, so a dashboard sees "none" rather than nothing. */
const LIVE_STATES: readonly WorkerState[] = ['starting', 'ready', 'stopping']

export function workerMetrics(registry: Registry, bus: EventBus, executor: WorkerSource): void {
  const registers = [registry]
  new Gauge({
    name: 'haze_workers',
    help: 'Workers (Spark driver processes) now, by context and state (starting, ready, stopping)',
    labelNames: ['context', 'state'] as const,
    registers,
    collect() {
      this.reset()
      for (const context of executor.load().keys()) {
        for (const state of LIVE_STATES) this.set({ context, state }, 0)
      }
      for (const worker of executor.workers()) {
        if (worker.state !== 'exited') this.inc({ context: worker.context.name, state: worker.state })
      }
    },
  })
  const startTime = new Histogram({
    name: 'haze_worker_start_duration_seconds',
    help: 'Time from launching a worker to its being ready for jobs, by context; workers that never got ready are not counted',
    labelNames: ['context'] as const,
    buckets: BUCKETS.workerStart,
    registers,
  })

  const launchedAt = new Map<string, number>()
  bus.on('worker:started', ({ workerId, time }) => void launchedAt.set(workerId, time))
  bus.on('worker:ready', ({ workerId, context, time }) => {
    const since = launchedAt.get(workerId)
    launchedAt.delete(workerId)
    if (since !== undefined) startTime.observe({ context }, secondsBetween(since, time))
  })
  bus.on('worker:exited', ({ workerId }) => void launchedAt.delete(workerId))
}
