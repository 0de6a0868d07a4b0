/**
 * A worker started with spark-submit: its process group, its output, its link, its liveness.
 *
 * - The child runs in its own process group (spark-submit → JVM → Python); stopping or killing
 *   the worker signals the whole group, so no JVM or Python process is left behind.
 * - It must say hello and become ready within the start deadline, or it is killed and its end
 *   counts as a start failure carrying its last output lines.
 * - Once ready, both sides send heartbeats; a worker silent for three intervals is killed. The
 *   worker's heartbeat vouches for its driver JVM too: a JVM that stops answering is reported
 *   (`jvm-frozen`) and the worker killed, so a stopped JVM cannot hold a job forever.
 * - A link lost while the process lives on (its Python driver died) gives the process a moment
 *   to exit by itself, so the reason says what happened to it rather than that Haze killed it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { constants } from 'node:os'
import { createInterface } from 'node:readline'
import type { WebSocket } from 'ws'
import { describeDuration, type Duration } from '../domain/duration.js'
import type { ContextConfig } from '../domain/context.js'
import type { Logger } from '../logger.js'
import { WorkerOutputFile } from '../logs/worker-output.js'
import { frameText, parseMessage, type MasterMessage, type WorkerLang } from './protocol.js'
import type { Command } from './spark-submit.js'
import type { Worker, WorkerEvents, WorkerInfo, WorkerSpec, WorkerState } from './worker.js'

export interface SparkWorkerOptions {
  spec: WorkerSpec
  command: Command
  startTimeout: Duration
  heartbeatMs: number
  stopGrace: Duration
  /** Where the process's own output is kept: its latest `outputLimit` bytes (rotated at half). */
  outputFile: string
  /** Bytes of the process's own output kept on disk; unlimited if absent. */
  outputLimit?: number | undefined
  /**
   * The command hands the worker over to something else and exits 0 (a manual runner's
   * `detached`): from then on the worker lives by its link alone, and has no process here.
   */
  detached?: boolean
  /** Run once the worker has ended, to stop it wherever it ran (a manual runner's `stop`). */
  stopCommand?: Command | undefined
  log: Logger
}

const STOP_COMMAND_MS = 30_000

/** How long a worker whose link closed may take to exit by itself before its group is killed. */
const LINK_LOSS_GRACE_MS = 5000

const KEPT_LINES = 40
/** A JVM's out-of-heap error in the worker's output: HotSpot's "Terminating due to …" line, or Spark's log of it. */
const OUT_OF_MEMORY = /java\.lang\.OutOfMemoryError(?::[^\n]{0,200})?/
/** Exit codes of a JVM ended by an OutOfMemoryError: -XX:+ExitOnOutOfMemoryError's 3, Spark's SparkExitCode.OOM 52. */
const OUT_OF_MEMORY_EXIT_CODES: ReadonlySet<number> = new Set([3, 52])
const ERROR_LINE = /\b(error|exception|unrecognized|fatal|failed|cannot|not found)\b/i

export class SparkWorker extends EventEmitter<WorkerEvents> implements Worker {
  readonly id: string
  readonly context: ContextConfig
  readonly capacity: number
  readonly lang: WorkerLang
  readonly info: WorkerInfo = { startTime: Date.now() }
  private currentState: WorkerState = 'starting'
  private readonly child: ChildProcess
  private readonly output: WorkerOutputFile
  private readonly lastLines: string[] = []
  private readonly errorLines: string[] = []
  private readonly log: Logger
  private socket: WebSocket | undefined
  private startTimer: NodeJS.Timeout | undefined
  private heartbeatTimer: NodeJS.Timeout | undefined
  private lastHeard = Date.now()
  /** The last OutOfMemoryError the worker's output named, to say why its JVM exited. */
  private outOfMemory: string | undefined
  /** Set when the link closed while the process was meant to live on. */
  private linkLost: NodeJS.Timeout | undefined
  private endReason: string | undefined
  /** Set when the master itself asked for the end (stop or kill), as opposed to a failure. */
  private requested = false
  private stopping: Promise<void> | undefined
  private readonly closed: Promise<void>
  private resolveClosed: () => void = () => undefined
  /** A detached runner's command has exited: the worker has no process here any more. */
  private handedOver = false

