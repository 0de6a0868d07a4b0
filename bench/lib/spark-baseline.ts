/**
 * Plain PySpark, without Haze, for benchmarks to compare Haze with: Python scripts started the
 * way Haze starts a worker (Spark's own spark-submit, the same Python, the same --conf pairs,
 * PYTHONUNBUFFERED), each in its own process group so that stopping one leaves no JVM or
 * Python process behind.
 *
 * - `WarmBaseline`: one long-lived driver (bench/functions/baseline_runner.py) that times
 *   calls of a function on request. spark-submit does not pass its stdin on to the Python
 *   driver, so requests go over a TCP connection the driver makes back to us.
 * - `runColdBaseline`: one spark-submit of bench/functions/cold_baseline.py, timed from spawn
 *   to exit, with the times its marker lines carry.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { basename, isAbsolute, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const FUNCTIONS_DIR = fileURLToPath(new URL('../functions/', import.meta.url))
const KEPT_LINES = 20
const START_DEADLINE_MS = 180_000
const STOP_GRACE_MS = 15_000

export interface SparkSetup {
  sparkHome: string
  python: string
  /** The --conf pairs, the same as the Haze context's sparkConf. */
  conf: Readonly<Record<string, string>>
  /** Added to spark-submit's environment (the cold start's third side: Haze's class-data-sharing options). */
  env?: Readonly<Record<string, string>> | undefined
}

