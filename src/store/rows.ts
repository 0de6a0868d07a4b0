/**
 * Rows as both stores keep them (the same column names in SQLite and PostgreSQL), and their
 * mapping to records: written once, so a field added to a record is added for both stores.
 */
import type { FunctionRecord, FunctionSignature } from '../domain/function.js'
import type { JobRecord, JobStatus } from '../domain/job.js'

export interface JobRow {
  job_id: string
  function: string
  context: string
  path: string
  class_name: string
  arguments: string
  action: string
  external_id: string | null
  source: string
  status: string
  create_time: number
  start_time: number | null
  end_time: number | null
  worker_id: string | null
  result: string | null
  started_by: string | null
}

export const JOB_COLUMNS =
  'job_id, function, context, path, class_name, arguments, action, external_id, source, status, create_time, start_time, end_time, worker_id, result, started_by'

export function jobToRow(job: JobRecord): JobRow {
  return {
    job_id: job.jobId,
    function: job.function,
    context: job.context,
    path: job.path,
    class_name: job.className,
    arguments: job.arguments,
    action: job.action,
    external_id: job.externalId ?? null,
    source: job.source,
    status: job.status,
    create_time: job.createTime,
    start_time: job.startTime ?? null,
    end_time: job.endTime ?? null,
    worker_id: job.workerId ?? null,
    result: job.result ?? null,
    started_by: job.startedBy ?? null,
  }
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    jobId: row.job_id,
    function: row.function,
    context: row.context,
    path: row.path,
    className: row.class_name,
    arguments: row.arguments,
    action: row.action as JobRecord['action'],
    externalId: row.external_id ?? undefined,
    source: row.source as JobRecord['source'],
    status: row.status as JobStatus,
    createTime: row.create_time,
    startTime: row.start_time ?? undefined,
    endTime: row.end_time ?? undefined,
    workerId: row.worker_id ?? undefined,
    result: row.result ?? undefined,
    startedBy: row.started_by ?? undefined,
  }
}

export interface FunctionRow {
  name: string
  path: string
  class_name: string
  default_context: string
  signature: string | null
  artifact_sha: string | null
  create_time: number
  update_time: number
}

export function functionFromRow(row: FunctionRow): FunctionRecord {
  return {
    name: row.name,
    path: row.path,
    className: row.class_name,
    defaultContext: row.default_context,
    signature: row.signature === null ? undefined : (JSON.parse(row.signature) as FunctionSignature),
    artifactSha: row.artifact_sha ?? undefined,
    createTime: row.create_time,
    updateTime: row.update_time,
  }
}
