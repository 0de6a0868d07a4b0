/**
 * Events as they leave Haze: Mist's flat JSON objects with an `event` discriminator, the same
 * text on WebSocket, MQTT and Kafka. Written by hand, like JobDetails, so that stored
 * argument and result texts are spliced in verbatim (a big integer stays exact).
 *
 * Mist's shapes: `initialized` {id, params, externalId?, function, context}; `queued` {id};
 * `worker-assigned` {id, workerId}; `job-file-downloading`, `started`, `cancelling`,
 * `cancelled` {id, time}; `finished` {id, time, result}; `failed` {id, time, error};
 * `logs` {id, events: [{from, message, timeStamp, level}], fileOffset}; `keep-alive` {}.
 * Haze adds worker and context events (WebSocket subscribers ask for them) and `error`, for
 * an MQTT or Kafka message that could not start a job.
 */
import { contextToJson } from '../domain/context.js'
import { jobParamsJson, type JobRecord } from '../domain/job.js'
import type { LogLevel } from '../logs/job-logs.js'
import type { HazeEvents, JobEvent, JobLogsEvent } from './bus.js'

export const KEEP_ALIVE_FRAME = '{"event":"keep-alive"}'

/** Mist's LogEvent levels. */
const LEVELS: Record<LogLevel, number> = { DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 }

const text = (value: string): string => JSON.stringify(value)

/** A job transition as Mist's frame. */
export function jobEventFrame({ event, job, time }: JobEvent): string {
  const id = `"id":${text(job.jobId)}`
  switch (event) {
    case 'initialized': {
      const externalId = job.externalId === undefined ? '' : `,"externalId":${text(job.externalId)}`
      return `{"event":"initialized",${id},"params":${jobParamsJson(job)}${externalId},"function":${text(job.function)},"context":${text(job.context)}}`
    }
    case 'queued':
      return `{"event":"queued",${id}}`
    case 'worker-assigned':
      return `{"event":"worker-assigned",${id},"workerId":${text(job.workerId ?? '')}}`
    case 'started':
      return `{"event":"started",${id},"time":${job.startTime ?? time}}`
    case 'finished':
      return `{"event":"finished",${id},"time":${job.endTime ?? time},"result":${job.result ?? 'null'}}`
    case 'failed':
      return `{"event":"failed",${id},"time":${job.endTime ?? time},"error":${errorText(job.result)}}`
    case 'cancelled':
      return `{"event":"cancelled",${id},"time":${job.endTime ?? time}}`
    case 'job-file-downloading':
    case 'cancelling':
      return `{"event":"${event}",${id},"time":${time}}`
  }
}

/**
 * The frame that tells a new subscriber where a job stands: the event of its current status
 * (every status is also the name of the event that enters it).
 */
export function currentStateFrame(job: JobRecord, now = Date.now()): string {
  return jobEventFrame({ event: job.status, job, time: now })
}

export function logsFrame({ jobId, lines, fileOffset }: JobLogsEvent): string {
  const events = lines.map(
    (line) => `{"from":${text(line.source)},"message":${text(line.message)},"timeStamp":${line.time},"level":${LEVELS[line.level]}}`,
  )
  return `{"event":"logs","id":${text(jobId)},"events":[${events.join(',')}],"fileOffset":${fileOffset}}`
}

export function workerFrame(name: 'worker:started' | 'worker:ready' | 'worker:exited', payload: HazeEvents[typeof name]): string {
  const extra: Record<string, unknown> = {}
  if ('sparkUi' in payload && payload.sparkUi !== undefined) extra.sparkUi = payload.sparkUi
  if ('reason' in payload) extra.reason = payload.reason
  return JSON.stringify({ event: name.replace(':', '-'), workerId: payload.workerId, context: payload.context, time: payload.time, ...extra })
}

export function contextFrame(name: 'context:changed' | 'context:deleted', payload: HazeEvents[typeof name]): string {
  return name === 'context:changed'
    ? JSON.stringify({ event: 'context-changed', context: contextToJson(payload.context), time: payload.time })
    : JSON.stringify({ event: 'context-deleted', name: payload.context.name, time: payload.time })
}

/** An MQTT or Kafka message that did not become a job, and why. */
export function errorFrame(error: string, externalId: string | undefined, time = Date.now()): string {
  return JSON.stringify({ event: 'error', error, ...(externalId === undefined ? {} : { externalId }), time })
}

/** A failed job's reason is stored as a JSON string; anything else is passed on as its text. */
function errorText(result: string | undefined): string {
  if (result === undefined) return '""'
  return result.startsWith('"') ? result : text(result)
}
