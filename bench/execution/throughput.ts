/**
 * Comparison 3: how many no-op jobs per second one warm shared context (maxJobs 8) completes.
 *
 * A child process (submit-load.ts) submits a fixed number of jobs asynchronously
 * (`POST /v2/api/functions/noop/jobs`, answered {"id"}) over many keep-alive connections.
 * Meanwhile the benchmark polls the job list's totals every 50 ms, only to notice that every
 * job has ended; the figure itself comes from the store: jobs / (the last job's endTime − the
 * first submit). Also recorded: failed and cancelled jobs (should be none), refused submits,
 * and the CPU time each process used over the run, to show which one is the bottleneck.
 */
import { spawn } from 'node:child_process'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { HAZE_HOME } from '../../src/config.js'
import type { Latency } from '../lib/http-timing.js'
import { cpuBetween, machineCpu, processTree, type ProcessCpu } from '../lib/process-cpu.js'
import { WARM_CONTEXT, WARM_MAX_JOBS, type BenchHaze } from './haze.js'
import { jobStages, type Stage } from './stages.js'
import type { LoadReport } from './submit-load.js'

/** Issue 13's goals: jobs completed per second, and the master's CPU per job (ms). */
export const THROUGHPUT_GOAL = 2000
export const MASTER_CPU_GOAL_MS = 0.4

const LOAD_SCRIPT = fileURLToPath(new URL('./submit-load.ts', import.meta.url))
const POLL_MS = 50
const ENDED = ['finished', 'failed', 'cancelled'] as const

export interface ThroughputCounts {
  jobs: number
  connections: number
}

export interface CpuShare {
  part: string
  seconds: number
  /** seconds ÷ the run's wall time: 1.0 is one CPU kept busy. */
  cpus: number
}

export interface ThroughputResult {
  jobs: number
  connections: number
  maxJobs: number
  /** Jobs completed per second: jobs / (last endTime − first submit). */
  jobsPerSecond: number
  seconds: number
  /** Submits answered per second (first submit → last answer). */
  acceptedPerSecond: number
  finished: number
  /** Jobs that ended failed or cancelled: must be 0. */
  failed: number
  refused: LoadReport['refused']
  submitLatency: Latency
  connectionsOpened: number
  stages: Stage[]
  cpu: CpuShare[]
  /** The master's CPU time (user + system) over the run, per job submitted, in ms. */
  masterCpuPerJobMs: number
  /** Of the machine's CPUs over the run, all processes (other tenants too). */
  machineBusy: number
  completionDetection: string
}

export async function measureThroughput(haze: BenchHaze, counts: ThroughputCounts, signal: AbortSignal): Promise<ThroughputResult> {
  const endedBefore = await countEnded(haze)
  const worker = (await haze.workers(WARM_CONTEXT)).find((candidate) => candidate.state === 'ready')
  if (worker?.pid === undefined) throw new Error(`no ready worker in ${WARM_CONTEXT}`)
  const workerBefore = processTree(worker.pid)
  const masterBefore = process.cpuUsage()
  const machineBefore = machineCpu()

  const load = startLoad(haze.server.url, counts)
  try {
    await untilEnded(haze, endedBefore.finished + endedBefore.failed + counts.jobs, load.failed, signal)
  } catch (error) {
    load.kill()
    throw error
  }
  const doneAt = performance.timeOrigin + performance.now()
  const master = process.cpuUsage(masterBefore)
  const workerCpu = cpuBetween(workerBefore, processTree(worker.pid))
  const machineAfter = machineCpu()
  const report = await load.report

  const endedAfter = await countEnded(haze)
  const jobs = (await haze.latestJobs('noop', counts.jobs)).filter((job) => job.createTime >= Math.floor(report.firstSentAt))
  const finished = jobs.filter((job) => job.status === 'finished')
  if (finished.length === 0) throw new Error('no job of the throughput run finished')
  const lastEnd = Math.max(...finished.map((job) => job.endTime ?? 0))
  const seconds = (lastEnd - report.firstSentAt) / 1000
  const wall = (doneAt - report.firstSentAt) / 1000
  return {
    jobs: counts.jobs,
    connections: counts.connections,
    maxJobs: WARM_MAX_JOBS,
    jobsPerSecond: finished.length / seconds,
    seconds,
    acceptedPerSecond: report.accepted / ((report.lastAnsweredAt - report.firstSentAt) / 1000),
    finished: endedAfter.finished - endedBefore.finished,
    failed: endedAfter.failed - endedBefore.failed,
    refused: report.refused,
    submitLatency: report.latency,
    connectionsOpened: report.connectionsOpened,
    stages: jobStages(jobs),
    cpu: cpuShares((master.user + master.system) / 1e6, report.cpuSeconds, workerCpu, wall),
    masterCpuPerJobMs: (master.user + master.system) / 1e3 / counts.jobs,
    machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
    completionDetection:
      `the job list's totals (GET /v2/api/jobs?status=…&paginate=true&limit=0) polled every ${POLL_MS} ms; ` +
      'the time is taken from the store: the last endTime of the jobs, less the first submit',
  }
}

