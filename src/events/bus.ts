/**
 * The one event stream: every job transition, job log batch, worker and context change is
 * published here exactly once, in order per job, and the job log, the WebSocket, MQTT and
 * Kafka adapters listen here. A listener that throws, or whose promise rejects, is logged and
 * counted; it never disturbs the publisher (the executor) or another listener.
 */
import type { ContextConfig } from '../domain/context.js'
import { coerceError } from '../domain/errors.js'
import type { FunctionRecord } from '../domain/function.js'
import type { JobRecord } from '../domain/job.js'
import type { Logger } from '../logger.js'
import type { LogLine } from '../logs/job-logs.js'

/** Mist's lifecycle events, by their wire name (`event`). */
export type JobEventName =
  | 'initialized'
  | 'queued'
  | 'worker-assigned'
  | 'job-file-downloading'
  | 'started'
  | 'cancelling'
  | 'cancelled'
  | 'finished'
  | 'failed'

/** A transition, with the job as stored afterwards. */
export interface JobEvent {
  event: JobEventName
  job: JobRecord
  /** Epoch milliseconds. */
  time: number
}

export interface JobLogsEvent {
  jobId: string
  lines: readonly LogLine[]
  /** The job's log file size after these lines (Mist's `fileOffset`). */
  fileOffset: number
}

export interface WorkerEvent {
  workerId: string
  context: string
  time: number
}

export interface HazeEvents {
  'job:event': JobEvent
  'job:logs': JobLogsEvent
  /** A worker process was launched for a context. */
  'worker:started': WorkerEvent
  'worker:ready': WorkerEvent & { sparkUi?: string | undefined }
  'worker:exited': WorkerEvent & { reason: string }
  /** A context was created or replaced. */
  'context:changed': { context: ContextConfig; time: number }
  'context:deleted': { context: ContextConfig; time: number }
  /** A function was deployed or updated: its default context may now need a worker of its language. */
  'function:changed': { function: FunctionRecord; time: number }
}

export type EventName = keyof HazeEvents
export type Listener<K extends EventName> = (payload: HazeEvents[K]) => void | Promise<void>

export class EventBus {
  private readonly listeners = new Map<EventName, Listener<never>[]>()
  /** How many times a listener threw or rejected, since start. */
  listenerFailures = 0

  constructor(private readonly log: Logger) {}

  /** Adds a listener; the answer removes it. */
  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    const list = (this.listeners.get(name) ?? []) as Listener<K>[]
    this.listeners.set(name, [...list, listener] as Listener<never>[])
    return () => {
      const now = (this.listeners.get(name) ?? []) as Listener<K>[]
      this.listeners.set(name, now.filter((candidate) => candidate !== listener))
    }
  }

  /** Calls every listener in the order they were added, synchronously; failures are contained. */
  publish<K extends EventName>(name: K, payload: HazeEvents[K]): void {
    // The array is replaced, never mutated, on (un)subscription: a listener added or removed
    // while publishing takes effect from the next event.
    for (const listener of (this.listeners.get(name) ?? []) as Listener<K>[]) {
      try {
        const outcome = listener(payload)
        if (outcome instanceof Promise) outcome.catch((error: unknown) => this.failed(name, error))
      } catch (error) {
        this.failed(name, error)
      }
    }
  }

  private failed(name: EventName, error: unknown): void {
    this.listenerFailures += 1
    this.log.error({ err: coerceError(error), event: name }, 'an event listener failed')
  }
}
