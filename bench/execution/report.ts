/**
 * The execution benchmark's report: one markdown table per comparison, each with its goal,
 * Haze's figure, the baseline's, their ratio and whether the goal is met. The verdict is
 * information, never a pass or fail: the machine is shared and noisy.
 */
import { summarize } from '../lib/http-timing.js'
import type { ColdRun } from '../lib/spark-baseline.js'
import type { ColdStartResult } from './cold-start.js'
import { COLD_GOAL, COLD_WORKER_GOAL, SPARE_CONTEXT, SPARE_GOAL } from './cold-start.js'
import type { OverheadResult } from './overhead.js'
import { OVERHEAD_GOALS } from './overhead.js'
import type { SmallJobResult } from './small-job.js'
import { SMALL_JOB_GOAL } from './small-job.js'
import type { Stage } from './stages.js'
import type { ThroughputResult } from './throughput.js'
import { MASTER_CPU_GOAL_MS, THROUGHPUT_GOAL } from './throughput.js'

export interface Machine {
  cpus: number
  cpuModel: string
  memoryGiB: number
  os: string
  loadAverage: number[]
  node: string
  python: string
  pyspark: string
  java: string
}

export interface ExecutionReport {
  date: string
  command: string
  quick: boolean
  machine: Machine
  sparkConf: Readonly<Record<string, string>>
  overhead?: OverheadResult | undefined
  smallJob?: SmallJobResult | undefined
  throughput?: ThroughputResult | undefined
  coldStart?: ColdStartResult | undefined
  wrongAnswers: string[]
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '–')
const seconds = (value: number): string => (Number.isFinite(value) ? (value / 1000).toFixed(2) : '–')
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–')
const verdict = (met: boolean): string => (met ? 'met' : '**not met**')

