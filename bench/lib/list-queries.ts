/**
 * The job lists a benchmark asks for: the URL, the answer expected from the jobs table itself
 * (a direct COUNT(*), independent of the store's counters), and a check of each response.
 */
import type { JobStatus } from '../../src/domain/job.js'
import type { SqliteDatabase } from '../../src/store/sqlite/database.js'

/** Which jobs a list shows. */
export interface ListFilter {
  statuses: readonly JobStatus[]
  function?: string
  workerId?: string
}

/** How the list is asked for; absent limit and offset take the server's defaults. */
export interface ListPage {
  paginate: boolean
  limit?: number
  offset?: number
}

export interface ListRequest {
  path: string
  filter: ListFilter
  paginate: boolean
  /** Jobs matching the filter, counted directly in the jobs table. */
  expectedTotal: number
  expectedLength: number
}

const DEFAULT_LIMIT = 25

export function listRequest(db: SqliteDatabase, filter: ListFilter, page: ListPage): ListRequest {
  const expectedTotal = countJobs(db, filter)
  const limit = page.limit ?? DEFAULT_LIMIT
  const offset = page.offset ?? 0
  return {
    path: listPath(filter, page),
    filter,
    paginate: page.paginate,
    expectedTotal,
    expectedLength: Math.max(0, Math.min(limit, expectedTotal - offset)),
  }
}

function listPath(filter: ListFilter, page: ListPage): string {
  const base =
    filter.function !== undefined
      ? `/v2/api/functions/${encodeURIComponent(filter.function)}/jobs`
      : filter.workerId !== undefined
        ? `/v2/api/workers/${encodeURIComponent(filter.workerId)}/jobs`
        : '/v2/api/jobs'
  const params = new URLSearchParams()
  for (const status of filter.statuses) params.append('status', status)
  if (page.paginate) params.set('paginate', 'true')
  if (page.limit !== undefined) params.set('limit', String(page.limit))
  if (page.offset !== undefined) params.set('offset', String(page.offset))
  const query = params.toString()
  return query === '' ? base : `${base}?${query}`
}

function countJobs(db: SqliteDatabase, filter: ListFilter): number {
  const clauses: string[] = []
  const params: unknown[] = []
  if (filter.function !== undefined) {
    clauses.push('function = ?')
    params.push(filter.function)
  }
  if (filter.workerId !== undefined) {
    clauses.push('worker_id = ?')
    params.push(filter.workerId)
  }
  if (filter.statuses.length > 0) {
    clauses.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`)
    params.push(...filter.statuses)
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''
  return (db.prepare(`SELECT count(*) AS n FROM jobs ${where}`).get(...params) as { n: number }).n
}

interface ListedJob {
  function?: unknown
  workerId?: unknown
  status?: unknown
  createTime?: unknown
}

/** What is wrong with one response, or undefined if it is what `list` expects. */
export function checkResponse(list: ListRequest, status: number, body: string): string | undefined {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return `the body is not JSON: ${body.slice(0, 200)}`
  }
  const { jobs, total } = list.paginate
    ? (parsed as { jobs?: unknown; total?: unknown })
    : { jobs: parsed, total: undefined }
  if (!Array.isArray(jobs)) return `no job array in ${body.slice(0, 200)}`
  if (list.paginate && total !== list.expectedTotal) return `total ${String(total)}, expected ${list.expectedTotal}`
  if (jobs.length !== list.expectedLength) return `${jobs.length} jobs on the page, expected ${list.expectedLength}`
  return checkJobs(list.filter, jobs as ListedJob[])
}

/** Every job matches the filter, newest first. */
function checkJobs(filter: ListFilter, jobs: readonly ListedJob[]): string | undefined {
  let previous = Infinity
  for (const job of jobs) {
    if (filter.statuses.length > 0 && !filter.statuses.includes(job.status as JobStatus)) {
      return `a job with status ${String(job.status)} in a list of ${filter.statuses.join(', ')}`
    }
    if (filter.function !== undefined && job.function !== filter.function) {
      return `a job of function ${String(job.function)} in ${filter.function}'s list`
    }
    if (filter.workerId !== undefined && job.workerId !== filter.workerId) {
      return `a job of worker ${String(job.workerId)} in ${filter.workerId}'s list`
    }
    if (typeof job.createTime !== 'number' || job.createTime > previous) return 'jobs are not newest first'
    previous = job.createTime
  }
  return undefined
}

/**
 * Rows of `job_counts` that disagree with a GROUP BY over the jobs table, in either
 * direction: zero proves the triggers kept every counter right while the jobs were loaded.
 */
export function counterDiscrepancies(db: SqliteDatabase): { checked: number; wrong: number } {
  const row = db
    .prepare(
      `WITH expected AS (
         SELECT 'all' AS scope, '' AS key, status, count(*) AS n FROM jobs GROUP BY status
         UNION ALL SELECT 'function', function, status, count(*) FROM jobs GROUP BY function, status
         UNION ALL SELECT 'worker', worker_id, status, count(*) FROM jobs WHERE worker_id IS NOT NULL GROUP BY worker_id, status
         UNION ALL SELECT 'context', context, status, count(*) FROM jobs GROUP BY context, status
         UNION ALL SELECT 'source', source, status, count(*) FROM jobs GROUP BY source, status
       ),
       actual AS (SELECT scope, key, status, n FROM job_counts WHERE n <> 0)
       SELECT (SELECT count(*) FROM expected) AS checked,
              (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual))
            + (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected)) AS wrong`,
    )
    .get() as { checked: number; wrong: number }
  return row
}
