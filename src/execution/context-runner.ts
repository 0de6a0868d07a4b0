/**
 * One context's queue and workers (Mist's "frontend" and "connector" in one).
 *
 * - exclusive: a new worker per job, up to maxJobs jobs at once; each stops after its job.
 * - shared: a long-lived worker running up to maxJobs jobs at once in threads, so a job
 *   never waits for a worker to start while the warm one has room; a further one (up to
 *   maxWorkers) when queued jobs do not fit. An idle one stops after `downtime`, unless the
 *   context is precreated (then one is started at once and kept warm).
 * - spares (spareWorkers): workers started ahead of demand that have never run a job. A job
 *   takes a ready spare before anything is started for it, and a replacement starts at once.
 *   Exclusive: at most maxJobs busy workers plus spareWorkers fresh ones (spares, or started
 *   for a queued job); shared: at most maxWorkers workers, spares included. A spare waits for
 *   a job however long (no downtime); it stops when its context changes, is deleted, or Haze
 *   stops. A spare's start failure counts toward maxConnFailures like any other.
 * - A worker that fails to start fails the jobs waiting for it with its cause (its output's
 *   error lines); maxConnFailures consecutive start failures make the context broken: new
 *   jobs fail at once with the cause, until the context is changed.
 * Jobs are handed out oldest first.
 */
import { randomBytes } from 'node:crypto'
import type { ContextConfig } from '../domain/context.js'
import { describeDuration } from '../domain/duration.js'
import type { Logger } from '../logger.js'
import type { WorkerLang } from '../workers/protocol.js'
import type { Worker, WorkerExit, WorkerSpec } from '../workers/worker.js'
import type { JobRun } from './job-run.js'

/** True if a context starts workers before any job: spares, or a precreated shared worker. */
export function startsAhead(context: ContextConfig): boolean {
  return context.spareWorkers > 0 || (context.precreated && context.workerMode === 'shared')
}

export interface RunnerHost {
  launch(spec: WorkerSpec): Worker
  /** Hands a queued job to a worker with room for it. */
  assign(run: JobRun, worker: Worker): void
  /** Fails a job that never reached a worker (broken context). */
  failQueued(run: JobRun, reason: string): void
  /** A worker ended; `runs` were on it. */
  workerEnded(worker: Worker, exit: WorkerExit, runs: JobRun[]): void
  /** A line of a worker's own output; `runs` are on it now. */
  workerOutput(worker: Worker, line: string, runs: ReadonlySet<JobRun>): void
  log: Logger
}

interface Slot {
  worker: Worker
  /** An exclusive worker serves one job, then stops. */
  exclusive: boolean
  running: Set<JobRun>
  /** No new jobs: stop once the running ones end (its context changed). */
  retiring: boolean
  /** Started ahead of demand, or left without the job it was started for; never given a job. */
  spare: boolean
  /** Has been given a job. */
  used: boolean
  idleTimer?: NodeJS.Timeout | undefined
}

export class ContextRunner {
  private readonly queue: JobRun[] = []
  private readonly slots = new Set<Slot>()
  private failures = 0
  private brokenCause: string | undefined
  private readonly connectorId = randomBytes(4).toString('hex')
  private started = 0
  private closed = false
  /** Keeps spares and a precreated worker; false once the context is deleted. */
  private warm = true
  private dispatching = false
  private dispatchAgain = false

  constructor(
    private config: ContextConfig,
    private readonly host: RunnerHost,
    /** The kind of worker it starts: a context serving both languages has a runner of each. */
    readonly lang: WorkerLang = 'python',
  ) {
    this.dispatch()
  }

  get name(): string {
    return this.config.name
  }

  get broken(): string | undefined {
    return this.brokenCause
  }

  /** Jobs waiting for a worker. */
  get waiting(): number {
    return this.queue.length
  }

  get workers(): Worker[] {
    return [...this.slots].map((slot) => slot.worker)
  }

  /** A ready spare: a worker that has never run a job, waiting for one. */
  isSpare(worker: Worker): boolean {
    return [...this.slots].some((slot) => slot.worker === worker && slot.spare && !slot.retiring && worker.state === 'ready')
  }

  enqueue(run: JobRun): void {
    if (this.brokenCause !== undefined) {
      this.host.failQueued(run, this.brokenMessage())
      return
    }
    this.queue.push(run)
    this.dispatch()
  }

  /** Takes a job out of the queue (cancelled before it started); false if it was not queued. */
  dequeue(run: JobRun): boolean {
    const index = this.queue.indexOf(run)
    if (index < 0) return false
    this.queue.splice(index, 1)
    return true
  }

