/**
 * Comparison 1: what Haze adds to a trivial function in a warm shared context.
 *
 * Haze: `POST /v2/api/functions/noop/jobs?force=true`, one request at a time on one keep-alive
 * connection, after a warm-up (the first jobs download the artifact to the worker). Baseline:
 * the function's own run time, timed inside Python by the warm baseline driver, which calls
 * the same `noop` directly in a plain loop. Overhead = end-to-end latency − own run time (p50).
 */
import { summarize, type Latency, type TimedResponse } from '../lib/http-timing.js'
import type { WarmBaseline } from '../lib/spark-baseline.js'
import { NOOP_RESULT, type BenchHaze } from './haze.js'
import { requestStages, type Stage } from './stages.js'

/** Issue 13's goals (the first ones were 3 ms and 15 ms). */
export const OVERHEAD_GOALS = { p50: 1, p99: 4 } as const

export interface OverheadCounts {
  warmUp: number
  timed: number
  /** Direct calls timed in the baseline driver. */
  ownCalls: number
}

export interface OverheadResult {
  warmUp: number
  requests: number
  connections: number
  /** Milliseconds from sending the request to the last byte of the answer. */
  latency: Latency
  /** Milliseconds per direct call of noop in plain Python. */
  ownRunTime: Latency
  /** latency − ownRunTime.p50, per request. */
  overhead: Latency
  /** Where the time goes, from the store's times; undefined if requests and jobs did not pair up. */
  stages: Stage[] | undefined
}

export async function measureOverhead(
  haze: BenchHaze,
  baseline: WarmBaseline,
  counts: OverheadCounts,
  signal: AbortSignal,
): Promise<OverheadResult> {
  for (let index = 0; index < counts.warmUp; index++) {
    signal.throwIfAborted()
    await haze.runForced('noop', NOOP_RESULT)
  }
  const responses: TimedResponse[] = []
  for (let index = 0; index < counts.timed; index++) {
    signal.throwIfAborted()
    responses.push(await haze.runForced('noop', NOOP_RESULT))
  }
  const own = await baseline.time('noop', counts.ownCalls)
  if (own.result !== NOOP_RESULT) haze.recordWrong(`the baseline's noop: ${JSON.stringify(own.result)}`)
  const ownRunTime = summarize(own.seconds.map((seconds) => seconds * 1000))
  const latencies = responses.map((response) => response.milliseconds)
  return {
    warmUp: counts.warmUp,
    requests: counts.timed,
    connections: haze.client.connections,
    latency: summarize(latencies),
    ownRunTime,
    overhead: summarize(latencies.map((ms) => ms - ownRunTime.p50)),
    stages: requestStages(responses, await haze.latestJobs('noop', counts.timed)),
  }
}
