/**
 * A scripted worker double for the executor's own tests (timeouts, crashes, queues): the
 * test decides when a worker becomes ready, what it answers, and when it dies. End-to-end
 * tests use real PySpark workers instead.
 */
import { EventEmitter } from 'node:events'
import type { ContextConfig } from '../../src/domain/context.js'
import { isValidMasterMessage, type MasterMessage, type WorkerLang, type WorkerMessage } from '../../src/workers/protocol.js'
import type { Worker, WorkerEvents, WorkerInfo, WorkerLauncher, WorkerSpec, WorkerState } from '../../src/workers/worker.js'

export class FakeWorker extends EventEmitter<WorkerEvents> implements Worker {
  readonly id: string
  readonly context: ContextConfig
  readonly capacity: number
  readonly lang: WorkerLang
  readonly info: WorkerInfo = { startTime: Date.now(), pid: 4242 }
  state: WorkerState = 'starting'
  readonly received: MasterMessage[] = []
  stopReason: string | undefined

  constructor(spec: WorkerSpec) {
    super()
    this.id = spec.id
    this.context = spec.context
    this.capacity = spec.capacity
    this.lang = spec.lang
  }

  /** Jobs it was asked to run, by id. */
  get runs(): string[] {
    return this.received.flatMap((m) => (m.type === 'run' ? [m.jobId] : []))
  }

  ready(): void {
    this.state = 'ready'
    this.info.sparkVersion = '4.3.0'
    this.emit('ready')
  }

  say(message: WorkerMessage): void {
    this.emit('message', message)
  }

  finish(jobId: string, resultJson = '1'): void {
    this.say({ type: 'started', jobId, time: Date.now() })
    this.say({ type: 'finished', jobId, time: Date.now(), resultJson })
  }

  /** Dies on its own (crash or start failure). */
  die(reason = 'exited with code 1', lastLines: string[] = []): void {
    if (this.state === 'exited') return
    const duringStart = this.info.sparkVersion === undefined
    this.state = 'exited'
    this.emit('exit', { reason, duringStart, requested: false, lastLines, errorLines: lastLines.filter((l) => /error/i.test(l)) })
  }

  send(message: MasterMessage): boolean {
    // Whatever the executor sends must be a message of the worker-link schema.
    if (!isValidMasterMessage(message)) throw new Error(`not a worker-link message: ${JSON.stringify(message)}`)
    if (this.state !== 'ready' && this.state !== 'stopping') return false
    this.received.push(message)
    return true
  }

  stop(reason: string): Promise<void> {
    return this.end(reason)
  }

  kill(reason: string): Promise<void> {
    return this.end(reason)
  }

  private end(reason: string): Promise<void> {
    if (this.state !== 'exited') {
      this.stopReason = reason
      this.state = 'exited'
      this.emit('exit', { reason, duringStart: this.info.sparkVersion === undefined, requested: true, lastLines: [], errorLines: [] })
    }
    return Promise.resolve()
  }
}

export class FakeLauncher implements WorkerLauncher {
  readonly launched: FakeWorker[] = []
  /** Called for every new worker, e.g. to make it ready at once. */
  onLaunch: (worker: FakeWorker) => void = () => undefined

  launch(spec: WorkerSpec): Worker {
    const worker = new FakeWorker(spec)
    this.launched.push(worker)
    queueMicrotask(() => this.onLaunch(worker))
    return worker
  }

  live(): FakeWorker[] {
    return this.launched.filter((worker) => worker.state !== 'exited')
  }
}
