/**
 * How long a standby master takes to serve after the active one is killed: from SIGKILL of the
 * active master to the standby's first `/ready` 200 (what a load balancer waits for).
 *
 * Two masters run as real processes (`haze start`) on one PostgreSQL database (Debian's,
 * started here with its durable defaults) and one data dir. Before each kill, `--unfinished`
 * jobs the active master "was running" are recorded (status started, on a worker), so the
 * standby's take-over includes resolving them as a restart does (they fail with the reason).
 * After each run the killed master is started again, as a standby, and the roles swap.
 * No Spark is started: the masters have no contexts with workers.
 *
 *   node --import tsx bench/standby-takeover.ts [--runs 10] [--unfinished 100]
 *
 * Prints p50 and max over the runs, each run's figure, and writes
 * bench/results/standby-takeover-<time>.json. A run whose unfinished jobs are not all failed
 * with the restart's reason, or whose killed master is still alive, makes it exit non-zero.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openStores } from '../src/store/factory.js'
import { startCli } from '../test/helpers/cli.js'
import { makeJob } from '../test/helpers/jobs.js'
import { startPostgres } from '../test/helpers/postgres.js'
import { summarize } from './lib/http-timing.js'
import { runBenchmark, type Release } from './lib/run.js'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
const POLL_MS = 10

interface Master {
  child: ChildProcess
  url: string
}

async function main(signal: AbortSignal, releases: Release[]): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, unfinished: { type: 'string', default: '100' } } })
  const runs = Number(values.runs)
  const unfinished = Number(values.unfinished)

  const postgres = await startPostgres({ durable: true })
  releases.push(() => postgres.stop())
  const database = await postgres.createDatabase()
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-takeover-'))
  releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const children: ChildProcess[] = []
  releases.push(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  // The bench's own view of the store, to record the jobs a master leaves and read what became of them.
  const stores = await openStores({ url: database, poolSize: 2, password: postgres.password }, dataDir)
  releases.push(() => stores.close())

  const start = async (): Promise<Master> => {
    const env = { ...process.env, HAZE_STORE_URL: database, HAZE_STORE_PASSWORD: postgres.password, HAZE_LOG_FORMAT: 'json' }
    const master = await startCli(['--data-dir', dataDir], { env })
    children.push(master.child)
    return master
  }
  const ready = async (master: Master) => (await fetch(`${master.url}/ready`).catch(() => undefined))?.status

  let active = await start()
  let standby = await start()
  if ((await ready(active)) !== 200 || (await ready(standby)) !== 503) throw new Error('expected one active master (ready 200) and one standby (503)')

  const figures: number[] = []
  const problems: string[] = []
  for (let run = 1; run <= runs; run++) {
    signal.throwIfAborted()
    const left = Array.from({ length: unfinished }, (_, i) => makeJob({ function: 'bench', status: 'started', workerId: `bench_w_${run}_${i % 4}`, createTime: Date.now() }))
    for (const job of left) await stores.jobs.insert(job)

    const exited = new Promise((resolve) => active.child.once('exit', resolve))
    const killedAt = performance.now()
    active.child.kill('SIGKILL')
    for (;;) {
      if ((await ready(standby)) === 200) break
      if (performance.now() - killedAt > 60_000) throw new Error(`run ${run}: the standby did not take over within 60 s`)
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    const took = performance.now() - killedAt
    figures.push(took)
    await exited

    const after = await Promise.all(left.map((job) => stores.jobs.get(job.jobId)))
    const unresolved = after.filter((job) => job?.status !== 'failed' || !String(job.result).includes('the master restarted while the job was running'))
    if (unresolved.length > 0) problems.push(`run ${run}: ${unresolved.length} of the killed master's jobs were not failed with the restart's reason`)
    console.error(`run ${run}: standby ready ${took.toFixed(0)} ms after SIGKILL (${unfinished} jobs resolved)`)

    // The killed master comes back as a standby; the roles swap.
    const restarted = await start()
    if ((await ready(restarted)) !== 503) problems.push(`run ${run}: the restarted master is not a standby`)
    active = standby
    standby = restarted
  }

  const latency = summarize(figures)
  const report = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/standby-takeover.ts ${process.argv.slice(2).join(' ')}`.trim(),
    cpus: availableParallelism(),
    loadAverage: loadavg(),
    runs,
    unfinished,
    pollMs: POLL_MS,
    milliseconds: figures,
    summary: latency,
    problems,
  }
  console.log(
    `Standby take-over, SIGKILL of the active master → standby /ready 200, ${runs} runs, ${unfinished} jobs left running each time:` +
      ` p50 ${latency.p50.toFixed(0)} ms, max ${latency.max.toFixed(0)} ms (runs: ${figures.map((ms) => ms.toFixed(0)).join(', ')})`,
  )
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `standby-takeover-${report.date.replaceAll(':', '-')}.json`)
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`written to ${file}`)
  for (const problem of problems) console.error(`WRONG: ${problem}`)
  return problems.length > 0 ? 1 : 0
}

await runBenchmark(main)
