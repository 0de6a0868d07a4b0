/**
 * Runs jobs: checks a request against the function, records the job, queues it on its
 * context, hands it to a worker, follows it to a terminal status with a reason, and records
 * every transition (store, event bus, job log). Terminal statuses are final.
 */
import { randomUUID } from 'node:crypto'
import { checkArguments, parseArguments } from '../domain/arguments.js'
import type { ContextConfig } from '../domain/context.js'
import { describeDuration, INFINITE, type Duration } from '../domain/duration.js'
import { badRequest, HazeError, notFound } from '../domain/errors.js'
import type { JobRecord, JobSource } from '../domain/job.js'
import type { EventBus } from '../events/bus.js'
import type { Logger } from '../logger.js'
import type { JobLogs, LogLevel } from '../logs/job-logs.js'
import type { ContextService } from '../catalog/context-service.js'
import { langOfPath, type FunctionRecord, type FunctionSignature } from '../domain/function.js'
import type { JobPatch, JobStore } from '../store/job-store.js'
import { isContextKind, workerLangFor, type ContextKind, type WorkerLang, type WorkerMessage } from '../workers/protocol.js'
import type { Worker, WorkerExit, WorkerLauncher, WorkerSpec } from '../workers/worker.js'
import { ContextRunner, startsAhead, type RunnerHost } from './context-runner.js'
import { JobJournal, ROUTINE } from './job-journal.js'
import { armTimer, clearTimers, newRun, type JobRun } from './job-run.js'
import { recoverUnfinished } from './recovery.js'
import { capReason } from './limits.js'
import { resultReference, type ResultFiles } from '../results/result-files.js'

export interface ExecutorSettings {
  /** Largest result a job may return, in bytes of JSON. */
  resultLimit: number
  /** Most of a job's own output kept in its log, in bytes; unlimited if absent. */
  jobLogLimit?: number
  /** Most jobs waiting for a worker in one context; unlimited if absent. */
  queueLimit?: number
  /** How long a cancelled job's code may keep running before its worker is recycled. */
  cancelGrace: Duration
  /** How long shutdown waits for running jobs before failing them. */
  shutdownGrace: Duration
  /** Where a worker downloads an artifact. */
  artifactUrl(name: string): string
  /** Where a worker uploads a result over `resultLimit`; relative to the master's URL if absent. */
  resultUrl?(jobId: string): string
}

/** What the executor needs of the function catalog (FunctionService in production). */
export interface FunctionResolver {
  resolveForRun(name: string): Promise<{ record: FunctionRecord; signature: FunctionSignature; sha1: string }>
  /** The problem the function's own rules (Mist's `validated`) find with the arguments, if any. */
  checkRules?(record: FunctionRecord, signature: FunctionSignature, sha1: string, argumentsText: string): Promise<string | undefined>
  /** The kinds of worker of the functions whose default context it is; without it, python only. */
  workerLangsOf?(context: string): Promise<WorkerLang[]>
}

export interface ExecutorDeps {
  jobs: JobStore
  functions: FunctionResolver
  contexts: ContextService
  logs: JobLogs
  bus: EventBus
  launcher: WorkerLauncher
  log: Logger
  settings: ExecutorSettings
  /** Results over `resultLimit`; without it a job whose result was stored fails. */
  results?: ResultFiles
}

export interface SubmitRequest {
  functionName: string
  /** The arguments object, as the client sent it. */
  argumentsText: string
  context?: string | undefined
  externalId?: string | undefined
  startTimeout?: Duration
  performTimeout?: Duration
  source: JobSource
  /** The name of the API token that started it, if any. */
  startedBy?: string | undefined
}

export class Executor implements RunnerHost {
  readonly log: Logger
  private readonly journal: JobJournal
  /** Per context and kind of worker (runnerKey). */
  private readonly runners = new Map<string, ContextRunner>()
  private readonly runs = new Map<string, JobRun>()
  /** Per context, submissions past the queue-limit check and not yet queued. */
  private readonly admitting = new Map<string, number>()
  private accepting = true
  private recoveredFlag = false
  private stopping: Promise<void> | undefined
  /** Resolved by kill(): shutdown stops waiting for running jobs and workers. */
  private hurry!: () => void
  private readonly hurried = new Promise<void>((resolve) => (this.hurry = resolve))

