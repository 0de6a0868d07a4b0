/**
 * The Haze side of the execution benchmark: a real master started in-process as the tests
 * start one (a temp data dir, a silent log, a free loopback port), the benchmark's artifact
 * uploaded, and its contexts and functions created over HTTP, as a user would.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig, type StoreConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startServer, type HazeServer } from '../../src/server.js'
import { resolveSparkHome } from '../../src/workers/launcher.js'
import { KeepAliveClient, type TimedResponse } from '../lib/http-timing.js'
import type { SparkSetup } from '../lib/spark-baseline.js'

/**
 * The Spark settings of both Haze contexts and of both baselines (plus any --spark-conf), so
 * that they are the same by construction. Haze itself adds the last two to a shared worker's
 * settings; they are spelled out so that the baselines get them too.
 */
export const SPARK_CONF: Readonly<Record<string, string>> = {
  'spark.master': 'local[2]',
  'spark.ui.enabled': 'false',
  'spark.sql.shuffle.partitions': '2',
  'spark.ui.showConsoleProgress': 'false',
  'spark.scheduler.mode': 'FAIR',
}

export const WARM_CONTEXT = 'bench-warm'
export const COLD_CONTEXT = 'bench-cold'
export const WARM_MAX_JOBS = 8
const ARTIFACT = 'bench_jobs.py'
const ARTIFACT_FILE = fileURLToPath(new URL(`../functions/${ARTIFACT}`, import.meta.url))
/** Haze function name → the function in bench_jobs.py. */
const FUNCTIONS = { noop: 'noop', sum: 'sum_million' } as const
export type BenchFunction = keyof typeof FUNCTIONS

export const NOOP_RESULT = 1
export const SUM_RESULT = 499_999_500_000

const WORKER_READY_MS = 180_000

type Release = () => unknown

/** A job as the job lists show it. */
export interface ListedJob {
  jobId: string
  status: string
  createTime: number
  startTime?: number
  endTime?: number
  workerId?: string
}

export interface WorkerLink {
  name: string
  context: string
  state: string
  pid?: number
}

export class BenchHaze {
  /** One keep-alive connection for timed, sequential requests. */
  readonly client: KeepAliveClient
  /** Answers that were not what the function returns; each one is printed. */
  readonly wrongAnswers: string[] = []

  private constructor(
    readonly server: HazeServer,
    readonly spark: SparkSetup,
  ) {
    this.client = new KeepAliveClient(server.url)
  }

  /**
   * Starts the master and sets up the catalog with `sparkConf`; `releases` gets what must be
   * undone. The store is the embedded SQLite file unless `store` names another.
   */
  static async start(releases: Release[], sparkConf: Readonly<Record<string, string>>, store?: StoreConfig): Promise<BenchHaze> {
    const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-'))
    releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const loaded = loadConfig({ port: '0', dataDir }, {})
    const config = { ...loaded, store: store ?? loaded.store, workerStartTimeout: WORKER_READY_MS }
    const server = await startServer(config, createLogger('silent'))
    releases.push(() => server.stop())
    // The Spark the master starts its workers with, found the same way.
    const sparkHome = config.sparkHome ?? (await resolveSparkHome(config.python))
    const haze = new BenchHaze(server, { sparkHome, python: config.python, conf: sparkConf })
    releases.push(() => haze.client.close())
    await haze.setUpCatalog()
    return haze
  }

  /** Untimed requests (set-up, inspection); the answer's text, or a throw if it is not a 200. */
  async text(path: string, init?: RequestInit): Promise<string> {
    const response = await fetch(`${this.server.url}${path}`, init)
    const text = await response.text()
    if (response.status !== 200) throw new Error(`${init?.method ?? 'GET'} ${path} answered ${response.status}: ${text}`)
    return text
  }

  async json<T>(path: string, init?: RequestInit): Promise<T> {
    return JSON.parse(await this.text(path, init)) as T
  }

  /**
   * POST …/jobs?force=true on the timed connection: the answer comes when the job has ended.
   * An answer other than `{"success":true,"payload":<expected>}` is recorded as wrong.
   */
  async runForced(fn: BenchFunction, expected: unknown, query = ''): Promise<TimedResponse> {
    const response = await this.client.post(`/v2/api/functions/${fn}/jobs?force=true${query}`, '{}')
    const problem = jobResultProblem(response, expected)
    if (problem !== undefined) this.recordWrong(`POST /v2/api/functions/${fn}/jobs?force=true${query}: ${problem}`)
    return response
  }

  recordWrong(problem: string): void {
    this.wrongAnswers.push(problem)
    if (this.wrongAnswers.length <= 5) console.error(`WRONG ANSWER from ${problem}`)
  }

  /** The function's newest `limit` jobs (at most 10,000), oldest first. */
  async latestJobs(fn: BenchFunction, limit: number, status?: string): Promise<ListedJob[]> {
    const filter = status === undefined ? '' : `&status=${status}`
    const page = await this.json<{ jobs: ListedJob[] }>(`/v2/api/functions/${fn}/jobs?paginate=true&limit=${limit}${filter}`)
    return page.jobs.reverse()
  }

  /** How many jobs of any function have one of `statuses`, from the job list's total. */
  async countJobs(statuses: readonly string[]): Promise<number> {
    const filter = statuses.map((status) => `&status=${status}`).join('')
    const page = await this.client.get(`/v2/api/jobs?paginate=true&limit=0${filter}`)
    return (JSON.parse(page.body) as { total: number }).total
  }

  async workers(context: string): Promise<WorkerLink[]> {
    return (await this.json<WorkerLink[]>('/v2/api/workers')).filter((worker) => worker.context === context)
  }

  /** Polls every 100 ms until `check` holds, for `ms` at most. */
  async until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  private async setUpCatalog(): Promise<void> {
    const form = new FormData()
    form.append('file', new Blob([readFileSync(ARTIFACT_FILE)]), ARTIFACT)
    await this.text('/v2/api/artifacts', { method: 'POST', body: form }) // answers the file name, as Mist does
    await this.post('/v2/api/contexts', {
      name: WARM_CONTEXT,
      workerMode: 'shared',
      maxJobs: WARM_MAX_JOBS,
      precreated: true,
      downtime: 'Inf',
      sparkConf: this.spark.conf,
    })
    await this.post('/v2/api/contexts', { name: COLD_CONTEXT, workerMode: 'exclusive', maxJobs: 1, sparkConf: this.spark.conf })
    for (const [name, className] of Object.entries(FUNCTIONS)) {
      await this.post('/v2/api/functions', { name, path: ARTIFACT, className, defaultContext: WARM_CONTEXT })
    }
    // The precreated context starts its worker at once; the benchmark starts once it is up.
    await this.until(
      `the ${WARM_CONTEXT} worker to be ready`,
      async () => (await this.workers(WARM_CONTEXT)).some((worker) => worker.state === 'ready'),
      WORKER_READY_MS,
    )
  }

  private post(path: string, body: unknown): Promise<unknown> {
    return this.json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  }
}

/** What is wrong with a force=true answer, or undefined if it is the expected JobResult. */
function jobResultProblem(response: TimedResponse, expected: unknown): string | undefined {
  if (response.status !== 200) return `HTTP ${response.status}: ${response.body.slice(0, 300)}`
  try {
    const result = JSON.parse(response.body) as { success?: unknown; payload?: unknown }
    if (result.success === true && result.payload === expected) return undefined
  } catch {
    // not JSON: reported below
  }
  return `expected payload ${JSON.stringify(expected)}, got ${response.body.slice(0, 300)}`
}
