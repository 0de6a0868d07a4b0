/**
 * Runs the `validated(...)` rules of JVM functions (Mist's API) on a job's arguments before the
 * job exists. A rule is the function's own code, so it runs in a JVM of its own, never in the
 * master: `haze.runtime.InfoMain --serve`, kept while requests come and stopped after
 * IDLE_MS without one, so that a rule costs a line over a pipe, not a JVM start per request.
 *
 * Only functions whose signature lists rules come here (`signature.rules`); type checks happen
 * in the master itself, from `execute`. A rule that does not answer within the timeout refuses
 * the request and the JVM is killed (a rule stuck in a loop would block every later one); the
 * next request starts a fresh one. The JVM runs in its own process group, which `stop()` kills,
 * and exits by itself when the master goes away (its stdin closes).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describeDuration, type Duration } from '../domain/duration.js'
import { badRequest, HazeError } from '../domain/errors.js'
import type { Logger } from '../logger.js'
import { JVM_RUNTIME_JAR, jvmRuntimeBuilt } from '../workers/jvm-runtime.js'

export interface RuleCheck {
  /** The artifact's file on the master, and its SHA-1 (the JVM loads each version once). */
  path: string
  sha1: string
  className: string
  argumentsText: string
}

export interface RuleChecker {
  /** The problem Mist's validation finds with the arguments (`Invalid value: …`), or undefined when they fit. */
  check(request: RuleCheck): Promise<string | undefined>
  stop(): Promise<void>
}

/** How long the JVM waits for the next request before it is stopped. */
const IDLE_MS = 5 * 60_000

type Answer = { id?: number; ok?: boolean; problem?: string; error?: string }
type Pending = { resolve: (answer: Answer) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }

export class JvmRuleChecker implements RuleChecker {
  private child: ChildProcessWithoutNullStreams | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private idleTimer: NodeJS.Timeout | undefined
  private stderr = ''

  constructor(private readonly options: { sparkHome: string; timeout: Duration; log: Logger }) {}

  async check(request: RuleCheck): Promise<string | undefined> {
    if (!jvmRuntimeBuilt()) {
      throw new HazeError('unavailable', `Haze's JVM runtime ${JVM_RUNTIME_JAR} is not built, so the function's validation rules cannot run; run scripts/setup.sh`)
    }
    const child = this.child ?? this.start()
    const id = this.nextId++
    const answer = await new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(
          badRequest(
            `the validation rules of ${request.className} did not answer within ${describeDuration(this.options.timeout)}; check its validated(...) rules`,
          ),
        )
        this.kill('a validation rule did not answer in time')
      }, this.options.timeout)
      this.pending.set(id, { resolve, reject, timer })
      const line = JSON.stringify({ id, path: request.path, sha1: request.sha1, className: request.className, argumentsJson: request.argumentsText })
      child.stdin.write(`${line}\n`)
    })
    this.armIdle()
    if (answer.ok === false) {
      throw badRequest(`the function's validation rules could not run: ${answer.error ?? 'no reason given'}`)
    }
    return answer.problem
  }

  stop(): Promise<void> {
    this.kill('Haze is shutting down')
    return Promise.resolve()
  }

  private start(): ChildProcessWithoutNullStreams {
    const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
    // A small, quickly started JVM: it loads classes and runs short rules, nothing more.
    const args = ['-Xss4m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', `${JVM_RUNTIME_JAR}:${join(this.options.sparkHome, 'jars', '*')}`, 'haze.runtime.InfoMain', '--serve']
    const child = spawn(java, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, shell: false })
    this.child = child
    this.stderr = ''
    createInterface({ input: child.stdout }).on('line', (line) => {
      let answer: Answer
      try {
        answer = JSON.parse(line) as Answer
      } catch {
        this.options.log.warn({ line: line.slice(0, 200) }, 'the JVM rule checker wrote a line that is not JSON')
        return
      }
      const waiting = answer.id === undefined ? undefined : this.pending.get(answer.id)
      if (!waiting || answer.id === undefined) return
      this.pending.delete(answer.id)
      clearTimeout(waiting.timer)
      waiting.resolve(answer)
    })
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4096)))
    child.stdin.on('error', () => undefined)
    const gone = (reason: string) => {
      if (this.child === child) this.child = undefined
      this.failPending(new HazeError('unavailable', `the JVM that checks validation rules ${reason}; submit the job again`))
    }
    child.on('error', (error) => gone(`could not start (${java}: ${error.message})`))
    child.on('exit', (code, signal) => {
      const tail = this.stderr.trim().split('\n').slice(-5).join('\n')
      gone(`exited with ${signal ?? `code ${code}`}${tail ? `: ${tail}` : ''}`)
    })
    this.options.log.info({ pid: child.pid }, 'started the JVM that checks validation rules')
    return child
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0) this.kill('idle')
      else this.armIdle()
    }, IDLE_MS)
    this.idleTimer.unref()
  }

  private kill(reason: string): void {
    clearTimeout(this.idleTimer)
    const child = this.child
    if (!child) return
    this.child = undefined
    this.failPending(new HazeError('unavailable', `the JVM that checks validation rules was stopped (${reason}); submit the job again`))
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }

  private failPending(error: Error): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer)
      this.pending.delete(id)
      waiting.reject(error)
    }
  }
}