  constructor(private readonly deps: ExecutorDeps) {
    this.log = deps.log.child({ part: 'executor' })
    this.journal = new JobJournal(deps.jobs, deps.logs, deps.bus, this.log, deps.settings.jobLogLimit ?? Infinity)
    deps.bus.on('context:changed', async ({ context }) => {
      for (const runner of this.runnersOf(context.name)) runner.reconfigure(context)
      await this.startAhead(context)
    })
    // A function deployed to a context that starts workers ahead may need a worker of its language there.
    deps.bus.on('function:changed', async ({ function: record }) => {
      const context = await deps.contexts.get(record.defaultContext)
      if (context) await this.startAhead(context)
    })
    deps.bus.on('context:deleted', ({ context }) => {
      for (const runner of this.runnersOf(context.name)) runner.retireAll('its context was deleted')
    })
  }

  /** Resolves jobs a previous master left unfinished, then starts spares and precreated workers. */
  async start(): Promise<void> {
    await recoverUnfinished({
      jobs: this.deps.jobs,
      contexts: this.deps.contexts,
      functions: this.deps.functions,
      journal: this.journal,
      requeue: (job, { signature, sha1 }, context, patch) => {
        this.enqueue(this.track(job, signature, sha1, {}), context, patch)
      },
    })
    this.recoveredFlag = true
    for (const context of await this.deps.contexts.list()) await this.startAhead(context)
  }

  /** True once the jobs a previous master left are resolved: every job's state is then sure. */
  get recovered(): boolean {
    return this.recoveredFlag
  }

  /** False from the first moment of shutdown: new jobs are refused. */
  get acceptsJobs(): boolean {
    return this.accepting
  }

  /**
   * Jobs waiting for a worker and jobs on one (assigned to cancelling), per context this master
   * has served, zeros included, as it holds them now. Read-only; /metrics reads it per scrape.
   */
  load(): Map<string, { queued: number; running: number }> {
    const load = new Map([...this.runners.values()].map((runner) => [runner.name, { queued: 0, running: 0 }]))
    for (const run of this.runs.values()) {
      if (run.state === 'done') continue
      const counts = load.get(run.record.context) ?? { queued: 0, running: 0 }
      if (run.state === 'queued') counts.queued += 1
      else counts.running += 1
      load.set(run.record.context, counts)
    }
    return load
  }

  /**
   * The job as this master holds it now, if it runs through it. Its events are published right
   * after this record is updated, so it reflects every event published for the job so far.
   */
  liveRecord(jobId: string): JobRecord | undefined {
    return this.runs.get(jobId)?.record
  }

  /** Validates and records a job, then queues it. Throws a 4xx-kind error before any job exists. */
  async submit(request: SubmitRequest): Promise<JobRun> {
    if (!this.accepting) throw new HazeError('unavailable', 'Haze is shutting down; submit the job again once it is back')
    const { record: fn, signature, sha1 } = await this.deps.functions.resolveForRun(request.functionName)
    const args = parseArguments(request.argumentsText)
    const problems = checkArguments(args, signature.execute)
    if (problems.length > 0) {
      throw badRequest(`invalid arguments for function ${JSON.stringify(fn.name)}: ${problems.join('; ')}`)
    }
    const broken = await this.deps.functions.checkRules?.(fn, signature, sha1, request.argumentsText)
    if (broken !== undefined) throw badRequest(`invalid arguments for function ${JSON.stringify(fn.name)}: ${broken}`)
    const contextName = request.context ?? fn.defaultContext
    const context = await this.deps.contexts.get(contextName)
    if (!context) {
      throw badRequest(
        request.context !== undefined
          ? `context ${JSON.stringify(contextName)} does not exist; create it with POST /v2/api/contexts or leave out ?context=`
          : `function ${JSON.stringify(fn.name)} runs in context ${JSON.stringify(contextName)}, which no longer exists; create it or update the function`,
      )
    }
    if (!isContextKind(signature.contextKind)) {
      throw badRequest(`function ${JSON.stringify(fn.name)} asks for a Spark object Haze cannot give: ${signature.contextKind}`)
    }
    // Jobs being recorded count as waiting: a burst must not slip past the limit between the
    // check and the queue.
    const limit = this.deps.settings.queueLimit ?? Infinity
    const admitting = this.admitting.get(context.name) ?? 0
    const waiting = this.runnersOf(context.name).reduce((sum, runner) => sum + runner.waiting, 0)
    if (waiting + admitting >= limit) {
      throw new HazeError(
        'too_many_requests',
        `context ${JSON.stringify(context.name)} has ${limit} jobs waiting for a worker, its limit (queueLimit); retry later, or raise maxJobs or queueLimit`,
      )
    }
    this.admitting.set(context.name, admitting + 1)
    // Released once the job is in the queue (it is counted there from then on), or on failure:
    // held until the answer, a queued job would count twice and a burst be refused early.
    let held = true
    const release = () => {
      if (!held) return
      held = false
      const left = (this.admitting.get(context.name) ?? 1) - 1
      if (left > 0) this.admitting.set(context.name, left)
      else this.admitting.delete(context.name)
    }
    try {
      return await this.admit(fn, context, signature, sha1, request, release)
    } finally {
      release()
    }
  }

