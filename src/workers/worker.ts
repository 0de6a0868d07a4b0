/**
 * A worker as the executor sees it: one Spark driver process serving one context, whatever
 * starts it. The real one is `SparkWorker` (spark-submit); the scheduler's unit tests use a
 * scripted double with the same interface.
 */
import type { EventEmitter } from 'node:events'
import type { ContextConfig } from '../domain/context.js'
import type { MasterMessage, WorkerLang, WorkerMessage } from './protocol.js'

export type WorkerState = 'starting' | 'ready' | 'stopping' | 'exited'

export interface WorkerExit {
  /** Why it ended, in words: "exited with code 1", "killed by SIGKILL", "stopped: idle for 3600 seconds". */
  reason: string
  /** True if it ended before it was ready. */
  duringStart: boolean
  /** True if the master asked for the end (stop, kill); false for a crash, a start failure, silence. */
  requested: boolean
  /** Its last output lines, for start failures. */
  lastLines: string[]
  /** Its first output lines that look like errors (spark-submit prints the cause before its usage). */
  errorLines: string[]
}

export interface WorkerEvents {
  ready: []
  message: [WorkerMessage]
  /** A line of the driver process's own output (Spark's log, stray prints). */
  output: [string]
  exit: [WorkerExit]
}

export interface WorkerInfo {
  pid?: number | undefined
  sparkUi?: string | undefined
  applicationId?: string | undefined
  sparkVersion?: string | undefined
  startTime: number
}

export interface WorkerSpec {
  id: string
  context: ContextConfig
  /** How many jobs it runs at once: the context's maxJobs when shared, 1 when exclusive. */
  capacity: number
  /** Which worker to launch: python for Python functions, jvm for Java and Scala ones. */
  lang: WorkerLang
  /**
   * Started ahead of demand (a spare, a precreated worker): it runs a tiny Spark job of Haze's
   * own before it says ready, so its first job does not pay for starting Spark's Python workers.
   */
  warmUp?: boolean
}

export interface Worker extends EventEmitter<WorkerEvents> {
  readonly id: string
  readonly context: ContextConfig
  readonly capacity: number
  readonly lang: WorkerLang
  readonly state: WorkerState
  readonly info: WorkerInfo
  /** Sends a message once ready; false if the link is gone. */
  send(message: MasterMessage): boolean
  /** Asks it to shut down, then escalates to SIGTERM and SIGKILL. Same promise on every call. */
  stop(reason: string): Promise<void>
  /** Kills its process group now. */
  kill(reason: string): Promise<void>
}

export interface WorkerLauncher {
  launch(spec: WorkerSpec): Worker
}
