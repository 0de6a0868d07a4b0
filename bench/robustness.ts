/**
 * Robustness figures (issue 14), each on a real master run as its own process:
 *
 *   node --import tsx bench/robustness.ts [--only burst,restart,kills]
 *        [--jobs 10000] [--connections 256] [--queue-limits 10000,1000]
 *        [--stored 100000] [--unfinished 1000] [--restarts 3] [--kills 20]
 *
 * - burst: `--jobs` no-op jobs submitted at once over `--connections` connections to one warm
 *   shared context (real Spark), once per queue limit: how many are accepted and how many
 *   refused (429/503 with Retry-After), submission latency, time until the last job ends, the
 *   master's peak memory (VmHWM), and a check against the SQLite file that every accepted job
 *   is stored and terminal and no refused one is.
 * - restart: a store holding `--stored` jobs, `--unfinished` of them left in progress by a
 *   stopped master (bench/lib/synthetic-jobs.ts): from spawning `haze start` to `/ready` 200,
 *   and to every unfinished job resolved, `--restarts` times on fresh copies.
 * - kills: the master SIGKILLed `--kills` times while jobs are queued and running (what
 *   test/e2e-master-killed.test.ts does 3 times): time per kill-and-restart cycle, how soon
 *   its workers were gone, `PRAGMA integrity_check` after each kill, and after the last restart
 *   every accepted job stored and ended with a reason.
 *
 * A lost, stuck or wrongly stored job, a worker outliving its master by more than 10 s or a
 * failed integrity check makes the run exit non-zero; figures are never pass/fail.
 */
import type { ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { OPEN_STATUSES } from '../src/domain/job.js'
import { openSqlite } from '../src/store/sqlite/database.js'
import { freePort } from '../test/helpers/broker-process.js'
import { exited, startCli } from '../test/helpers/cli.js'
import { groupAlive } from '../test/helpers/processes.js'
import { sample } from '../test/helpers/samples.js'
import { until } from '../test/helpers/wait.js'
import { KeepAliveClient, summarize, type Latency } from './lib/http-timing.js'
import { spawnMaster } from './lib/master-process.js'
import { runBenchmark, type Release } from './lib/run.js'
import { loadJobs } from './lib/synthetic-jobs.js'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
const ARTIFACT_FILE = fileURLToPath(new URL('./functions/bench_jobs.py', import.meta.url))
const SPARK_CONF = { 'spark.master': 'local[2]', 'spark.ui.enabled': 'false' }
const WORKER_GRACE_MS = 10_000
const OPEN_QUERY = OPEN_STATUSES.map((status) => `status=${status}`).join('&')

function memoryOf(pid: number): { peakMiB: number; rssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN)
  return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 }
}

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T
const total = async (url: string, query = '') => (await getJson<{ total: number }>(`${url}/v2/api/jobs?paginate=true&limit=0${query ? `&${query}` : ''}`)).total
const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function deployNoop(url: string, context: string): Promise<void> {
  const form = new FormData()
  form.append('file', new Blob([readFileSync(ARTIFACT_FILE)]), 'bench_jobs.py')
  if (!(await fetch(`${url}/v2/api/artifacts`, { method: 'POST', body: form })).ok) throw new Error('upload failed')
  const ctx = { name: context, workerMode: 'shared', maxJobs: 8, precreated: true, downtime: 'Inf', sparkConf: SPARK_CONF }
  if (!(await post(url, '/v2/api/contexts', ctx)).ok) throw new Error('context creation failed')
  if (!(await post(url, '/v2/api/functions', { name: 'noop', path: 'bench_jobs.py', className: 'noop', defaultContext: context })).ok) {
    throw new Error('function creation failed')
  }
  await until(async () => (await getJson<{ state: string }[]>(`${url}/v2/api/workers`)).some((w) => w.state === 'ready'), 'the warm worker', 180_000)
}

// --- the burst ------------------------------------------------------------------------------

interface BurstReport {
  queueLimit: number
  jobs: number
  connections: number
  accepted: number
  refused: { status429: number; status503: number; withoutRetryAfter: number }
  other: Record<string, number>
  submitMs: Latency
  submitAcceptedMs: Latency
  burstSeconds: number
  lastEndSeconds: number
  memoryMiB: { idle: number; peak: number }
  store: { stored: number; terminal: number; withReason: number; missing: number; refusedButStored: number; byStatus: Record<string, number> }
  problems: string[]
}