  constructor(private readonly options: SparkWorkerOptions) {
    super()
    this.id = options.spec.id
    this.context = options.spec.context
    this.capacity = options.spec.capacity
    this.lang = options.spec.lang
    this.log = options.log.child({ worker: this.id })
    this.output = new WorkerOutputFile(options.outputFile, options.outputLimit ?? Infinity, (error) =>
      this.log.warn({ err: error }, 'cannot write the worker output file'),
    )

    const { command, args, env } = options.command
    this.child = spawn(command, args, {
      detached: true,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    })
    this.info.pid = this.child.pid
    this.log.info({ pid: this.child.pid, command, args }, 'worker starting')
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.onOutput(line))
    }
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve))
    this.child.on('error', (error) => {
      this.onOutput(`cannot start ${command}: ${error.message}`)
      this.endReason ??= `could not be started: ${error.message}`
    })
    // 'exit' fires when spark-submit itself ends; anything left in its group goes with it
    // (not when a detached runner hands over: what it left behind is the worker).
    this.child.on('exit', (code) => {
      if (!this.handsOver(code)) this.signalGroup('SIGKILL')
    })
    this.child.on('close', (code, signal) => {
      if (this.handsOver(code)) {
        this.handedOver = true
        this.log.info('the runner handed the worker over and exited; the worker now lives by its link')
        if (this.currentState === 'stopping') this.finish('its link closed')
        return
      }
      this.finish(this.describeEnd(code, signal))
    })
    this.startTimer = setTimeout(
      () => void this.terminate(`did not become ready within ${describeDuration(options.startTimeout)}`),
      options.startTimeout,
    )
  }

  get state(): WorkerState {
    return this.currentState
  }

  /** Called by the link server once this worker's hello carried the right token. */
  attach(socket: WebSocket): void {
    if (this.currentState === 'exited') {
      socket.close(4002, 'worker already ended')
      return
    }
    this.socket = socket
    this.lastHeard = Date.now()
    socket.on('message', (data, isBinary) => {
      this.lastHeard = Date.now()
      if (isBinary) return
      let message
      try {
        message = parseMessage(frameText(data))
      } catch (error) {
        this.log.warn({ err: error }, 'ignored a malformed frame from the worker')
        return
      }
      if (message.type === 'ready') this.onReady(message)
      else if (message.type === 'jvm-frozen') void this.terminate(`froze: its Spark driver JVM stopped answering for ${seconds(message.silentMs)}`)
      else if (message.type !== 'heartbeat' && message.type !== 'hello') this.emit('message', message)
    })
    socket.on('close', () => {
      if (this.currentState === 'exited') return
      // Its Python driver is gone (or closed the link on its way out): the JVM usually follows
      // within a second, and its exit code tells how the Python process ended.
      if ((this.currentState === 'starting' || this.currentState === 'ready') && !this.handedOver) {
        this.linkLost = setTimeout(() => void this.terminate('its link to the master closed'), LINK_LOSS_GRACE_MS)
        return
      }
      void this.terminate('its link to the master closed')
    })
    // Heartbeats flow from the hello on, so a worker still starting Spark knows we are here;
    // silence is judged only once it is ready (starting is bounded by the start deadline).
    const interval = this.options.heartbeatMs
    this.heartbeatTimer = setInterval(() => {
      if (this.currentState === 'ready' && Date.now() - this.lastHeard > 3 * interval) {
        void this.terminate(`froze: it sent no heartbeat for ${describeDuration(3 * interval)}`)
        return
      }
      this.send({ type: 'heartbeat', time: Date.now() })
    }, interval)
  }

  send(message: MasterMessage): boolean {
    if (!this.socket || this.socket.readyState !== this.socket.OPEN) return false
    this.socket.send(JSON.stringify(message))
    return true
  }

  stop(reason: string): Promise<void> {
    if (this.currentState === 'exited') return this.closed
    this.requested = true
    this.stopping ??= (async () => {
      this.endReason ??= reason
      this.currentState = 'stopping'
      this.send({ type: 'shutdown' })
      if (await this.exitsWithin(this.options.stopGrace)) return
      this.signalGroup('SIGTERM')
      if (await this.exitsWithin(5000)) return
      this.signalGroup('SIGKILL')
      await this.closed
    })()
    return this.stopping
  }

  /** Its hello was refused (another protocol version or language): its start fails with `reason`. */
  refuse(reason: string): void {
    void this.terminate(reason)
  }

  kill(reason: string): Promise<void> {
    this.requested = true
    return this.terminate(reason)
  }

  private terminate(reason: string): Promise<void> {
    if (this.currentState !== 'exited') {
      this.endReason ??= reason
      if (this.currentState !== 'stopping') this.currentState = 'stopping'
      if (this.handedOver) this.finish('its link closed')
      else this.signalGroup('SIGKILL')
    }
    return this.closed
  }

  /** True if the command's exit with `code` hands the worker over rather than ending it. */
  private handsOver(code: number | null): boolean {
    return this.options.detached === true && code === 0 && !this.requested && this.currentState !== 'stopping' && this.currentState !== 'exited'
  }

  private onReady(message: { sparkVersion: string; applicationId: string; sparkUi?: string }): void {
    if (this.currentState !== 'starting') return
    clearTimeout(this.startTimer)
    this.currentState = 'ready'
    this.info.sparkUi = message.sparkUi
    this.info.applicationId = message.applicationId
    this.info.sparkVersion = message.sparkVersion
    this.lastHeard = Date.now()
    this.log.info({ sparkUi: message.sparkUi, applicationId: message.applicationId }, 'worker ready')
    this.emit('ready')
  }

  private onOutput(line: string): void {
    this.output.write(line)
    this.lastLines.push(line)
    if (this.lastLines.length > KEPT_LINES) this.lastLines.shift()
    if (this.errorLines.length < 10 && ERROR_LINE.test(line)) this.errorLines.push(line)
    const outOfMemory = OUT_OF_MEMORY.exec(line)
    if (outOfMemory) this.outOfMemory = outOfMemory[0].trim()
    this.emit('output', line)
  }

  private finish(how: string): void {
    if (this.currentState === 'exited') return
    const duringStart = this.info.sparkVersion === undefined
    this.currentState = 'exited'
    clearTimeout(this.startTimer)
    clearTimeout(this.linkLost)
    clearInterval(this.heartbeatTimer)
    this.socket?.terminate()
    this.output.end()
    const reason = this.endReason ? `${this.endReason} (${how})` : how
    this.log.info({ reason }, 'worker ended')
    this.emit('exit', {
      reason,
      duringStart,
      requested: this.requested,
      lastLines: [...this.lastLines],
      errorLines: [...this.errorLines],
    })
    this.resolveClosed()
    this.runStopCommand()
  }

  /**
   * How the process ended, in words. spark-submit's JVM exits with 128 + N when the Python
   * driver it runs was killed by signal N (Java's Process.waitFor), so once the link was lost
   * first, such a code names the Python driver's fate; a kill Haze sent says so.
   */
  private describeEnd(code: number | null, signal: NodeJS.Signals | null): string {
    if (signal) return this.endReason !== undefined && signal === 'SIGKILL' ? 'Haze killed its processes with SIGKILL' : `killed by ${signal}`
    if (code !== null && OUT_OF_MEMORY_EXIT_CODES.has(code) && this.outOfMemory !== undefined) {
      const memory = this.context.sparkConf['spark.driver.memory']
      return (
        `its Spark driver JVM ran out of memory (${this.outOfMemory}; exited with code ${code}): ` +
        `give the driver more with the context's spark.driver.memory (${memory === undefined ? "not set: Spark's default is 1g" : `now ${memory}`}), ` +
        'or bring less data into the driver (collect, toPandas, broadcast)'
      )
    }
    const pythonSignal = code !== null && code > 128 ? signalName(code - 128) : undefined
    if (this.linkLost !== undefined && pythonSignal !== undefined) {
      return `its Python driver was killed by ${pythonSignal} (spark-submit exited with code ${code})`
    }
    return `exited with code ${code}`
  }

  /** A manual runner's stop command, once, whatever ended the worker; its failure is logged. */
  private runStopCommand(): void {
    const stop = this.options.stopCommand
    if (!stop) return
    execFile(stop.command, stop.args, { env: { ...process.env, ...stop.env }, timeout: STOP_COMMAND_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-5).join(' | ')
      if (error) this.log.warn({ err: error, output }, 'the runner\'s stop command failed')
      else this.log.info({ output }, 'the runner\'s stop command ran')
    })
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid
    if (pid === undefined) return
    try {
      process.kill(-pid, signal)
    } catch {
      // The group is already gone.
    }
  }

  private async exitsWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
    const result = await Promise.race([this.closed.then(() => true as const), timeout])
    clearTimeout(timer)
    return result
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

function signalName(number: number): string | undefined {
  return Object.entries(constants.signals).find(([, value]) => value === number)?.[0]
}