  /** A job on one of this context's workers ended. */
  jobEnded(run: JobRun): void {
    for (const slot of [...this.slots]) {
      if (!slot.running.delete(run)) continue
      // An exclusive worker serves one job; a retiring one stops once its last job ends.
      if (slot.exclusive) this.retire(slot, 'its job is done')
      else if (slot.retiring && slot.running.size === 0) void slot.worker.stop('its context changed')
    }
    this.dispatch()
  }

  /** The context was changed: new settings for new workers, the broken state cleared. */
  reconfigure(config: ContextConfig): void {
    this.config = config
    this.failures = 0
    this.brokenCause = undefined
    this.warm = true
    for (const slot of [...this.slots]) this.retire(slot, 'its context changed')
    this.dispatch()
  }

  /** The context was deleted: stops idle workers (spares too) and keeps none warm; busy ones finish first. */
  retireAll(reason: string): void {
    this.warm = false
    for (const slot of [...this.slots]) this.retire(slot, reason)
  }

  /** Hands out no more jobs and starts no more workers (shutdown has begun). */
  freeze(): void {
    this.closed = true
  }

  /** Stops every worker (shutdown). */
  async close(reason: string): Promise<void> {
    this.closed = true
    await Promise.all([...this.slots].map((slot) => slot.worker.stop(reason)))
  }

  /**
   * Hands queued jobs to workers with room and starts workers as needed. Stopping a worker can
   * end it synchronously and re-enter here; a re-entrant call is folded into another pass.
   */
  private dispatch(): void {
    if (this.dispatching) {
      this.dispatchAgain = true
      return
    }
    this.dispatching = true
    try {
      do {
        this.dispatchAgain = false
        this.dispatchOnce()
      } while (this.dispatchAgain)
    } finally {
      this.dispatching = false
    }
  }

  private dispatchOnce(): void {
    if (this.closed) return
    if (this.brokenCause !== undefined) {
      for (const run of this.queue.splice(0)) this.host.failQueued(run, this.brokenMessage())
      return
    }
    // Workers that have run jobs first (shared: keep the warm ones busy), spares last.
    const slots = [...this.slots].sort((a, b) => Number(a.spare) - Number(b.spare))
    for (const slot of slots) {
      if (!this.slots.has(slot) || slot.retiring || slot.worker.state !== 'ready') continue
      while (slot.running.size < slot.worker.capacity && this.queue.length > 0 && this.mayRunAnother()) {
        const run = this.queue.shift()
        if (!run) break
        this.clearIdle(slot)
        slot.spare = false
        slot.used = true
        slot.running.add(run)
        this.host.assign(run, slot.worker)
      }
      this.handleIdle(slot)
    }
    this.startWorkersAsNeeded()
  }

  /** Exclusive: at most maxJobs workers busy, whatever spares are ready. */
  private mayRunAnother(): boolean {
    if (this.config.workerMode === 'shared') return true
    return this.live().filter((slot) => slot.running.size > 0).length < this.config.maxJobs
  }

  private live(): Slot[] {
    return [...this.slots].filter((slot) => !slot.retiring && slot.worker.state !== 'exited')
  }

  private sparesWanted(): number {
    return this.warm ? this.config.spareWorkers : 0
  }

  private startWorkersAsNeeded(): void {
    const live = this.live()
    const spares = live.filter((slot) => slot.spare).length
    let forJobs: number
    let room: number
    if (this.config.workerMode === 'exclusive') {
      // A fresh worker (a spare, or one starting for a queued job) for each queued job that may
      // run now, and spareWorkers more: at most maxJobs + spareWorkers drivers.
      const busy = live.filter((slot) => slot.running.size > 0).length
      forJobs = Math.min(this.queue.length, Math.max(0, this.config.maxJobs - busy))
      room = forJobs + this.sparesWanted() - (live.length - busy)
    } else {
      // Starting workers count as room; a further worker when queued jobs do not fit, one if
      // the context is precreated and has none, spares on top: at most maxWorkers.
      const free = live.reduce((sum, slot) => sum + slot.worker.capacity - slot.running.size, 0)
      forJobs = Math.ceil(Math.max(0, this.queue.length - free) / this.config.maxJobs)
      if (forJobs === 0 && live.length === 0 && this.warm && this.config.precreated) forJobs = 1
      room = Math.min(forJobs + Math.max(0, this.sparesWanted() - spares), this.config.maxWorkers - live.length)
    }
    // The ones for queued jobs first (a precreated worker is not a spare), then spares.
    for (let i = 0, newSpares = 0; i < room; i++) {
      const spare = i >= forJobs && spares + newSpares < this.sparesWanted()
      if (spare) newSpares += 1
      this.startWorker(spare)
    }
  }