async function burst(queueLimit: number, jobs: number, connections: number): Promise<BurstReport> {
  const releases: Release[] = []
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-burst-'))
    releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const master = spawnMaster(dataDir, { port: await freePort(), queueLimit }, releases)
    const { url } = master
    await until(() => fetch(`${url}/ready`).then((r) => r.ok, () => false), 'the master to be ready', 60_000)
    await deployNoop(url, 'burst')
    const pid = master.child.pid ?? 0
    const idle = memoryOf(pid)

    console.log(`burst: ${jobs} no-op jobs over ${connections} connections, queueLimit ${queueLimit}`)
    const client = new KeepAliveClient(url, connections)
    releases.push(() => client.close())
    const answers: { status: number; ms: number; retryAfter: string | undefined; id: string | undefined; sentAt: number }[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < jobs) {
          next += 1
          const response = await client.post('/v2/api/functions/noop/jobs', '{}')
          const id = response.status === 200 ? (JSON.parse(response.body) as { id: string }).id : undefined
          const retryAfter = response.headers['retry-after']
          answers.push({ status: response.status, ms: response.milliseconds, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, id, sentAt: response.sentAt })
        }
      }),
    )
    const firstSent = Math.min(...answers.map((a) => a.sentAt))
    const lastAnswered = Math.max(...answers.map((a) => a.sentAt + a.ms))
    const accepted = answers.filter((a) => a.id !== undefined)
    const refused = answers.filter((a) => a.status === 429 || a.status === 503)
    const other: Record<string, number> = {}
    for (const answer of answers) if (answer.id === undefined && answer.status !== 429 && answer.status !== 503) other[answer.status] = (other[answer.status] ?? 0) + 1

    const problems: string[] = []
    // Every accepted job must end: bounded, so a stuck one shows as a problem, not a hang.
    await until(async () => (await total(url, OPEN_QUERY)) === 0, 'every accepted job to end', 600_000).catch((error: Error) => problems.push(error.message))
    const peak = memoryOf(pid).peakMiB
    master.child.kill('SIGTERM')
    await master.ended

    const db = new Database(join(dataDir, 'haze.db'), { readonly: true })
    const rows = db.prepare('SELECT job_id, status, end_time, result FROM jobs').all() as { job_id: string; status: string; end_time: number | null; result: string | null }[]
    db.close()
    const stored = new Map(rows.map((row) => [row.job_id, row]))
    const acceptedIds = new Set(accepted.map((a) => a.id))
    const byStatus: Record<string, number> = {}
    for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1
    const terminal = rows.filter((row) => ['finished', 'failed', 'cancelled'].includes(row.status))
    const store = {
      stored: rows.length,
      terminal: terminal.length,
      withReason: terminal.filter((row) => row.status === 'finished' || (row.result ?? '').length > 2).length,
      missing: [...acceptedIds].filter((id) => id !== undefined && !stored.has(id)).length,
      refusedButStored: rows.filter((row) => !acceptedIds.has(row.job_id)).length,
      byStatus,
    }
    if (store.missing > 0) problems.push(`${store.missing} accepted jobs are not in the store`)
    if (store.refusedButStored > 0) problems.push(`${store.refusedButStored} stored jobs were never accepted`)
    if (store.terminal !== rows.length) problems.push(`${rows.length - store.terminal} jobs not terminal`)
    if (store.withReason !== store.terminal) problems.push(`${store.terminal - store.withReason} failed or cancelled jobs without a reason`)
    const withoutRetryAfter = refused.filter((a) => a.retryAfter === undefined).length
    if (withoutRetryAfter > 0) problems.push(`${withoutRetryAfter} refusals without Retry-After`)
    if (Object.keys(other).length > 0) problems.push(`answers other than 200, 429, 503: ${JSON.stringify(other)}`)
    const lastEnd = Math.max(...rows.map((row) => row.end_time ?? 0))
    return {
      queueLimit,
      jobs,
      connections,
      accepted: accepted.length,
      refused: { status429: refused.filter((a) => a.status === 429).length, status503: refused.filter((a) => a.status === 503).length, withoutRetryAfter },
      other,
      submitMs: summarize(answers.map((a) => a.ms)),
      submitAcceptedMs: summarize(accepted.map((a) => a.ms)),
      burstSeconds: (lastAnswered - firstSent) / 1000,
      lastEndSeconds: (lastEnd - firstSent) / 1000,
      memoryMiB: { idle: idle.rssMiB, peak },
      store,
      problems,
    }
  } finally {
    for (const release of releases.reverse()) await release()
  }
}

