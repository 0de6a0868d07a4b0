/**
 * Comparison 4: a job in an exclusive context, from submit to result, against spark-submit
 * running the same function in a script of its own.
 *
 * Haze: `POST /v2/api/functions/sum/jobs?force=true&context=bench-cold`; the answer comes once
 * a new worker has started (spark-submit, JVM, SparkSession), run the job and reported it.
 * Baseline: `spark-submit bench/functions/cold_baseline.py` (SparkSession, the function once,
 * print, stop) from spawn to exit, and to the result as the script timed it.
 *
 * A third side, when setup.sh made class-data-sharing archives: the same spark-submit with the
 * JVM options a Haze worker gets for them, so that each stage of a start is shown with and
 * without them (the script prints when Python runs, has imported pyspark, has its session).
 *
 * A fourth side, issue 13's spare workers: the same job in an exclusive context with
 * spareWorkers 1 (`bench-spare`, made for this comparison and deleted after it), submitted once
 * a spare is ready; the driver that ran it stops and a replacement starts, which the side waits
 * for, so that it never starts beside another side's JVM. That ready spare, an idle driver,
 * stays up during the other sides.
 *
 * The sides alternate, and each waits until the other's processes are gone (Haze's worker
 * stops after its job), so that two JVMs never start side by side on two cores.
 */
import { summarize, type Latency } from '../lib/http-timing.js'
import { runColdBaseline, type ColdRun, type SparkSetup } from '../lib/spark-baseline.js'
import { cdsOptions } from '../../src/workers/jvm-cds.js'
import { COLD_CONTEXT, SUM_RESULT, type BenchHaze } from './haze.js'

export const COLD_GOAL = 1.15
/** Issue 13: a cold worker ready within 0.75× of spark-submit's own SparkSession. */
export const COLD_WORKER_GOAL = 0.75
/** Issue 13: an exclusive job that finds a spare ready, within 0.10× of spark-submit to exit. */
export const SPARE_GOAL = 0.1
export const SPARE_CONTEXT = 'bench-spare'

const WORKER_GONE_MS = 60_000

export interface ColdRunHaze {
  /** Submit → answer, as the client saw it. */
  totalMs: number
  /** Submit → the worker took the job (it is assigned the moment it is ready). */
  toWorkerReadyMs: number | undefined
  /** Submit → the function was called (the store's startTime). */
  toStartedMs: number | undefined
  /** The worker's spawn → its ready (the bus's worker:started and worker:ready). */
  workerStartMs: number | undefined
}

export interface ColdStartResult {
  runs: number
  haze: Latency
  hazeToWorkerReady: Latency
  hazeToStarted: Latency
  baselineToExit: Latency
  baselineToResult: Latency
  baselineToSession: Latency
  hazeWorkerStart: Latency
  hazeRuns: ColdRunHaze[]
  baselineRuns: ColdRun[]
  /**
   * spark-submit of the same script with Haze's class-data-sharing archives (what a Haze
   * worker's JVMs get), to show per stage what they save; empty if setup.sh made none.
   */
  archivedRuns: ColdRun[]
  /** Submit → result in the context with a spare ready (bench-spare), as the client saw it. */
  spare: Latency
  spareRuns: number[]
}

