/**
 * The execution benchmark's throughput comparison with the store on PostgreSQL, side by side
 * with the embedded SQLite store in the same run: no-op jobs through one warm shared context
 * (maxJobs 8), measured exactly as `execution.ts --only throughput` measures it.
 *
 * Two masters are started in-process, one per store, each with its own data dir and its own
 * warm worker (same Spark settings). PostgreSQL is Debian's, started by the benchmark with
 * its durable defaults (fsync and synchronous commit on; `--pg name=value` sets others, e.g.
 * synchronous_commit=off, which is as durable as SQLite's WAL with synchronous NORMAL: a crash
 * may lose the last commits, never the file). The runs alternate between the stores (SQLite, PostgreSQL, PostgreSQL, SQLite, …) so that a change in the machine's load
 * falls on both alike; only one master has work at a time.
 *
 *   node --import tsx bench/execution-postgres.ts [--jobs 3000] [--connections 32] [--rounds 2] [--pg name=value]...
 *
 * Prints a markdown table and writes bench/results/execution-postgres-<time>.json. A job that
 * fails or is cancelled, or a wrong result, makes the run exit non-zero.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { StoreConfig } from '../src/config.js'
import { startPostgres } from '../test/helpers/postgres.js'
import { BenchHaze, SPARK_CONF } from './execution/haze.js'
import { measureThroughput, THROUGHPUT_GOAL, type ThroughputResult } from './execution/throughput.js'
import { runBenchmark, type Release } from './lib/run.js'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
type Side = 'SQLite' | 'PostgreSQL'

interface Run {
  store: Side
  jobsPerSecond: number
  seconds: number
  failed: number
  refused: number
  submitP50: number
  submitP99: number
  masterCpu: number
}

async function main(signal: AbortSignal, releases: Release[]): Promise<number> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '3000' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '2' },
      pg: { type: 'string', multiple: true, default: [] },
    },
  })
  const counts = { jobs: Number(values.jobs), connections: Number(values.connections) }
  const rounds = Number(values.rounds)

  const pgSettings: Record<string, string> = { shared_buffers: '256MB' }
  for (const setting of values.pg) {
    const [name, value] = setting.split('=', 2)
    if (!name || value === undefined) throw new Error(`--pg takes name=value, not ${JSON.stringify(setting)}`)
    pgSettings[name] = value
  }
  progress(`starting PostgreSQL (fsync and synchronous commit on unless set: ${JSON.stringify(pgSettings)})`)
  const postgres = await startPostgres({ durable: true, settings: pgSettings })
  releases.push(() => postgres.stop())
  const store: StoreConfig = { url: await postgres.createDatabase(), poolSize: 10, password: postgres.password }

  progress('starting a master on SQLite and one on PostgreSQL, each with its warm shared context')
  const masters: Record<Side, BenchHaze> = {
    SQLite: await BenchHaze.start(releases, SPARK_CONF),
    PostgreSQL: await BenchHaze.start(releases, SPARK_CONF, store),
  }
  // A first, untimed burst per master: the worker downloads the artifact and loads the function.
  for (const side of ['SQLite', 'PostgreSQL'] as const) {
    progress(`warm-up: 200 jobs on ${side}`)
    await measureThroughput(masters[side], { jobs: 200, connections: counts.connections }, signal)
  }

  const runs: Run[] = []
  const order: Side[] = []
  for (let round = 0; round < rounds; round++) order.push(...((round % 2 === 0 ? ['SQLite', 'PostgreSQL'] : ['PostgreSQL', 'SQLite']) as Side[]))
  for (const side of order) {
    progress(`${side}: ${counts.jobs} no-op jobs over ${counts.connections} connections`)
    runs.push(summary(side, await measureThroughput(masters[side], counts, signal)))
  }

  const wrong = [...masters.SQLite.wrongAnswers, ...masters.PostgreSQL.wrongAnswers]
  const report = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/execution-postgres.ts ${process.argv.slice(2).join(' ')}`.trim(),
    cpus: availableParallelism(),
    loadAverage: loadavg(),
    counts,
    postgresSettings: pgSettings,
    runs,
    wrongAnswers: wrong,
  }
  console.log(markdown(report.runs, counts, pgSettings))
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `execution-postgres-${report.date.replaceAll(':', '-')}.json`)
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`\nwritten to ${file}`)
  const failed = runs.reduce((sum, run) => sum + run.failed, 0)
  if (failed > 0 || wrong.length > 0) {
    console.error(`\nFAILED: ${failed} job(s) failed or cancelled, ${wrong.length} wrong answer(s)`)
    return 1
  }
  return 0
}

function summary(store: Side, result: ThroughputResult): Run {
  const master = result.cpu.find((share) => share.part.startsWith('Haze master'))
  return {
    store,
    jobsPerSecond: result.jobsPerSecond,
    seconds: result.seconds,
    failed: result.failed,
    refused: Object.values(result.refused).reduce((sum, entry) => sum + entry.count, 0),
    submitP50: result.submitLatency.p50,
    submitP99: result.submitLatency.p99,
    masterCpu: master?.cpus ?? Number.NaN,
  }
}

function markdown(runs: readonly Run[], counts: { jobs: number; connections: number }, pgSettings: Record<string, string>): string {
  const lines = [
    `### Throughput of no-op jobs by store (${counts.jobs} jobs a run over ${counts.connections} connections, maxJobs 8; goal ≥ ${THROUGHPUT_GOAL} jobs/s)`,
    '',
    `PostgreSQL settings: ${Object.entries(pgSettings).map(([name, value]) => `${name}=${value}`).join(', ')} (fsync and synchronous_commit on unless set here)`,
    '',
    '| run | store | jobs/s | seconds | failed | refused | submit p50 ms | submit p99 ms | master CPUs |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map(
      (run, i) =>
        `| ${i + 1} | ${run.store} | ${run.jobsPerSecond.toFixed(0)} | ${run.seconds.toFixed(2)} | ${run.failed} | ${run.refused} | ${run.submitP50.toFixed(2)} | ${run.submitP99.toFixed(2)} | ${run.masterCpu.toFixed(2)} |`,
    ),
    '',
  ]
  for (const side of ['SQLite', 'PostgreSQL'] as const) {
    const rates = runs.filter((run) => run.store === side).map((run) => run.jobsPerSecond)
    lines.push(`${side}: median ${median(rates).toFixed(0)} jobs/s over ${rates.length} runs (${rates.map((r) => r.toFixed(0)).join(', ')})`)
  }
  return lines.join('\n')
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

function progress(message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`)
}

await runBenchmark(main)