// --- the restart ----------------------------------------------------------------------------

interface RestartReport {
  stored: number
  unfinished: number
  loadSeconds: number
  runs: { readyMs: number; resolvedMs: number; openAfter: number; resolved: number; peakMiB: number }[]
  problems: string[]
}

async function restart(storedCount: number, unfinished: number, runs: number, signal: AbortSignal): Promise<RestartReport> {
  const releases: Release[] = []
  try {
    const templateDir = mkdtempSync(join(tmpdir(), 'haze-bench-restart-'))
    releases.push(() => rmSync(templateDir, { recursive: true, force: true }))
    const template = join(templateDir, 'haze.db')
    const loadStarted = performance.now()
    const db = openSqlite(template)
    await loadJobs(db, { count: storedCount, unfinished }, () => undefined, signal)
    const openBefore = (db.prepare(`SELECT count(*) AS n FROM jobs WHERE status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`).get() as { n: number }).n
    db.close()
    const loadSeconds = (performance.now() - loadStarted) / 1000
    console.log(`restart: ${storedCount} jobs stored, ${openBefore} unfinished (loaded in ${loadSeconds.toFixed(1)} s)`)
    const problems: string[] = []
    if (openBefore !== unfinished) problems.push(`the history holds ${openBefore} unfinished jobs, not ${unfinished}`)
    const report: RestartReport = { stored: storedCount, unfinished, loadSeconds, runs: [], problems }
    for (let run = 0; run < runs; run++) {
      const runReleases: Release[] = []
      try {
        const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-restart-run-'))
        runReleases.push(() => rmSync(dataDir, { recursive: true, force: true }))
        copyFileSync(template, join(dataDir, 'haze.db'))
        const port = await freePort()
        const spawned = performance.now()
        const master = spawnMaster(dataDir, { port }, runReleases)
        // Polled every 10 ms (until): the figure is the first 200 seen.
        await until(() => fetch(`${master.url}/ready`).then((r) => r.status === 200, () => false), '/ready 200', 300_000)
        const readyMs = performance.now() - spawned
        const openAfter = await until(async () => {
          const open = await total(master.url, OPEN_QUERY)
          return open === 0 ? open : undefined
        }, 'every unfinished job resolved', 300_000).catch(() => -1)
        const resolvedMs = performance.now() - spawned
        const all = await total(master.url)
        if (all !== storedCount) problems.push(`run ${run + 1}: ${all} jobs listed, ${storedCount} stored`)
        if (openAfter !== 0) problems.push(`run ${run + 1}: jobs still unfinished after 300 s`)
        report.runs.push({ readyMs, resolvedMs, openAfter, resolved: openBefore - Math.max(0, openAfter), peakMiB: memoryOf(master.child.pid ?? 0).peakMiB })
        console.log(`  run ${run + 1}: /ready 200 after ${readyMs.toFixed(0)} ms, all resolved after ${resolvedMs.toFixed(0)} ms`)
      } finally {
        for (const release of runReleases.reverse()) await release()
      }
    }
    return report
  } finally {
    for (const release of releases.reverse()) await release()
  }
}

// --- the kills ------------------------------------------------------------------------------

interface KillsReport {
  kills: number
  cycles: { listenMs: number; runningMs: number; workersGoneMs: number; workers: number; integrity: string; cycleMs: number }[]
  final: { accepted: number; stored: number; byStatus: Record<string, number>; endedMs: number; integrity: string }
  problems: string[]
}

