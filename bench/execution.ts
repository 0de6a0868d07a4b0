/**
 * How fast Haze runs jobs, each figure measured side by side with its baseline in one run:
 *
 * 1. overhead: a no-op function in a warm shared context, end to end, against its own run time;
 * 2. small job: the sum of 10^6 numbers in the warm context against a warm plain PySpark driver;
 * 3. throughput: no-op jobs per second through one shared context with maxJobs 8;
 * 4. cold start: a job in an exclusive context against spark-submit running the same function;
 *    the same job when a spare worker is ready; spark-submit with Haze's class-data-sharing archives.
 *
 * It starts a real master in-process, uploads bench/functions/bench_jobs.py, creates its
 * contexts and functions over HTTP, and runs the baselines with Spark's own spark-submit.
 *
 *   node --import tsx bench/execution.ts [--quick] [--only overhead,small-job,throughput,cold-start]
 *                                        [--spark-conf key=value]…
 *
 * Prints one markdown table per comparison and writes the figures to
 * bench/results/execution-<time>.json. A wrong answer (a job result that is not the
 * function's) makes the run exit non-zero; a goal not met does not.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runBenchmark, type Release } from './lib/run.js'
import { WarmBaseline, type SparkSetup } from './lib/spark-baseline.js'
import { measureColdStart } from './execution/cold-start.js'
import { BenchHaze, SPARK_CONF } from './execution/haze.js'
import { measureOverhead, type OverheadCounts } from './execution/overhead.js'
import { markdown, type ExecutionReport, type Machine } from './execution/report.js'
import { measureSmallJob, type SmallJobCounts } from './execution/small-job.js'
import { measureThroughput, type ThroughputCounts } from './execution/throughput.js'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
const COMPARISONS = ['overhead', 'small-job', 'throughput', 'cold-start'] as const
type Comparison = (typeof COMPARISONS)[number]

interface Counts {
  overhead: OverheadCounts
  smallJob: SmallJobCounts
  throughput: ThroughputCounts
  coldRuns: number
}

const FULL: Counts = {
  overhead: { warmUp: 100, timed: 1000, ownCalls: 10_000 },
  smallJob: { warmUp: 5, rounds: 4, block: 10 },
  throughput: { jobs: 3000, connections: 32 },
  coldRuns: 5,
}

const QUICK: Counts = {
  overhead: { warmUp: 10, timed: 50, ownCalls: 1000 },
  smallJob: { warmUp: 1, rounds: 2, block: 2 },
  throughput: { jobs: 200, connections: 16 },
  coldRuns: 1,
}

async function main(signal: AbortSignal, releases: Release[]): Promise<number> {
  const options = readOptions()
  const counts = options.quick ? QUICK : FULL
  const wants = (comparison: Comparison) => options.only.includes(comparison)

  progress('starting Haze and its warm shared context (a spark-submit worker)')
  const sparkConf = { ...SPARK_CONF, ...options.sparkConf }
  const haze = await BenchHaze.start(releases, sparkConf)
  const report: ExecutionReport = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/execution.ts ${process.argv.slice(2).join(' ')}`.trim(),
    quick: options.quick,
    machine: machine(haze.spark),
    sparkConf,
    wrongAnswers: haze.wrongAnswers,
  }

  if (wants('overhead') || wants('small-job')) {
    progress('starting the warm baseline driver (spark-submit bench/functions/baseline_runner.py)')
    const baseline = await WarmBaseline.start(haze.spark)
    releases.push(() => baseline.stop())
    if (wants('overhead')) {
      progress(`1. overhead: ${counts.overhead.timed} timed no-op jobs`)
      report.overhead = await measureOverhead(haze, baseline, counts.overhead, signal)
    }
    if (wants('small-job')) {
      progress(`2. small job: ${counts.smallJob.rounds * counts.smallJob.block} runs per side`)
      report.smallJob = await measureSmallJob(haze, baseline, counts.smallJob, signal)
    }
    // Its JVM would only add noise to the rest.
    await baseline.stop()
  }
  if (wants('throughput')) {
    progress(`3. throughput: ${counts.throughput.jobs} no-op jobs over ${counts.throughput.connections} connections`)
    report.throughput = await measureThroughput(haze, counts.throughput, signal)
  }
  if (wants('cold-start')) {
    progress(`4. cold start: ${counts.coldRuns} runs per side`)
    report.coldStart = await measureColdStart(haze, counts.coldRuns, signal)
  }

  console.log(markdown(report))
  console.log(`\nwritten to ${writeResults(report)}`)
  if (haze.wrongAnswers.length > 0) {
    console.error(`\nFAILED: ${haze.wrongAnswers.length} wrong answer(s); see the messages above`)
    return 1
  }
  return 0
}

function readOptions(): { quick: boolean; only: Comparison[]; sparkConf: Record<string, string> } {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', default: COMPARISONS.join(',') },
      // Extra Spark settings for both sides alike, to see what a setting changes.
      'spark-conf': { type: 'string', multiple: true, default: [] },
    },
  })
  const only = values.only.split(',').map((name) => name.trim())
  const unknown = only.filter((name) => !(COMPARISONS as readonly string[]).includes(name))
  if (unknown.length > 0) throw new Error(`--only takes some of ${COMPARISONS.join(', ')}; got ${unknown.join(', ')}`)
  const sparkConf: Record<string, string> = {}
  for (const pair of values['spark-conf']) {
    const [key, ...value] = pair.split('=')
    if (!key || value.length === 0) throw new Error(`--spark-conf takes key=value; got ${pair}`)
    sparkConf[key] = value.join('=')
  }
  return { quick: values.quick, only: only as Comparison[], sparkConf }
}

function progress(message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`)
}

function machine(spark: SparkSetup): Machine {
  const python = spawnSync(spark.python, ['-c', 'import sys, pyspark; print(sys.version.split()[0], pyspark.__version__)'], {
    encoding: 'utf8',
  })
  const [pythonVersion = '?', pyspark = '?'] = python.stdout.trim().split(' ')
  // `java -version` answers on stderr; its first line names the runtime spark-submit finds on PATH.
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    loadAverage: loadavg(),
    node: process.version,
    python: pythonVersion,
    pyspark,
    java: java.stderr?.split('\n')[0]?.trim() || 'java: unknown',
  }
}

function writeResults(report: ExecutionReport): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `execution-${report.date.replaceAll(':', '-')}.json`)
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  return file
}

await runBenchmark(main)