  private async admit(
    fn: FunctionRecord,
    context: ContextConfig,
    signature: FunctionSignature,
    sha1: string,
    request: SubmitRequest,
    queued: () => void,
  ): Promise<JobRun> {
    const record: JobRecord = {
      jobId: randomUUID(),
      function: fn.name,
      context: context.name,
      path: fn.path,
      className: fn.className,
      arguments: request.argumentsText.trim(),
      action: 'execute',
      externalId: request.externalId,
      source: request.source,
      status: 'initialized',
      createTime: Date.now(),
      startedBy: request.startedBy,
    }
    await this.deps.jobs.insert(record)
    const run = this.track(record, signature, sha1, request)
    this.deps.bus.publish('job:event', { event: 'initialized', job: record, time: record.createTime })
    void this.journal.accepted(record)
    this.enqueue(run, context)
    queued()
    // Answer once the job is recorded as queued (or failed, in a broken context).
    await run.chain
    return run
  }

  /** Cancels a job; answers it as stored once it ended, or after the grace period if it did not. */
  async cancel(jobId: string): Promise<JobRecord> {
    const run = this.runs.get(jobId)
    if (!run) {
      const stored = await this.deps.jobs.get(jobId)
      if (!stored) throw notFound(`job ${JSON.stringify(jobId)} not found`)
      return stored
    }
    this.requestCancel(run, 'user request')
    await within(run.ended, this.deps.settings.cancelGrace + 5000)
    await run.chain
    return run.record
  }

  /** The job's record once it is terminal. */
  async ended(jobId: string): Promise<JobRecord> {
    const run = this.runs.get(jobId)
    if (run) return run.ended
    const stored = await this.deps.jobs.get(jobId)
    if (!stored) throw notFound(`job ${JSON.stringify(jobId)} not found`)
    return stored
  }

  /** True while `jobId` runs on `workerId`: only then may that worker store the job's result. */
  acceptsResult(jobId: string, workerId: string): boolean {
    const run = this.runs.get(jobId)
    return run !== undefined && run.state !== 'done' && run.state !== 'queued' && run.worker?.id === workerId
  }

  /**
   * The master could not write the job's result to its disk: the job fails saying why (the
   * worker, cut off mid-upload, could only say that the connection broke). A job being
   * cancelled stays the cancel's.
   */
  resultNotStored(jobId: string, workerId: string, reason: string): void {
    const run = this.runs.get(jobId)
    if (run?.worker?.id !== workerId || run.state === 'done' || run.state === 'cancelling') return
    this.end(run, 'failed', reason)
  }

  workers(): Worker[] {
    return [...this.runners.values()].flatMap((runner) => runner.workers)
  }

  /** True for a ready spare: started ahead of demand, never given a job. */
  isSpare(worker: Worker): boolean {
    return this.runners.get(runnerKey(worker.context.name, worker.lang))?.isSpare(worker) ?? false
  }