async function countEnded(haze: BenchHaze): Promise<{ finished: number; failed: number }> {
  const [finished, failed] = [await haze.countJobs(['finished']), await haze.countJobs(ENDED.slice(1))]
  return { finished, failed }
}

interface Load {
  report: Promise<LoadReport>
  /** Rejects as soon as the load generator fails, so that polling stops. */
  failed: Promise<never>
  kill(): void
}

function startLoad(url: string, counts: ThroughputCounts): Load {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', LOAD_SCRIPT, url, '/v2/api/functions/noop/jobs', String(counts.jobs), String(counts.connections)],
    { cwd: HAZE_HOME, shell: false, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines: string[] = []
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => lines.push(line))
  const report = new Promise<LoadReport>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const last = lines.at(-1)
      if (code === 0 && last !== undefined) resolve(JSON.parse(last) as LoadReport)
      else reject(new Error(`the load generator ended with ${signal ?? `code ${code}`}; see its output above`))
    })
  })
  const failed = report.then(() => new Promise<never>(() => {}))
  failed.catch(() => undefined) // observed through `report` as well
  return { report, failed, kill: () => child.kill('SIGKILL') }
}

/** Polls until `target` jobs have ended, for at most ten minutes. */
async function untilEnded(haze: BenchHaze, target: number, failed: Promise<never>, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 600_000
  for (;;) {
    signal.throwIfAborted()
    const ended = await Promise.race([haze.countJobs(ENDED), failed])
    if (ended >= target) return
    if (Date.now() > deadline) throw new Error(`only ${ended} of ${target} jobs ended within 10 minutes`)
    await Promise.race([new Promise((resolve) => setTimeout(resolve, POLL_MS)), failed])
  }
}

/** CPU time per part of the system, the worker's processes grouped by role. */
function cpuShares(masterSeconds: number, loadSeconds: number, worker: readonly ProcessCpu[], wall: number): CpuShare[] {
  const parts = new Map<string, number>([
    ['Haze master (this Node process: server, executor, and the 50 ms poller)', masterSeconds],
    ['load generator (its own Node process)', loadSeconds],
  ])
  for (const process of worker) {
    const part = workerPart(process.command)
    parts.set(part, (parts.get(part) ?? 0) + process.seconds)
  }
  return [...parts].map(([part, seconds]) => ({ part, seconds, cpus: seconds / wall }))
}

function workerPart(command: string): string {
  if (command.includes('org.apache.spark.deploy.SparkSubmit')) return 'worker: JVM (spark-submit, Spark driver)'
  if (command.includes('haze_worker')) return 'worker: Python driver (haze_worker)'
  if (command.includes('pyspark.daemon') || command.includes('pyspark/daemon')) return "worker: Spark's Python workers"
  // A process that has ended but is not yet reaped (a zombie) shows no command line.
  if (command === '') return 'worker: ended processes not yet reaped'
  return `worker: ${basename(command.split(' ')[0] ?? '?')}`
}
