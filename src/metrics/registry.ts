/**
 * One Prometheus registry per master, never prom-client's global one: a process may run
 * several masters (the tests do), and each must report only its own jobs and requests.
 * Haze's own metrics are named `haze_…` with their unit in the name; prom-client's default
 * process metrics keep their standard names (`process_…`, `nodejs_…`), which existing
 * dashboards and alerts expect.
 */
import { collectDefaultMetrics, Registry } from 'prom-client'

export type { Registry }

export function createRegistry(): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return registry
}

/**
 * Buckets in seconds. Each covers its quantity from the fast case to the slow one that still
 * matters: a store query in microseconds to a stalled disk, a warm job in milliseconds to an
 * hour-long one, a worker from a warm JVM to spark-submit on a busy cluster.
 */
export const BUCKETS = {
  store: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  http: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  queueWait: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  runTime: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  workerStart: [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 60, 120],
} satisfies Record<string, number[]>

/** Milliseconds between two epoch times, in seconds, never negative (clocks may step). */
export const secondsBetween = (from: number, to: number): number => Math.max(0, to - from) / 1000