  /** Jobs now assigned to a worker. */
  jobsOn(workerId: string): JobRecord[] {
    return [...this.runs.values()]
      .filter((run) => run.worker?.id === workerId && run.state !== 'done')
      .map((run) => run.record)
  }

  async stopWorker(workerId: string): Promise<void> {
    const worker = this.workers().find((candidate) => candidate.id === workerId)
    if (!worker) throw notFound(`worker ${JSON.stringify(workerId)} not found; GET /v2/api/workers lists the live ones`)
    await worker.kill('stopped by a user request')
  }

  /**
   * Shutdown: stop intake, give running jobs `shutdownGrace` to end, fail the rest, stop every
   * worker. Queued jobs stay queued in the store and run after the next start.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.accepting = false
      for (const runner of this.runners.values()) runner.freeze()
      const active = () => [...this.runs.values()].filter((run) => run.state !== 'queued' && run.state !== 'done')
      const running = active()
      if (running.length > 0) {
        this.log.info({ jobs: running.length }, 'waiting for running jobs before shutting down')
        await within(Promise.race([Promise.all(running.map((run) => run.ended)), this.hurried]), this.deps.settings.shutdownGrace)
      }
      for (const run of active()) {
        this.end(run, 'failed', `Haze shut down while the job was running on worker ${run.worker?.id ?? '?'}`)
      }
      for (const run of this.runs.values()) clearTimers(run)
      const closing = Promise.all([...this.runners.values()].map((runner) => runner.close('Haze is shutting down')))
      await Promise.race([closing, this.hurried])
      await Promise.all(this.workers().map((worker) => worker.kill('Haze was stopped by force')))
      await Promise.all([...this.runs.values()].map((run) => run.chain))
    })()
    return this.stopping
  }

  /** Shutdown without waiting: running jobs fail now and workers are killed. */
  kill(): Promise<void> {
    this.hurry()
    return this.stop()
  }

  // --- RunnerHost --------------------------------------------------------------------------

  launch(spec: WorkerSpec): Worker {
    const worker = this.deps.launcher.launch(spec)
    worker.on('message', (message) => this.onWorkerMessage(worker, message))
    const about = { workerId: worker.id, context: worker.context.name }
    this.deps.bus.publish('worker:started', { ...about, time: Date.now() })
    worker.on('ready', () => this.deps.bus.publish('worker:ready', { ...about, time: Date.now(), sparkUi: worker.info.sparkUi }))
    return worker
  }

  assign(run: JobRun, worker: Worker): void {
    clearTimers(run)
    run.state = 'assigned'
    run.worker = worker
    armTimer(run, run.performTimeout, () =>
      this.requestCancel(run, `perform timeout was exceeded: ${describeDuration(run.performTimeout)}`),
    )
    void this.journal.transition(run, 'worker-assigned', { workerId: worker.id }, 'INFO', ROUTINE.assigned(worker.id))
    const sent = worker.send({
      type: 'run',
      jobId: run.record.jobId,
      artifact: { ...run.artifact, url: this.deps.settings.artifactUrl(run.artifact.name) },
      className: run.record.className,
      argumentsJson: run.record.arguments,
      contextKind: run.contextKind,
      streamingDuration: worker.context.streamingDuration,
      resultLimit: this.deps.settings.resultLimit,
      resultUrl: this.deps.settings.resultUrl?.(run.record.jobId) ?? `/internal/workers/results/${encodeURIComponent(run.record.jobId)}`,
      lang: langOfPath(run.artifact.name),
    })
    if (!sent) this.end(run, 'failed', `worker ${worker.id} could not be reached to start the job`)
  }

  failQueued(run: JobRun, reason: string): void {
    this.end(run, 'failed', reason)
  }

  workerEnded(worker: Worker, exit: WorkerExit, runs: JobRun[]): void {
    this.deps.bus.publish('worker:exited', { workerId: worker.id, context: worker.context.name, reason: exit.reason, time: Date.now() })
    const orphans = new Set([...runs, ...[...this.runs.values()].filter((run) => run.worker === worker)])
    for (const run of orphans) {
      if (run.state === 'cancelling') {
        this.end(run, 'cancelled', `Job was cancelled: ${run.cancelReason ?? 'user request'}; worker ${worker.id} was recycled (${exit.reason})`)
      } else {
        this.end(run, 'failed', `worker ${worker.id} exited (${exit.reason})`)
      }
    }
  }

