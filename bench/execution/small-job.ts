/**
 * Comparison 2: a small Spark job (the sum of 10^6 numbers) in Haze's warm shared context
 * against the very same function timed inside a warm plain PySpark driver.
 *
 * Haze: `POST /v2/api/functions/sum/jobs?force=true`, end to end on one keep-alive connection.
 * Baseline: `sum_million(spark)` called directly in the warm baseline driver's main thread,
 * timed around the call alone. Both run in blocks, one side at a time (never both at once on
 * two cores), alternating which side goes first in each round so that neither always follows
 * the other's left-overs (garbage, JIT state, the other JVM's idle work).
 */
import { summarize, type Latency, type TimedResponse } from '../lib/http-timing.js'
import type { WarmBaseline } from '../lib/spark-baseline.js'
import { SUM_RESULT, type BenchHaze } from './haze.js'
import { requestStages, type Stage } from './stages.js'

export const SMALL_JOB_GOAL = 1.1

export interface SmallJobCounts {
  warmUp: number
  rounds: number
  /** Runs per side and round. */
  block: number
}

export interface SmallJobResult {
  runsPerSide: number
  rounds: number
  block: number
  warmUp: number
  haze: Latency
  baseline: Latency
  /** Haze's timed requests, split by the store's times. */
  stages: Stage[] | undefined
}

export async function measureSmallJob(
  haze: BenchHaze,
  baseline: WarmBaseline,
  counts: SmallJobCounts,
  signal: AbortSignal,
): Promise<SmallJobResult> {
  await runHaze(haze, counts.warmUp, signal)
  await runBaseline(haze, baseline, counts.warmUp)
  const hazeResponses: TimedResponse[] = []
  const baselineMs: number[] = []
  for (let round = 0; round < counts.rounds; round++) {
    const hazeBlock = async () => hazeResponses.push(...(await runHaze(haze, counts.block, signal)))
    const baselineBlock = async () => baselineMs.push(...(await runBaseline(haze, baseline, counts.block)))
    const sides = round % 2 === 0 ? [hazeBlock, baselineBlock] : [baselineBlock, hazeBlock]
    for (const side of sides) {
      signal.throwIfAborted()
      await side()
    }
  }
  return {
    runsPerSide: counts.rounds * counts.block,
    rounds: counts.rounds,
    block: counts.block,
    warmUp: counts.warmUp,
    haze: summarize(hazeResponses.map((response) => response.milliseconds)),
    baseline: summarize(baselineMs),
    // The function's newest jobs are the timed ones (the warm-up's are older), in order.
    stages: requestStages(hazeResponses, await haze.latestJobs('sum', hazeResponses.length)),
  }
}

async function runHaze(haze: BenchHaze, runs: number, signal: AbortSignal): Promise<TimedResponse[]> {
  const responses: TimedResponse[] = []
  for (let index = 0; index < runs; index++) {
    signal.throwIfAborted()
    responses.push(await haze.runForced('sum', SUM_RESULT))
  }
  return responses
}

/** Milliseconds per call. */
async function runBaseline(haze: BenchHaze, baseline: WarmBaseline, runs: number): Promise<number[]> {
  const timed = await baseline.time('sum_million', runs)
  if (timed.result !== SUM_RESULT) haze.recordWrong(`the baseline's sum_million: ${JSON.stringify(timed.result)}`)
  return timed.seconds.map((seconds) => seconds * 1000)
}