export async function measureColdStart(haze: BenchHaze, runs: number, signal: AbortSignal): Promise<ColdStartResult> {
  const hazeRuns: ColdRunHaze[] = []
  const baselineRuns: ColdRun[] = []
  const archivedRuns: ColdRun[] = []
  const archives = cdsOptions(haze.spark.sparkHome)
  const archived = archives && { ...haze.spark, env: { SPARK_LAUNCHER_OPTS: archives.launcher, SPARK_SUBMIT_OPTS: archives.driver } }
  const spareRuns: number[] = []
  await haze.json('/v2/api/contexts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: SPARE_CONTEXT, workerMode: 'exclusive', maxJobs: 1, spareWorkers: 1, sparkConf: haze.spark.conf }),
  })
  // Its spare starts at once: the first side must not start a JVM beside it.
  await haze.until(`a ready spare of ${SPARE_CONTEXT}`, () => spareReady(haze), WORKER_GONE_MS)
  for (let run = 0; run < runs; run++) {
    const sides = [async () => hazeRuns.push(await runHaze(haze)), async () => baselineRuns.push(await runBaseline(haze))]
    if (archived) sides.push(async () => archivedRuns.push(await runBaseline(haze, archived)))
    sides.push(async () => spareRuns.push(await runSpare(haze)))
    if (run % 2 === 1) sides.reverse()
    for (const side of sides) {
      signal.throwIfAborted()
      await side()
    }
  }
  // Its spare stops with it.
  await haze.text(`/v2/api/contexts/${SPARE_CONTEXT}`, { method: 'DELETE' })
  await haze.until(`the ${SPARE_CONTEXT} workers to stop`, async () => (await haze.workers(SPARE_CONTEXT)).length === 0, WORKER_GONE_MS)
  const defined = (values: (number | undefined)[]) => values.filter((value) => value !== undefined)
  return {
    runs,
    haze: summarize(hazeRuns.map((run) => run.totalMs)),
    hazeToWorkerReady: summarize(defined(hazeRuns.map((run) => run.toWorkerReadyMs))),
    hazeToStarted: summarize(defined(hazeRuns.map((run) => run.toStartedMs))),
    baselineToExit: summarize(baselineRuns.map((run) => run.toExitMs)),
    baselineToResult: summarize(baselineRuns.map((run) => run.toResultMs)),
    baselineToSession: summarize(baselineRuns.map((run) => run.toSessionMs)),
    hazeWorkerStart: summarize(defined(hazeRuns.map((run) => run.workerStartMs))),
    hazeRuns,
    baselineRuns,
    archivedRuns,
    spare: summarize(spareRuns),
    spareRuns,
  }
}

async function runHaze(haze: BenchHaze): Promise<ColdRunHaze> {
  let spawnedAt: number | undefined
  let readyAt: number | undefined
  // The job is assigned to its worker the moment the worker is ready.
  let assigned: number | undefined
  const unsubscribe = [
    haze.server.bus.on('worker:started', (event) => void (event.context === COLD_CONTEXT && (spawnedAt ??= event.time))),
    haze.server.bus.on('worker:ready', (event) => void (event.context === COLD_CONTEXT && (readyAt ??= event.time))),
    haze.server.bus.on('job:event', (event) => {
      if (event.event === 'worker-assigned' && event.job.context === COLD_CONTEXT) assigned ??= event.time
    }),
  ]
  const response = await haze.runForced('sum', SUM_RESULT, `&context=${COLD_CONTEXT}`).finally(() => unsubscribe.forEach((off) => off()))
  const [job] = await haze.latestJobs('sum', 1)
  // Its worker stops once the job is done; the next run starts when it is gone.
  await haze.until(`the ${COLD_CONTEXT} worker to stop`, async () => (await haze.workers(COLD_CONTEXT)).length === 0, WORKER_GONE_MS)
  return {
    totalMs: response.milliseconds,
    toWorkerReadyMs: assigned === undefined ? undefined : assigned - response.sentAt,
    toStartedMs: job?.startTime === undefined ? undefined : job.startTime - response.sentAt,
    workerStartMs: spawnedAt === undefined || readyAt === undefined ? undefined : readyAt - spawnedAt,
  }
}

async function runBaseline(haze: BenchHaze, setup: SparkSetup = haze.spark): Promise<ColdRun> {
  const run = await runColdBaseline(setup)
  if (run.result !== String(SUM_RESULT)) haze.recordWrong(`cold_baseline.py: printed ${run.result}`)
  return run
}

/**
 * A job of the context with a spare: submitted once a spare is ready, timed submit → result.
 * Then its driver stops and a replacement starts; the side ends once that one is ready.
 */
async function runSpare(haze: BenchHaze): Promise<number> {
  await haze.until(`a ready spare of ${SPARE_CONTEXT}, alone`, () => spareReady(haze), WORKER_GONE_MS)
  const response = await haze.runForced('sum', SUM_RESULT, `&context=${SPARE_CONTEXT}`)
  await haze.until(`the ${SPARE_CONTEXT} driver to stop and its replacement to be ready`, () => spareReady(haze), WORKER_GONE_MS)
  return response.milliseconds
}

/** True when the spare context has one worker, a ready spare: no JVM of it is starting or stopping. */
async function spareReady(haze: BenchHaze): Promise<boolean> {
  const workers = await haze.workers(SPARE_CONTEXT)
  return workers.length === 1 && workers[0]?.state === 'spare'
}