  private startWorker(spare: boolean): void {
    this.started += 1
    const shared = this.config.workerMode === 'shared'
    const kind = this.lang === 'jvm' ? '-jvm' : ''
    const id = `${this.config.name}_${this.connectorId}${kind}${shared ? '-pool-' : '_'}${this.started}`
    // A worker no job waits for yet (a spare, a precreated one) has time to warm up.
    const warmUp = spare || this.queue.length === 0
    const worker = this.host.launch({ id, context: this.config, capacity: shared ? this.config.maxJobs : 1, lang: this.lang, warmUp })
    const slot: Slot = { worker, exclusive: !shared, running: new Set(), retiring: false, spare, used: false }
    this.slots.add(slot)
    worker.on('ready', () => {
      this.failures = 0
      this.dispatch()
    })
    worker.on('output', (line) => this.host.workerOutput(worker, line, slot.running))
    worker.on('exit', (exit) => this.onWorkerExit(slot, exit))
  }

  private onWorkerExit(slot: Slot, exit: WorkerExit): void {
    this.clearIdle(slot)
    this.slots.delete(slot)
    const runs = [...slot.running]
    slot.running.clear()
    this.host.workerEnded(slot.worker, exit, runs)
    if (exit.duringStart && !exit.requested) {
      this.failures += 1
      const lines = exit.errorLines.length > 0 ? exit.errorLines.slice(0, 5) : exit.lastLines.slice(-8)
      const output = lines.filter((line) => line.trim() !== '').join(' | ')
      const cause = `worker ${slot.worker.id} failed to start: ${exit.reason}${output ? `: ${output}` : ''}`
      this.host.log.warn({ context: this.config.name, failures: this.failures, cause }, 'worker start failed')
      // The jobs that were waiting for this worker fail with its cause: in exclusive mode the
      // oldest queued job (each worker is started for one), in shared mode all queued jobs. A
      // spare fails none: exclusive starts a worker for each job no spare took, shared serves
      // them with the next start, and starts that keep failing break the context, failing them.
      const waiting = slot.spare ? [] : slot.exclusive ? this.queue.splice(0, 1) : this.queue.splice(0)
      for (const run of waiting) this.host.failQueued(run, cause)
      if (this.failures >= this.config.maxConnFailures) {
        this.brokenCause = cause
        this.host.log.error({ context: this.config.name, cause }, 'context is broken')
      }
    }
    this.dispatch()
  }

  private retire(slot: Slot, reason: string): void {
    slot.retiring = true
    this.clearIdle(slot)
    if (slot.running.size === 0) void slot.worker.stop(reason)
  }

  /**
   * A spare waits for a job however long. A fresh worker whose job went away becomes a spare if
   * one is missing; else an exclusive one stops. A shared worker with nothing to do stops after
   * `downtime`, except the one a precreated context keeps warm.
   */
  private handleIdle(slot: Slot): void {
    const idle = slot.running.size === 0 && this.queue.length === 0
    if (!idle) return this.clearIdle(slot)
    if (slot.spare) return
    if (!slot.used && this.live().filter((other) => other.spare).length < this.sparesWanted()) {
      slot.spare = true
      return
    }
    if (slot.exclusive) {
      void slot.worker.stop('no job is waiting for it')
      return
    }
    if (this.keptWarm(slot) || !Number.isFinite(this.config.downtime) || slot.idleTimer) return
    const downtime = this.config.downtime
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = undefined
      if (this.keptWarm(slot)) return
      void slot.worker.stop(`idle for ${describeDuration(downtime)} (the context's downtime)`)
    }, Math.min(downtime, 2_147_483_647))
  }

  /** A precreated shared context keeps one worker warm: this one, if no other is left. */
  private keptWarm(slot: Slot): boolean {
    if (!this.config.precreated || !this.warm) return false
    return !this.live().some((other) => other !== slot && !other.spare)
  }

  private clearIdle(slot: Slot): void {
    clearTimeout(slot.idleTimer)
    slot.idleTimer = undefined
  }

  brokenMessage(): string {
    return `context ${this.config.name} is broken: ${this.brokenCause ?? 'unknown cause'}; update the context to try again`
  }
}
