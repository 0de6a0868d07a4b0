/**
 * How fast Haze runs JVM functions (.jar, Haze's typed API), each figure side by side with its
 * baseline in one run:
 *
 * 1. overhead: `Noop` (returns 1) in a warm shared context, `POST …/jobs?force=true` end to end,
 *    against its own run time (called directly in a warm plain Spark driver);
 * 2. small job: `SumMillion` (the sum of 0 … 10^6-1 over two partitions) in the same context,
 *    against the very same method called in that warm plain Spark driver.
 *
 * The baseline driver is `spark-submit --class HazeBenchBaseline haze-jvm-examples.jar` with the
 * same --conf pairs as the context (SPARK_CONF of the execution benchmark): plain Spark, no Haze
 * code runs in it (haze-jvm.jar is on its class path only because the function objects implement
 * the haze.api.HazeFunction marker interface).
 *
 *   node --import tsx bench/jvm.ts [--quick] [--spark-conf key=value]…
 *
 * Prints markdown tables and writes bench/results/jvm-<time>.json. A wrong answer makes the
 * run exit non-zero; no figure does.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { HAZE_HOME, loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { startServer } from '../src/server.js'
import { resolveSparkHome } from '../src/workers/launcher.js'
import { JVM_RUNTIME_JAR } from '../src/workers/jvm-runtime.js'
import { SPARK_CONF } from './execution/haze.js'
import { KeepAliveClient, summarize, type Latency } from './lib/http-timing.js'
import { runBenchmark, type Release } from './lib/run.js'
import { WarmBaseline } from './lib/spark-baseline.js'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
const EXAMPLES_JAR = join(HAZE_HOME, 'jvm', 'examples', 'target', 'haze-jvm-examples.jar')
const CONTEXT = 'bench-jvm'
const NOOP_RESULT = 1
const SUM_RESULT = 499_999_500_000

const FULL = { overhead: { warmUp: 100, timed: 1000, ownCalls: 10_000 }, smallJob: { warmUp: 5, rounds: 4, block: 10 } }
const QUICK = { overhead: { warmUp: 10, timed: 50, ownCalls: 1000 }, smallJob: { warmUp: 1, rounds: 2, block: 2 } }

async function main(signal: AbortSignal, releases: Release[]): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'spark-conf': { type: 'string', multiple: true, default: [] } } })
  const counts = values.quick ? QUICK : FULL
  // Extra Spark settings, for both sides alike (say spark.log.level=WARN, to see what the driver's log costs).
  const sparkConf: Record<string, string> = { ...SPARK_CONF }
  for (const pair of values['spark-conf']) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new Error(`--spark-conf takes key=value; got ${pair}`)
    sparkConf[pair.slice(0, at)] = pair.slice(at + 1)
  }
  const wrong: string[] = []

  progress('starting Haze, uploading haze-jvm-examples.jar')
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-jvm-'))
  releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const config = { ...loadConfig({ port: '0', dataDir }, {}), workerStartTimeout: 180_000 }
  const server = await startServer(config, createLogger('silent'))
  releases.push(() => server.stop())
  const client = new KeepAliveClient(server.url)
  releases.push(() => client.close())
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (response.status !== 200) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`)
  }
  const form = new FormData()
  form.append('file', new Blob([readFileSync(EXAMPLES_JAR)]), 'haze-jvm-examples.jar')
  const uploaded = await fetch(`${server.url}/v2/api/artifacts`, { method: 'POST', body: form })
  if (uploaded.status !== 200) throw new Error(`upload answered ${uploaded.status}: ${await uploaded.text()}`)
  await post('/v2/api/contexts', { name: CONTEXT, workerMode: 'shared', maxJobs: 8, downtime: 'Inf', sparkConf })
  await post('/v2/api/functions', { name: 'jvm-noop', path: 'haze-jvm-examples.jar', className: 'Noop', defaultContext: CONTEXT })
  await post('/v2/api/functions', { name: 'jvm-sum', path: 'haze-jvm-examples.jar', className: 'SumMillion', defaultContext: CONTEXT })

  const forced = async (fn: string, expected: number) => {
    const response = await client.post(`/v2/api/functions/${fn}/jobs?force=true`, '{}')
    const answer = response.status === 200 ? (JSON.parse(response.body) as { success?: boolean; payload?: unknown }) : undefined
    if (answer?.success !== true || answer.payload !== expected) {
      wrong.push(`${fn}: HTTP ${response.status} ${response.body.slice(0, 300)}`)
      if (wrong.length <= 5) console.error(`WRONG ANSWER from ${fn}: ${response.body.slice(0, 300)}`)
    }
    return response.milliseconds
  }

  progress('first job: starts the context’s worker for JVM functions')
  await forced('jvm-noop', NOOP_RESULT)

  progress('starting the warm baseline driver (spark-submit --class HazeBenchBaseline haze-jvm-examples.jar)')
  const sparkHome = config.sparkHome ?? (await resolveSparkHome(config.python))
  const baseline = await WarmBaseline.start(
    { sparkHome, python: config.python, conf: sparkConf },
    { app: EXAMPLES_JAR, options: ['--class', 'HazeBenchBaseline', '--jars', JVM_RUNTIME_JAR] },
  )
  releases.push(() => baseline.stop())
  const baselineRuns = async (fn: 'noop' | 'sum', runs: number, expected: number) => {
    const timed = await baseline.time(fn, runs)
    if (timed.result !== expected) wrong.push(`baseline ${fn}: ${JSON.stringify(timed.result)}`)
    return timed.seconds.map((seconds) => seconds * 1000)
  }

  progress(`overhead: ${counts.overhead.warmUp} warm-up and ${counts.overhead.timed} timed no-op jobs`)
  for (let i = 0; i < counts.overhead.warmUp; i++) await forced('jvm-noop', NOOP_RESULT)
  const latencies: number[] = []
  for (let i = 0; i < counts.overhead.timed; i++) {
    signal.throwIfAborted()
    latencies.push(await forced('jvm-noop', NOOP_RESULT))
  }
  const own = summarize(await baselineRuns('noop', counts.overhead.ownCalls, NOOP_RESULT))
  const overhead = summarize(latencies.map((ms) => ms - own.p50))

  const { warmUp, rounds, block } = counts.smallJob
  progress(`small job: ${warmUp} warm-up runs a side, then ${rounds} rounds of ${block} a side, alternating`)
  for (let i = 0; i < warmUp; i++) await forced('jvm-sum', SUM_RESULT)
  await baselineRuns('sum', warmUp, SUM_RESULT)
  const hazeMs: number[] = []
  const baselineMs: number[] = []
  for (let round = 0; round < rounds; round++) {
    const hazeBlock = async () => {
      for (let i = 0; i < block; i++) hazeMs.push(await forced('jvm-sum', SUM_RESULT))
    }
    const baselineBlock = async () => baselineMs.push(...(await baselineRuns('sum', block, SUM_RESULT)))
    for (const side of round % 2 === 0 ? [hazeBlock, baselineBlock] : [baselineBlock, hazeBlock]) {
      signal.throwIfAborted()
      await side()
    }
  }
  const small = { haze: summarize(hazeMs), baseline: summarize(baselineMs) }

  const report = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/jvm.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg(), node: process.version, sparkVersion: baseline.sparkVersion },
    sparkConf,
    counts,
    overhead: { latency: summarize(latencies), ownRunTime: own, overhead },
    smallJob: { ...small, ratio: small.haze.p50 / small.baseline.p50 },
    wrongAnswers: wrong,
  }
  console.log(markdown(report))
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `jvm-${report.date.replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  progress(`figures written to ${file}`)
  return wrong.length > 0 ? 1 : 0
}

function markdown(report: {
  overhead: { latency: Latency; ownRunTime: Latency; overhead: Latency }
  smallJob: { haze: Latency; baseline: Latency; ratio: number }
  machine: { loadAverage: number[] }
  wrongAnswers: string[]
}): string {
  const ms = (value: number) => value.toFixed(2)
  const { overhead, smallJob } = report
  return [
    `load average at the end: ${report.machine.loadAverage.map((load) => load.toFixed(2)).join(', ')}; wrong answers: ${report.wrongAnswers.length}`,
    '',
    '| comparison | Haze p50 | Haze p99 | baseline p50 | baseline p99 |',
    '|---|---:|---:|---:|---:|',
    `| JVM no-op, force=true: request latency (ms) | ${ms(overhead.latency.p50)} | ${ms(overhead.latency.p99)} | – | – |`,
    `| JVM no-op: overhead over its own run time (ms) | ${ms(overhead.overhead.p50)} | ${ms(overhead.overhead.p99)} | own run time ${(overhead.ownRunTime.p50 * 1000).toFixed(2)} µs | ${(overhead.ownRunTime.p99 * 1000).toFixed(2)} µs |`,
    `| sum of 10^6 numbers, warm (ms) | ${ms(smallJob.haze.p50)} | ${ms(smallJob.haze.p99)} | ${ms(smallJob.baseline.p50)} | ${ms(smallJob.baseline.p99)} |`,
    '',
    `small job: Haze / plain Spark driver = ${smallJob.ratio.toFixed(3)}× (medians)`,
  ].join('\n')
}

function progress(message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`)
}

await runBenchmark(main)
