/**
 * The typed event map behind the job log, and later the WebSocket, MQTT and Kafka adapters.
 * A listener that throws is logged, never allowed to break the emitter (the executor).
 */
import { EventEmitter } from 'node:events'
import type { JobRecord } from '../domain/job.js'
import type { Logger } from '../logger.js'
import type { LogLine } from '../logs/job-logs.js'

/** Mist's lifecycle events, by their wire name (`event`), with the job as stored afterwards. */
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

export interface HazeEvents {
  'job:event': [{ event: JobEventName; job: JobRecord; time: number }]
  'job:logs': [{ jobId: string; lines: LogLine[]; fileOffset: number }]
  'worker:ready': [{ workerId: string; context: string }]
  'worker:exited': [{ workerId: string; context: string; reason: string }]
}

export class EventBus extends EventEmitter<HazeEvents> {
  constructor(private readonly log: Logger) {
    super({ captureRejections: false })
  }

  /** Emits to every listener; a listener's exception is logged and the others still run. */
  publish<K extends keyof HazeEvents>(name: K, ...args: HazeEvents[K]): void {
    for (const listener of this.listeners(name) as ((...a: HazeEvents[K]) => void)[]) {
      try {
        listener(...args)
      } catch (error) {
        this.log.error({ err: error, event: name }, 'an event listener failed')
      }
    }
  }
}