export function markdown(report: ExecutionReport): string {
  const { machine: m } = report
  const sections = [
    [
      `## Execution (${report.date})`,
      '',
      `- command: \`${report.command}\`${report.quick ? ' (quick: small counts, for smoke-checking only)' : ''}`,
      `- machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, load average ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')} at the start`,
      `- Node ${m.node}; Python ${m.python}; PySpark ${m.pyspark}; ${m.java}`,
      `- Spark settings of both Haze contexts and both baselines: ${Object.entries(report.sparkConf).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      `- wrong answers: ${report.wrongAnswers.length}`,
    ].join('\n'),
  ]
  if (report.overhead) sections.push(overheadTable(report.overhead))
  if (report.smallJob) sections.push(smallJobTable(report.smallJob))
  if (report.throughput) sections.push(throughputTable(report.throughput))
  if (report.coldStart) sections.push(coldStartTable(report.coldStart))
  return sections.join('\n\n')
}

function overheadTable(result: OverheadResult): string {
  const { latency, ownRunTime: own, overhead } = result
  const row = (label: 'p50' | 'p95' | 'p99' | 'max', goal?: number) =>
    `| ${label} | ${ms(latency[label])} | ${(own[label] * 1000).toFixed(1)} | ${ms(overhead[label])} | ` +
    (goal === undefined ? '– | – | – |' : `≤ ${goal} ms | ${times(overhead[label] / goal)} | ${verdict(overhead[label] <= goal)} |`)
  return [
    '### 1. Overhead of a trivial job in a warm shared context',
    '',
    `\`POST /v2/api/functions/noop/jobs?force=true\`: ${result.requests} timed requests after ${result.warmUp} warm-up, one at a time ` +
      `on one keep-alive connection (${result.connections} opened). Own run time: noop called directly in a plain Python loop ` +
      'in the warm baseline driver, each call timed with perf_counter. Overhead = end-to-end − own run time (p50).',
    '',
    '| | Haze end-to-end ms | noop own run time µs | overhead ms | goal | overhead ÷ goal | |',
    '| --- | ---: | ---: | ---: | --- | ---: | --- |',
    row('p50', OVERHEAD_GOALS.p50),
    row('p95'),
    row('p99', OVERHEAD_GOALS.p99),
    row('max'),
    '',
    stagesTable('Where a request’s time goes (store times)', result.stages),
  ].join('\n')
}

function smallJobTable(result: SmallJobResult): string {
  const row = (label: 'p50' | 'p95' | 'mean' | 'max', goal?: number) => {
    const ratio = result.haze[label] / result.baseline[label]
    return (
      `| ${label} | ${ms(result.haze[label])} | ${ms(result.baseline[label])} | ${ms(result.haze[label] - result.baseline[label])} | ${times(ratio)} | ` +
      (goal === undefined ? '– | – |' : `≤ ${goal.toFixed(2)}× | ${verdict(ratio <= goal)} |`)
    )
  }
  return [
    '### 2. Small Spark job (sum of 10^6 numbers), warm',
    '',
    `Haze: \`POST /v2/api/functions/sum/jobs?force=true\` in the warm shared context. Baseline: the same \`sum_million(spark)\` ` +
      `called in a warm plain PySpark driver (spark-submit, same settings), timed around the call. ${result.runsPerSide} runs each ` +
      `after ${result.warmUp} warm-up, in ${result.rounds} rounds of ${result.block} per side, the sides alternating, never at once.`,
    '',
    '| | Haze ms | plain PySpark ms | Haze − baseline ms | Haze ÷ baseline | goal | |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- |',
    row('p50', SMALL_JOB_GOAL),
    row('p95'),
    row('mean'),
    row('max'),
    '',
    stagesTable('Where a Haze request’s time goes (store times)', result.stages),
  ].join('\n')
}

function throughputTable(result: ThroughputResult): string {
  const refused = Object.values(result.refused).reduce((sum, entry) => sum + entry.count, 0)
  const latency = result.submitLatency
  return [
    `### 3. Throughput of no-op jobs, one shared context with maxJobs ${result.maxJobs}`,
    '',
    `${result.jobs.toLocaleString('en')} jobs submitted asynchronously (\`POST /v2/api/functions/noop/jobs\`, answered {"id"}) ` +
      `by a separate Node process over ${result.connections} keep-alive connections (${result.connectionsOpened} opened). ` +
      `Completion: ${result.completionDetection}. There is no baseline: the goal is absolute.`,
    '',
    '| | Haze | goal | Haze ÷ goal | |',
    '| --- | ---: | --- | ---: | --- |',
    `| jobs completed per second | ${result.jobsPerSecond.toFixed(0)} | ≥ ${THROUGHPUT_GOAL} | ${times(result.jobsPerSecond / THROUGHPUT_GOAL)} | ${verdict(result.jobsPerSecond >= THROUGHPUT_GOAL)} |`,
    `| master CPU per job (user + system, the 50 ms poller included) | ${ms(result.masterCpuPerJobMs)} ms | ≤ ${MASTER_CPU_GOAL_MS} ms | ${times(result.masterCpuPerJobMs / MASTER_CPU_GOAL_MS)} | ${verdict(result.masterCpuPerJobMs <= MASTER_CPU_GOAL_MS)} |`,
    `| jobs failed or cancelled | ${result.failed} | 0 | – | ${verdict(result.failed === 0)} |`,
    `| submits refused | ${refused} | 0 | – | ${verdict(refused === 0)} |`,
    `| time, first submit → last job ended | ${result.seconds.toFixed(2)} s | – | – | – |`,
    `| submits answered per second | ${result.acceptedPerSecond.toFixed(0)} | – | – | – |`,
    `| submit latency p50 / p99 / max | ${ms(latency.p50)} / ${ms(latency.p99)} / ${ms(latency.max)} ms | – | – | – |`,
    '',
    `CPU time over the run (machine busy: ${(result.machineBusy * 100).toFixed(0)}% of its CPUs, all processes):`,
    '',
    '| process | CPU s | CPUs kept busy |',
    '| --- | ---: | ---: |',
    ...result.cpu
      .filter((share) => share.seconds >= 0.005) // idle parts (Spark's Python workers for no-op jobs)
      .map((share) => `| ${share.part} | ${share.seconds.toFixed(2)} | ${share.cpus.toFixed(2)} |`),
    '',
    stagesTable('Where a job’s time goes (store times)', result.stages),
  ].join('\n')
}

function coldStartTable(result: ColdStartResult): string {
  const row = (label: string, haze: number, baseline: number, goal?: number) =>
    `| ${label} | ${seconds(haze)} | ${seconds(baseline)} | ${times(haze / baseline)} | ` +
    (goal === undefined ? '– | – |' : `≤ ${goal.toFixed(2)}× | ${verdict(haze / baseline <= goal)} |`)
  return [
    '### 4. Cold job in an exclusive context vs spark-submit',
    '',
    `Haze: \`POST /v2/api/functions/sum/jobs?force=true&context=bench-cold\` (a new worker per job: spark-submit, JVM, ` +
      `SparkSession, job). Baseline: \`spark-submit bench/functions/cold_baseline.py\` (SparkSession, the same function once, ` +
      `print, stop). ${result.runs} runs each, alternating, one at a time; medians.`,
    '',
    '| p50 | Haze s | spark-submit s | Haze ÷ baseline | goal | |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    row('submit → result (Haze) vs spawn → exit (baseline)', result.haze.p50, result.baselineToExit.p50, COLD_GOAL),
    row('submit → result (Haze) vs spawn → result printed (baseline)', result.haze.p50, result.baselineToResult.p50),
    row('→ worker ready (Haze) vs → SparkSession up (baseline)', result.hazeToWorkerReady.p50, result.baselineToSession.p50, COLD_WORKER_GOAL),
    row('→ function called (Haze) vs → SparkSession up (baseline)', result.hazeToStarted.p50, result.baselineToSession.p50),
    row(`submit → result with a spare ready (Haze, \`context=${SPARE_CONTEXT}\`, spareWorkers 1) vs spawn → exit (baseline)`, result.spare.p50, result.baselineToExit.p50, SPARE_GOAL),
    '',
    `Every run (s): Haze ${result.hazeRuns.map((run) => seconds(run.totalMs)).join(', ')}; ` +
      `with a spare ready ${result.spareRuns.map((ms) => seconds(ms)).join(', ')}; ` +
      `spark-submit to exit ${result.baselineRuns.map((run) => seconds(run.toExitMs)).join(', ')}` +
      (result.archivedRuns.length > 0 ? `; with the archives ${result.archivedRuns.map((run) => seconds(run.toExitMs)).join(', ')}.` : '.'),
    '',
    coldStagesTable(result),
  ].join('\n')
}

/** Where a cold start goes, stage by stage, from spawn (p50 of each stage's end, in s). */
function coldStagesTable(result: ColdStartResult): string {
  const archived = result.archivedRuns.length > 0
  const p50 = (runs: ColdRun[], pick: (run: ColdRun) => number) => seconds(summarize(runs.map(pick)).p50)
  const row = (stage: string, pick: (run: ColdRun) => number, haze = '–') =>
    `| ${stage} | ${p50(result.baselineRuns, pick)} | ${archived ? p50(result.archivedRuns, pick) : 'no archives'} | ${haze} |`
  return [
    'Where a cold start goes (p50, seconds from spawn; the script prints a time at each step). Middle column: the same ' +
      "spark-submit with the class-data-sharing archives of Haze's workers (made by scripts/setup.sh).",
    '',
    '| from spawn to … | spark-submit | spark-submit + archives | Haze worker |',
    '| --- | ---: | ---: | ---: |',
    row("Python runs the script (spark-submit's launcher JVM, then the driver JVM)", (run) => run.toPythonMs),
    row('pyspark imported', (run) => run.toImportedMs),
    row('SparkSession up (Haze: the worker is ready, worker:started → worker:ready)', (run) => run.toSessionMs, seconds(result.hazeWorkerStart.p50)),
    row('result printed', (run) => run.toResultMs),
    row('exit', (run) => run.toExitMs),
  ].join('\n')
}

function stagesTable(title: string, stages: Stage[] | undefined): string {
  if (stages === undefined) return `${title}: not available (the requests and their jobs did not pair up).`
  return [
    `${title}; whole milliseconds, so a mean is good to a fraction of one:`,
    '',
    '| stage | p50 ms | mean ms |',
    '| --- | ---: | ---: |',
    ...stages.map((stage) => `| ${stage.stage} | ${ms(stage.p50)} | ${ms(stage.mean)} |`),
  ].join('\n')
}
