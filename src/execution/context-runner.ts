/**
 * One context's queue and workers (Mist's "frontend" and "connector" in one).
 *
 * - exclusive: a new worker per job, up to maxJobs workers at once; each stops after its job.
 * - shared: one long-lived worker running up to maxJobs jobs at once in threads, so a job
 *   never waits for a worker to start while the warm one has room. It stops after `downtime`
 *   idle, unless the context is precreated (then it is started at once and kept warm).
 * - A worker that fails to start fails the jobs waiting for it with its cause (its output's
 *   error lines); maxConnFailures consecutive start failures make the context broken: new
 *   jobs fail at once with the cause, until the context is changed.
 * Jobs are handed out oldest first.
 */
import { randomBytes } from 'node:crypto'
import type { ContextConfig } from '../domain/context.js'
import { describeDuration } from '../domain/duration.js'
import type { Logger } from '../logger.js'
import type { Worker, WorkerExit, WorkerSpec } from '../workers/worker.js'
import type { JobRun } from './job-run.js'

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
  private dispatching = false
  private dispatchAgain = false

  constructor(
    private config: ContextConfig,
    private readonly host: RunnerHost,
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
    for (const slot of [...this.slots]) this.retire(slot, 'its context changed')
    this.dispatch()
  }

  /** Stops taking jobs and stops idle workers; busy ones finish first. */
  retireAll(reason: string): void {
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
    for (const slot of [...this.slots]) {
      if (!this.slots.has(slot) || slot.retiring || slot.worker.state !== 'ready') continue
      while (slot.running.size < slot.worker.capacity && this.queue.length > 0) {
        const run = this.queue.shift()
        if (!run) break
        this.clearIdle(slot)
        slot.running.add(run)
        this.host.assign(run, slot.worker)
      }
      this.handleIdle(slot)
    }
    this.startWorkersAsNeeded()
  }

  private startWorkersAsNeeded(): void {
    const live = [...this.slots].filter((slot) => !slot.retiring && slot.worker.state !== 'exited')
    if (this.config.workerMode === 'exclusive') {
      const starting = live.filter((slot) => slot.worker.state === 'starting').length
      const wanted = Math.min(this.queue.length - starting, this.config.maxJobs - live.length)
      for (let i = 0; i < wanted; i++) this.startWorker()
    } else if (live.length === 0 && (this.queue.length > 0 || this.config.precreated)) {
      this.startWorker()
    }
  }

  private startWorker(): void {
    this.started += 1
    const shared = this.config.workerMode === 'shared'
    const id = `${this.config.name}_${this.connectorId}${shared ? '-pool-' : '_'}${this.started}`
    const worker = this.host.launch({ id, context: this.config, capacity: shared ? this.config.maxJobs : 1 })
    const slot: Slot = { worker, exclusive: !shared, running: new Set(), retiring: false }
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
      // oldest queued job (each worker is started for one), in shared mode all queued jobs.
      const waiting = slot.exclusive ? this.queue.splice(0, 1) : this.queue.splice(0)
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

  /** A shared worker with nothing to do stops after `downtime`, unless its context is precreated. */
  private handleIdle(slot: Slot): void {
    const idle = slot.running.size === 0 && this.queue.length === 0
    if (!idle) return this.clearIdle(slot)
    if (slot.exclusive) {
      void slot.worker.stop('no job is waiting for it')
      return
    }
    if (this.config.precreated || !Number.isFinite(this.config.downtime) || slot.idleTimer) return
    const downtime = this.config.downtime
    slot.idleTimer = setTimeout(
      () => void slot.worker.stop(`idle for ${describeDuration(downtime)} (the context's downtime)`),
      Math.min(downtime, 2_147_483_647),
    )
  }

  private clearIdle(slot: Slot): void {
    clearTimeout(slot.idleTimer)
    slot.idleTimer = undefined
  }

  brokenMessage(): string {
    return `context ${this.config.name} is broken: ${this.brokenCause ?? 'unknown cause'}; update the context to try again`
  }
}