async function kills(count: number): Promise<KillsReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-kills-'))
  const children: ChildProcess[] = []
  const integrity = () => {
    const db = new Database(join(dataDir, 'haze.db'))
    try {
      return String(db.pragma('integrity_check', { simple: true }))
    } finally {
      db.close()
    }
  }
  const upload = (name: string) => {
    const form = new FormData()
    form.append('file', new Blob([sample(name)]), name)
    return { method: 'POST', body: form }
  }
  const problems: string[] = []
  const cycles: KillsReport['cycles'] = []
  const accepted: string[] = []
  try {
    for (let round = 0; round < count; round++) {
      const spawned = performance.now()
      const { child, url } = await startCli(['--data-dir', dataDir])
      children.push(child)
      const listenMs = performance.now() - spawned
      if (round === 0) {
        if (!(await fetch(`${url}/v2/api/artifacts`, upload('jobs.py'))).ok) throw new Error('upload failed')
        const ctx = { name: 'kills', workerMode: 'shared', maxJobs: 2, downtime: 'Inf', sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }
        if (!(await post(url, '/v2/api/contexts', ctx)).ok) throw new Error('context creation failed')
        for (const [name, className] of [['slow', 'slow_count'], ['noop', 'noop']]) {
          if (!(await post(url, '/v2/api/functions', { name, path: 'jobs.py', className, defaultContext: 'kills' })).ok) throw new Error(`deploy ${name} failed`)
        }
      }
      // As the test: two long jobs take both slots, four short ones wait behind them.
      const answers = await Promise.all([
        ...[0, 1].map(() => post(url, '/v2/api/functions/slow/jobs', { seconds: 15 })),
        ...[0, 1, 2, 3].map(() => post(url, '/v2/api/functions/noop/jobs', {})),
      ])
      const ofRound: string[] = []
      for (const answer of answers) {
        if (answer.status !== 200) throw new Error(`a submit was answered ${answer.status}`)
        ofRound.push(((await answer.json()) as { id: string }).id)
      }
      accepted.push(...ofRound)
      await until(async () => {
        for (const id of ofRound) if ((await getJson<{ status: string }>(`${url}/v2/api/jobs/${id}`)).status === 'started') return true
        return false
      }, 'a job of this round to be running', 180_000)
      const runningMs = performance.now() - spawned
      const workers = (await getJson<{ pid?: number }[]>(`${url}/v2/api/workers`)).flatMap((w) => (w.pid === undefined ? [] : [w.pid]))
      child.kill('SIGKILL')
      await exited(child)
      const killedAt = performance.now()
      await until(() => workers.every((pid) => !groupAlive(pid)), 'the workers to exit after their master', 60_000).catch(() => undefined)
      const workersGoneMs = performance.now() - killedAt
      if (workersGoneMs > WORKER_GRACE_MS) problems.push(`kill ${round + 1}: workers outlived the master by ${workersGoneMs.toFixed(0)} ms`)
      const check = integrity()
      if (check !== 'ok') problems.push(`kill ${round + 1}: integrity_check says ${check}`)
      cycles.push({ listenMs, runningMs, workersGoneMs, workers: workers.length, integrity: check, cycleMs: performance.now() - spawned })
      console.log(`  kill ${round + 1}: listening after ${listenMs.toFixed(0)} ms, killed at ${runningMs.toFixed(0)} ms, ${workers.length} worker(s) gone ${workersGoneMs.toFixed(0)} ms after, integrity ${check}`)
    }
    const restarted = performance.now()
    const { child, url } = await startCli(['--data-dir', dataDir])
    children.push(child)
    const byStatus: Record<string, number> = {}
    for (const id of accepted) {
      const job = await until(async () => {
        const details = await getJson<{ status: string; jobResult?: unknown }>(`${url}/v2/api/jobs/${id}`)
        return ['finished', 'failed', 'cancelled'].includes(details.status) && details
      }, `job ${id} to end`, 300_000).catch(() => undefined)
      if (!job) {
        problems.push(`job ${id} did not end`)
        continue
      }
      byStatus[job.status] = (byStatus[job.status] ?? 0) + 1
      if (job.status !== 'finished' && JSON.stringify(job.jobResult ?? '').length <= 2) problems.push(`job ${id} ${job.status} without a reason`)
    }
    const endedMs = performance.now() - restarted
    const stored = await total(url)
    if (stored !== accepted.length) problems.push(`${stored} jobs stored, ${accepted.length} accepted`)
    child.kill('SIGTERM')
    await exited(child)
    const check = integrity()
    if (check !== 'ok') problems.push(`integrity_check at the end says ${check}`)
    return { kills: count, cycles, final: { accepted: accepted.length, stored, byStatus, endedMs, integrity: check }, problems }
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// --- the report -----------------------------------------------------------------------------

const ms = (value: number) => value.toFixed(1)
const s = (value: number) => value.toFixed(2)

async function main(signal: AbortSignal): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', default: 'burst,restart,kills' },
      jobs: { type: 'string', default: '10000' },
      connections: { type: 'string', default: '256' },
      'queue-limits': { type: 'string', default: '10000,1000' },
      stored: { type: 'string', default: '100000' },
      unfinished: { type: 'string', default: '1000' },
      restarts: { type: 'string', default: '3' },
      kills: { type: 'string', default: '20' },
    },
  })
  const only = new Set(values.only.split(','))
  const report: { date: string; burst?: BurstReport[]; restart?: RestartReport; kills?: KillsReport } = { date: new Date().toISOString() }
  const problems: string[] = []

  if (only.has('burst')) {
    report.burst = []
    for (const limit of values['queue-limits'].split(',').map(Number)) {
      signal.throwIfAborted()
      const result = await burst(limit, Number(values.jobs), Number(values.connections))
      report.burst.push(result)
      problems.push(...result.problems.map((problem) => `burst (queueLimit ${limit}): ${problem}`))
    }
    console.log('\n| queueLimit | accepted | refused 429 / 503 (all with Retry-After) | submit p50 ms | p99 ms | max ms | burst answered in s | last job ended after s | master RSS idle → peak MiB | stored = accepted, all terminal |')
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    for (const b of report.burst) {
      console.log(
        `| ${b.queueLimit} | ${b.accepted} of ${b.jobs} (${((100 * b.accepted) / b.jobs).toFixed(1)}%) | ${b.refused.status429} / ${b.refused.status503}${b.refused.withoutRetryAfter > 0 ? ` (${b.refused.withoutRetryAfter} without)` : ''} | ` +
          `${ms(b.submitMs.p50)} | ${ms(b.submitMs.p99)} | ${ms(b.submitMs.max)} | ${s(b.burstSeconds)} | ${s(b.lastEndSeconds)} | ${b.memoryMiB.idle.toFixed(0)} → ${b.memoryMiB.peak.toFixed(0)} | ` +
          `${b.problems.length === 0 ? `yes (${b.store.stored} stored: ${JSON.stringify(b.store.byStatus)})` : `NO: ${b.problems.join('; ')}`} |`,
      )
    }
  }
  if (only.has('restart')) {
    signal.throwIfAborted()
    const result = await restart(Number(values.stored), Number(values.unfinished), Number(values.restarts), signal)
    report.restart = result
    problems.push(...result.problems.map((problem) => `restart: ${problem}`))
    const ready = summarize(result.runs.map((r) => r.readyMs))
    const resolved = summarize(result.runs.map((r) => r.resolvedMs))
    console.log(`\nrestart with ${result.stored} jobs stored, ${result.unfinished} unfinished, ${result.runs.length} runs:`)
    console.log(`  spawn → /ready 200: p50 ${ready.p50.toFixed(0)} ms, max ${ready.max.toFixed(0)} ms; → all resolved: p50 ${resolved.p50.toFixed(0)} ms, max ${resolved.max.toFixed(0)} ms; peak RSS ${Math.max(...result.runs.map((r) => r.peakMiB)).toFixed(0)} MiB`)
  }
  if (only.has('kills')) {
    signal.throwIfAborted()
    console.log(`\nkills: the master SIGKILLed ${values.kills} times with jobs queued and running`)
    const result = await kills(Number(values.kills))
    report.kills = result
    problems.push(...result.problems.map((problem) => `kills: ${problem}`))
    const cycle = summarize(result.cycles.map((c) => c.cycleMs))
    const gone = summarize(result.cycles.map((c) => c.workersGoneMs))
    const listen = summarize(result.cycles.map((c) => c.listenMs))
    console.log(`  cycle (spawn → listening → jobs running → SIGKILL → workers gone → integrity_check): p50 ${s(cycle.p50 / 1000)} s, max ${s(cycle.max / 1000)} s`)
    console.log(`  spawn → listening: p50 ${listen.p50.toFixed(0)} ms, max ${listen.max.toFixed(0)} ms`)
    console.log(`  workers gone after the kill: p50 ${gone.p50.toFixed(0)} ms, max ${gone.max.toFixed(0)} ms (allowed ${WORKER_GRACE_MS} ms)`)
    console.log(`  integrity_check ok after ${result.cycles.filter((c) => c.integrity === 'ok').length} of ${result.cycles.length} kills and at the end: ${result.final.integrity}`)
    console.log(`  after the last restart: ${result.final.stored} stored of ${result.final.accepted} accepted, ${JSON.stringify(result.final.byStatus)}, all ended ${s(result.final.endedMs / 1000)} s after the restart`)
  }
  for (const problem of problems) console.log(`PROBLEM: ${problem}`)
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(join(RESULTS_DIR, `robustness-${Date.now()}.json`), JSON.stringify({ ...report, problems }, null, 2))
  return problems.length > 0 ? 1 : 0
}

void runBenchmark((signal) => main(signal))
