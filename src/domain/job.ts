/**
 * Jobs: one invocation of a function with JSON arguments. Status strings are Mist's, exactly.
 */
export const JOB_STATUSES = [
  'initialized',
  'queued',
  'job-file-downloading',
  'started',
  'cancelling',
  'finished',
  'failed',
  'cancelled',
] as const

export type JobStatus = (typeof JOB_STATUSES)[number]

/**
 * The job state machine: every status a job may move to from each status. It is the one
 * statement of the rules; the executor follows it and every store's write guard is built
 * from it. A status with no way out is terminal, so a terminal status never changes.
 *
 * - Forward: initialized → queued → job-file-downloading → started; any open status may be
 *   cancelled (cancelling, then cancelled) and may end (finished, failed, cancelled), so a
 *   late or skipped step can never leave a job without its end.
 * - queued → queued: a job still waiting when the master stopped is queued again at start.
 * - job-file-downloading | started → queued: a job started over MQTT or Kafka, interrupted by
 *   a master restart, runs again (no HTTP client is waiting for it, as in Mist).
 */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  initialized: ['queued', 'cancelling', 'finished', 'failed', 'cancelled'],
  queued: ['queued', 'job-file-downloading', 'started', 'cancelling', 'finished', 'failed', 'cancelled'],
  'job-file-downloading': ['queued', 'started', 'cancelling', 'finished', 'failed', 'cancelled'],
  started: ['queued', 'cancelling', 'finished', 'failed', 'cancelled'],
  cancelling: ['finished', 'failed', 'cancelled'],
  finished: [],
  failed: [],
  cancelled: [],
}

export const isTerminal = (status: JobStatus): boolean => JOB_TRANSITIONS[status].length === 0
export const canTransition = (from: JobStatus, to: JobStatus): boolean => JOB_TRANSITIONS[from].includes(to)

export const TERMINAL_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter(isTerminal)
export const OPEN_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter((status) => !isTerminal(status))

/** The statuses a job may be in for a write that moves it to `to` (all open ones when `to` is absent). */
export function statusesBefore(to: JobStatus | undefined): readonly JobStatus[] {
  return to === undefined ? OPEN_STATUSES : JOB_STATUSES.filter((from) => canTransition(from, to))
}

export const isJobStatus = (text: string): text is JobStatus => (JOB_STATUSES as readonly string[]).includes(text)

/** Where a job was started from, by Mist's names. */
export const JOB_SOURCES = ['Http', 'Async Kafka', 'Async Mqtt', 'WebSocket', 'Cli'] as const
export type JobSource = (typeof JOB_SOURCES)[number]
export const isJobSource = (text: string): text is JobSource => (JOB_SOURCES as readonly string[]).includes(text)

/** Jobs started over MQTT or Kafka: nobody waits on a connection for them, so a restart runs them again. */
export const isAsyncSource = (source: JobSource): boolean => source === 'Async Kafka' || source === 'Async Mqtt'

/**
 * A stored job. `arguments` and `result` are kept as JSON text so that numbers never pass
 * through a JavaScript double: a big integer in is the same big integer out.
 */
export interface JobRecord {
  jobId: string
  function: string
  context: string
  path: string
  className: string
  /** JSON text of the arguments object. */
  arguments: string
  action: 'execute' | 'serve'
  externalId?: string | undefined
  source: JobSource
  status: JobStatus
  createTime: number
  startTime?: number | undefined
  endTime?: number | undefined
  workerId?: string | undefined
  /** JSON text of `jobResult`: the function's result when finished, a JSON string when failed. */
  result?: string | undefined
  /** The name of the API token the job was started with (Haze; absent without tokens, or over MQTT/Kafka). */
  startedBy?: string | undefined
}

/** Mist's JobParams: `{filePath, className, arguments, action}`, the arguments text spliced verbatim. */
export function jobParamsJson(job: JobRecord): string {
  return (
    `{"filePath":${JSON.stringify(job.path)},"className":${JSON.stringify(job.className)},` +
    `"arguments":${job.arguments},"action":${JSON.stringify(job.action)}}`
  )
}

/**
 * Mist's JobDetails, written by hand so that the stored JSON texts are spliced in verbatim.
 * Absent optional fields are omitted, never `null`.
 */
export function jobDetailsJson(job: JobRecord): string {
  const fields: string[] = [
    `"jobId":${JSON.stringify(job.jobId)}`,
    `"function":${JSON.stringify(job.function)}`,
    `"context":${JSON.stringify(job.context)}`,
    `"params":${jobParamsJson(job)}`,
    `"source":${JSON.stringify(job.source)}`,
    `"status":${JSON.stringify(job.status)}`,
    `"createTime":${job.createTime}`,
  ]
  if (job.externalId !== undefined) fields.push(`"externalId":${JSON.stringify(job.externalId)}`)
  if (job.startTime !== undefined) fields.push(`"startTime":${job.startTime}`)
  if (job.endTime !== undefined) fields.push(`"endTime":${job.endTime}`)
  if (job.workerId !== undefined) fields.push(`"workerId":${JSON.stringify(job.workerId)}`)
  if (job.result !== undefined) fields.push(`"jobResult":${job.result}`)
  if (job.startedBy !== undefined) fields.push(`"startedBy":${JSON.stringify(job.startedBy)}`)
  return `{${fields.join(',')}}`
}