  workerOutput(worker: Worker, line: string, runs: ReadonlySet<JobRun>): void {
    // The driver's own output can be told apart per job only while one job runs on it.
    if (runs.size !== 1 || line.trim() === '') return
    const [run] = runs
    if (!run) return
    const level = /\b(ERROR|WARN|INFO|DEBUG)\b/.exec(line)?.[1] as LogLevel | undefined
    void this.journal.lines(run.record.jobId, [{ level: level ?? 'INFO', time: Date.now(), source: 'spark', message: line }])
  }

  // --- internals ---------------------------------------------------------------------------

  /** The context's runner for workers of `lang`: a context serving both languages has two. */
  private runnerFor(context: ContextConfig, lang: WorkerLang): ContextRunner {
    const key = runnerKey(context.name, lang)
    let runner = this.runners.get(key)
    if (!runner) {
      runner = new ContextRunner(context, this, lang)
      this.runners.set(key, runner)
    }
    return runner
  }

  /**
   * A context with precreated or spare workers gets a runner (which starts them) for each kind
   * of worker its functions run on, python when it has none yet; a runner once made stays.
   */
  private async startAhead(context: ContextConfig): Promise<void> {
    if (!startsAhead(context) || this.stopping) return
    const langs = (await this.deps.functions.workerLangsOf?.(context.name)) ?? []
    // The context as it is now: it may have changed or gone while the functions were read.
    const current = await this.deps.contexts.get(context.name)
    if (!current || !startsAhead(current) || this.stopping) return
    for (const lang of langs.length > 0 ? langs : (['python'] as const)) this.runnerFor(current, lang)
  }

  private runnersOf(contextName: string): ContextRunner[] {
    return [...this.runners.values()].filter((runner) => runner.name === contextName)
  }

  /** Starts following a stored job: from now on the executor is responsible for it. */
  private track(
    record: JobRecord,
    signature: FunctionSignature,
    sha1: string,
    timeouts: Pick<SubmitRequest, 'startTimeout' | 'performTimeout'>,
  ): JobRun {
    const run = newRun({
      record,
      artifact: { name: record.path, sha1 },
      contextKind: signature.contextKind as ContextKind,
      startTimeout: timeouts.startTimeout ?? INFINITE,
      performTimeout: timeouts.performTimeout ?? INFINITE,
    })
    this.runs.set(record.jobId, run)
    return run
  }

  /** `patch` goes with the `queued` transition (a job run again after a restart loses its worker). */
  private enqueue(run: JobRun, context: ContextConfig, patch: JobPatch = {}): void {
    const runner = this.runnerFor(context, workerLangOf(run))
    if (runner.broken !== undefined) {
      // As in Mist: a job for a broken context fails at once, never queued.
      this.end(run, 'failed', runner.brokenMessage())
      return
    }
    void this.journal.transition(run, 'queued', { ...patch, status: 'queued' }, 'INFO', ROUTINE.queued(context.name))
    armTimer(run, run.startTimeout, () =>
      this.requestCancel(run, `start timeout was exceeded: ${describeDuration(run.startTimeout)}`),
    )
    runner.enqueue(run)
  }

