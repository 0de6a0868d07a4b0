/**
 * Comparison 4: a job in an exclusive context, from submit to result, against spark-submit
 * running the same function in a script of its own.
 *
 * Haze: `POST /v2/api/functions/sum/jobs?force=true&context=bench-cold`; the answer comes once
 * a new worker has started (spark-submit, JVM, SparkSession), run the job and reported it.
 * Baseline: `spark-submit bench/functions/cold_baseline.py` (SparkSession, the function once,
 * print, stop) from spawn to exit, and to the result as the script timed it.
 *
 * The sides alternate, and each waits until the other's processes are gone (Haze's worker
 * stops after its job), so that two JVMs never start side by side on two cores.
 */
import { summarize, type Latency } from '../lib/http-timing.js'
import { runColdBaseline, type ColdRun } from '../lib/spark-baseline.js'
import { COLD_CONTEXT, SUM_RESULT, type BenchHaze, type ListedJob } from './haze.js'

export const COLD_GOAL = 1.15
/** Issue 13: a cold worker ready within 0.75× of spark-submit's own SparkSession. */
export const COLD_WORKER_GOAL = 0.75

const WORKER_GONE_MS = 60_000

export interface ColdRunHaze {
  /** Submit → answer, as the client saw it. */
  totalMs: number
  /** Submit → the worker took the job (it is assigned the moment it is ready). */
  toWorkerReadyMs: number | undefined
  /** Submit → the function was called (the store's startTime). */
  toStartedMs: number | undefined
}

export interface ColdStartResult {
  runs: number
  haze: Latency
  hazeToWorkerReady: Latency
  hazeToStarted: Latency
  baselineToExit: Latency
  baselineToResult: Latency
  baselineToSession: Latency
  hazeRuns: ColdRunHaze[]
  baselineRuns: ColdRun[]
}

export async function measureColdStart(haze: BenchHaze, runs: number, signal: AbortSignal): Promise<ColdStartResult> {
  const hazeRuns: ColdRunHaze[] = []
  const baselineRuns: ColdRun[] = []
  for (let run = 0; run < runs; run++) {
    const sides = [async () => hazeRuns.push(await runHaze(haze)), async () => baselineRuns.push(await runBaseline(haze))]
    if (run % 2 === 1) sides.reverse()
    for (const side of sides) {
      signal.throwIfAborted()
      await side()
    }
  }
  const defined = (values: (number | undefined)[]) => values.filter((value) => value !== undefined)
  return {
    runs,
    haze: summarize(hazeRuns.map((run) => run.totalMs)),
    hazeToWorkerReady: summarize(defined(hazeRuns.map((run) => run.toWorkerReadyMs))),
    hazeToStarted: summarize(defined(hazeRuns.map((run) => run.toStartedMs))),
    baselineToExit: summarize(baselineRuns.map((run) => run.toExitMs)),
    baselineToResult: summarize(baselineRuns.map((run) => run.toResultMs)),
    baselineToSession: summarize(baselineRuns.map((run) => run.toSessionMs)),
    hazeRuns,
    baselineRuns,
  }
}

async function runHaze(haze: BenchHaze): Promise<ColdRunHaze> {
  const response = await haze.runForced('sum', SUM_RESULT, `&context=${COLD_CONTEXT}`)
  const [job] = await haze.latestJobs('sum', 1)
  const assigned = job && (await assignedAt(haze, job))
  // Its worker stops once the job is done; the next run starts when it is gone.
  await haze.until(`the ${COLD_CONTEXT} worker to stop`, async () => (await haze.workers(COLD_CONTEXT)).length === 0, WORKER_GONE_MS)
  return {
    totalMs: response.milliseconds,
    toWorkerReadyMs: assigned === undefined ? undefined : assigned - response.sentAt,
    toStartedMs: job?.startTime === undefined ? undefined : job.startTime - response.sentAt,
  }
}

async function runBaseline(haze: BenchHaze): Promise<ColdRun> {
  const run = await runColdBaseline(haze.spark)
  if (run.result !== String(SUM_RESULT)) haze.recordWrong(`cold_baseline.py: printed ${run.result}`)
  return run
}

/** When the job was assigned to its worker, from the `[haze] assigned to worker` line of its log. */
async function assignedAt(haze: BenchHaze, job: ListedJob): Promise<number | undefined> {
  const log = await haze.text(`/v2/api/jobs/${job.jobId}/logs`)
  const line = /^\w+ (\S+) \[haze\] assigned to worker/m.exec(log)
  // Log times are UTC without a zone: LEVEL yyyy-MM-ddTHH:mm:ss.SSS [source] message
  return line?.[1] === undefined ? undefined : Date.parse(`${line[1]}Z`)
}
