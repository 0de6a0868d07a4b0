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

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['finished', 'failed', 'cancelled'])

export const isJobStatus = (text: string): text is JobStatus => (JOB_STATUSES as readonly string[]).includes(text)
export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.has(status)

export type JobSource = 'Http' | 'Async Kafka' | 'Async Mqtt' | 'WebSocket' | 'Cli'

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
    `"params":{"filePath":${JSON.stringify(job.path)},"className":${JSON.stringify(job.className)},` +
      `"arguments":${job.arguments},"action":${JSON.stringify(job.action)}}`,
    `"source":${JSON.stringify(job.source)}`,
    `"status":${JSON.stringify(job.status)}`,
    `"createTime":${job.createTime}`,
  ]
  if (job.externalId !== undefined) fields.push(`"externalId":${JSON.stringify(job.externalId)}`)
  if (job.startTime !== undefined) fields.push(`"startTime":${job.startTime}`)
  if (job.endTime !== undefined) fields.push(`"endTime":${job.endTime}`)
  if (job.workerId !== undefined) fields.push(`"workerId":${JSON.stringify(job.workerId)}`)
  if (job.result !== undefined) fields.push(`"jobResult":${job.result}`)
  return `{${fields.join(',')}}`
}