  private onWorkerMessage(worker: Worker, message: WorkerMessage): void {
    if (!('jobId' in message)) return
    const run = this.runs.get(message.jobId)
    if (!run || run.worker !== worker || run.state === 'done') return
    switch (message.type) {
      case 'job-file-downloading':
        if (run.state === 'assigned') {
          void this.journal.transition(run, 'job-file-downloading', { status: 'job-file-downloading' }, 'INFO', `downloading ${run.artifact.name}`)
        }
        return
      case 'started':
        if (run.state === 'assigned') {
          void this.journal.transition(run, 'started', { status: 'started', startTime: message.time }, 'INFO', ROUTINE.started(worker.id))
        }
        return
      case 'log':
        void this.journal.lines(run.record.jobId, message.lines)
        return
      case 'finished':
        if ('resultFile' in message) {
          // The file came over HTTP before this frame; the worker's word on its size must match.
          const stored = this.deps.results?.claim(run.record.jobId)
          if (stored?.size !== message.resultFile.size || stored.format !== message.resultFile.format) {
            this.end(run, 'failed', `worker ${worker.id} reported a stored result of ${message.resultFile.size} bytes, but the master ${stored ? `stored ${stored.size} bytes (${stored.format})` : 'has received none'}`)
          } else {
            this.end(run, 'finished', undefined, resultReference(run.record.jobId, stored))
          }
        } else if (!isJson(message.resultJson)) {
          this.end(run, 'failed', `worker ${worker.id} sent a result that is not valid JSON`)
        } else {
          this.end(run, 'finished', undefined, message.resultJson)
        }
        return
      case 'failed':
        if (run.state === 'cancelling' || message.cancelled) {
          this.end(run, 'cancelled', `Job was cancelled: ${run.cancelReason ?? 'by the worker'}`)
        } else {
          this.end(run, 'failed', message.traceback ? `${message.message}\n\n${message.traceback}` : message.message)
        }
        return
    }
  }

  private requestCancel(run: JobRun, reason: string): void {
    if (run.state === 'done' || run.state === 'cancelling') return
    run.cancelReason = reason
    void this.journal.transition(run, 'cancelling', { status: 'cancelling' }, 'WARN', `cancelling: ${reason}`)
    if (run.state === 'queued') {
      this.end(run, 'cancelled', `Job was cancelled: ${reason}`)
      return
    }
    run.state = 'cancelling'
    clearTimers(run)
    const worker = run.worker
    worker?.send({ type: 'cancel', jobId: run.record.jobId })
    const grace = this.deps.settings.cancelGrace
    armTimer(run, grace, () => {
      void this.journal.note(
        run.record.jobId,
        'WARN',
        `the job's code did not stop within ${describeDuration(grace)} of the cancel; recycling worker ${worker?.id ?? '?'}`,
      )
      void worker?.kill(`recycled: a cancelled job's code did not stop within ${describeDuration(grace)}`)
    })
  }

  /**
   * Makes a job terminal: `text` is the reason (failed, cancelled) or `resultJson` the result
   * (finished). Later events for it are ignored.
   */
  private end(run: JobRun, status: 'finished' | 'failed' | 'cancelled', reason?: string, resultJson?: string): void {
    if (run.state === 'done') return
    // A worker's text is the job's code's: a 10 MB exception message must not be kept whole.
    const text = reason === undefined ? undefined : capReason(reason)
    const wasQueued = run.state === 'queued'
    run.state = 'done'
    clearTimers(run)
    const runner = this.runners.get(runnerKey(run.record.context, workerLangOf(run)))
    if (wasQueued) runner?.dequeue(run)
    else runner?.jobEnded(run)
    const result = resultJson ?? (text === undefined ? undefined : JSON.stringify(text))
    // A result stored for a job that then failed or was cancelled is no result of it.
    if (status !== 'finished') void this.deps.results?.remove(run.record.jobId)
    const level: LogLevel = status === 'finished' ? 'INFO' : status === 'cancelled' ? 'WARN' : 'ERROR'
    const line = status === 'finished' ? ROUTINE.finished : `${status}: ${text ?? ''}`
    // The run stays known until its terminal state is stored, so `ended()` never answers early.
    void this.journal.transition(run, status, { status, endTime: Date.now(), result }, level, line).then(() => {
      this.runs.delete(run.record.jobId)
      run.resolveEnded(run.record)
    })
  }
}

/** A runner serves one context with one kind of worker; a language never contains a space. */
const runnerKey = (context: string, lang: WorkerLang): string => `${lang} ${context}`

/** The kind of worker a job needs: its function's language decides (a .jar runs on a JVM worker). */
const workerLangOf = (run: JobRun): WorkerLang => workerLangFor(langOfPath(run.artifact.name))

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Waits for `promise`, or `ms` at most; never rejects. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(ms, 2_147_483_647))))
  await Promise.race([promise.then(() => undefined, () => undefined), timeout])
  clearTimeout(timer)
}