/** A spark-submit child with its last output lines, for error messages. */
class Submitted {
  readonly child: ChildProcess
  readonly lastLines: string[] = []
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  /** `script`: a file of bench/functions, or an application's absolute path (a jar, with `options` such as --class). */
  constructor(setup: SparkSetup, script: string, args: string[], onStdout: (line: string) => void = () => {}, options: string[] = []) {
    const confArgs = Object.entries(setup.conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`])
    const name = basename(script).replace(/\.(py|jar)$/, '')
    this.child = spawn(
      join(setup.sparkHome, 'bin', 'spark-submit'),
      ['--name', `haze-bench-${name}`, ...confArgs, ...options, isAbsolute(script) ? script : join(FUNCTIONS_DIR, script), ...args],
      {
        cwd: FUNCTIONS_DIR,
        detached: true, // its own process group: the JVM and its Python children go together
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          SPARK_HOME: setup.sparkHome,
          PYSPARK_PYTHON: setup.python,
          PYSPARK_DRIVER_PYTHON: setup.python,
          PYTHONUNBUFFERED: '1',
          ...setup.env,
        },
      },
    )
    const keep = (line: string) => {
      this.lastLines.push(line)
      if (this.lastLines.length > KEPT_LINES) this.lastLines.shift()
    }
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => {
        keep(line)
        onStdout(line)
      })
    }
    if (this.child.stderr) createInterface({ input: this.child.stderr, crlfDelay: Infinity }).on('line', keep)
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => keep(`cannot start spark-submit: ${error.message}`))
      this.child.on('close', (code, signal) => resolve({ code, signal }))
    })
  }

  /** Why it failed, with its last output lines. */
  failure(what: string): Error {
    const lines = this.lastLines.filter((line) => line.trim() !== '').slice(-8)
    return new Error(`${what}; its last output lines:\n  ${lines.join('\n  ')}`)
  }

  signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return
    try {
      process.kill(-this.child.pid, signal)
    } catch {
      // The group is already gone.
    }
  }

  /** Waits for the exit, SIGKILLs the group after `ms`; never rejects. */
  async endWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)))
    if ((await Promise.race([this.exited, deadline])) === 'late') {
      this.signalGroup('SIGKILL')
      await this.exited
    }
    clearTimeout(timer)
  }
}

export interface TimedCalls {
  /** Seconds per call, each measured alone around the call. */
  seconds: number[]
  /** What the last call returned. */
  result: unknown
}

export class WarmBaseline {
  private stopping: Promise<void> | undefined

  private constructor(
    private readonly submitted: Submitted,
    private readonly socket: Socket,
    private readonly lines: AsyncIterator<string>,
    readonly sparkVersion: string,
    readonly pythonVersion: string,
  ) {}

  /** The JVM's pid (spark-submit execs it). */
  get pid(): number | undefined {
    return this.submitted.child.pid
  }

  /**
   * Starts the driver and waits until its SparkSession is up: baseline_runner.py, or another
   * program speaking its protocol (`{ app, options }`: the JVM benchmark's plain Scala driver).
   */
  static async start(setup: SparkSetup, program: { app: string; options: string[] } = { app: 'baseline_runner.py', options: [] }): Promise<WarmBaseline> {
    const server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const submitted = new Submitted(setup, program.app, [String(port)], undefined, program.options)
    try {
      const socket = await firstOf(
        once(server, 'connection').then(([socket]) => socket as Socket),
        submitted.exited.then(() => Promise.reject(submitted.failure('the baseline driver ended before connecting'))),
        START_DEADLINE_MS,
        'the baseline driver to connect',
      )
      const lines = createInterface({ input: socket, crlfDelay: Infinity })[Symbol.asyncIterator]()
      const ready = await readAnswer(lines, submitted)
      return new WarmBaseline(submitted, socket, lines, String(ready.sparkVersion), String(ready.python))
    } catch (error) {
      submitted.signalGroup('SIGKILL')
      await submitted.exited
      throw error
    } finally {
      server.close() // the one connection it was for stays open
    }
  }

  /** Calls `fn` `runs` times in the driver's main thread, one after another. */
  async time(fn: string, runs: number): Promise<TimedCalls> {
    this.socket.write(`${JSON.stringify({ function: fn, runs })}\n`)
    const answer = await readAnswer(this.lines, this.submitted)
    if (typeof answer.error === 'string') throw new Error(`the baseline driver refused ${fn}: ${answer.error}`)
    return { seconds: answer.seconds as number[], result: answer.result }
  }

  /** Closing the connection ends the driver, which stops Spark; SIGKILL if it takes too long. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.socket.end()
      await this.submitted.endWithin(STOP_GRACE_MS)
      this.socket.destroy()
    })()
    return this.stopping
  }
}

async function readAnswer(lines: AsyncIterator<string>, submitted: Submitted): Promise<Record<string, unknown>> {
  const next = await lines.next()
  if (next.done === true) throw submitted.failure('the baseline driver closed its connection')
  return JSON.parse(next.value) as Record<string, unknown>
}

export interface ColdRun {
  /** From spawning spark-submit to its exit. */
  toExitMs: number
  /** From spawning to the result, by the driver's clock. */
  toResultMs: number
  /** From spawning to the SparkSession being up, by the driver's clock. */
  toSessionMs: number
  /** From spawning to Python running the script: spark-submit's launcher JVM, then the driver JVM. */
  toPythonMs: number
  /** From spawning to pyspark imported. */
  toImportedMs: number
  result: string
}

/** One spark-submit of cold_baseline.py, timed; rejects if it fails or prints no result. */
export async function runColdBaseline(setup: SparkSetup): Promise<ColdRun> {
  const markers = new Map<string, string[]>()
  const spawnedAt = performance.timeOrigin + performance.now()
  const submitted = new Submitted(setup, 'cold_baseline.py', [], (line) => {
    const [marker, kind, ...values] = line.split(' ')
    if (marker === 'BENCH' && kind !== undefined) markers.set(kind, values)
  })
  const { code, signal } = await submitted.exited
  const toExitMs = performance.timeOrigin + performance.now() - spawnedAt
  const session = markers.get('session')
  const result = markers.get('result')
  if (code !== 0 || !session?.[0] || !result?.[1] || result[0] === undefined) {
    throw submitted.failure(`spark-submit cold_baseline.py ended with ${signal ?? `code ${code}`}, result ${result?.[0] ?? 'none'}`)
  }
  return {
    toExitMs,
    toResultMs: Number(result[1]) * 1000 - spawnedAt,
    toSessionMs: Number(session[0]) * 1000 - spawnedAt,
    toPythonMs: Number(markers.get('python')?.[0]) * 1000 - spawnedAt,
    toImportedMs: Number(markers.get('imported')?.[0]) * 1000 - spawnedAt,
    result: result[0],
  }
}

/** The first of two promises, or a rejection after `ms`. */
async function firstOf<T>(wanted: Promise<T>, failure: Promise<never>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  try {
    return await Promise.race([wanted, failure, deadline])
  } finally {
    clearTimeout(timer)
  }
}
