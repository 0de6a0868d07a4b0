/**
 * The job store on PostgreSQL: the same queries as SQLite's (one index read in order per page,
 * totals from trigger-kept counts), written for PostgreSQL's planner and its parallel writers.
 */
import type { JobRecord, JobStatus } from '../../domain/job.js'
import { OPEN_STATUSES, statusesBefore, TERMINAL_STATUSES } from '../../domain/job.js'
import type { JobPage, JobPatch, JobQuery, JobStore } from '../job-store.js'
import type { PostgresDatabase } from './database.js'
import { JOB_COLUMNS, jobFromRow, jobToRow, type JobRow } from '../rows.js'


const NEWEST_FIRST = 'ORDER BY create_time DESC, seq DESC'
/** Transitions are written in the background, in order per job: they wait longer for a store that is away than a client would. */
const TRANSITION_BUDGET_MS = 60_000
/** How often pending count deltas are folded into the counts (a total reads both, so this only bounds their number). */
const FOLD_EVERY_MS = 1_000

/** Positional parameters ($1, $2 …) collected as the SQL is built. */
class Params {
  readonly values: unknown[] = []
  add(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

export class PostgresJobStore implements JobStore {
  private readonly fold: NodeJS.Timeout
  private folding = false

  constructor(private readonly db: PostgresDatabase) {
    this.fold = setInterval(() => void this.foldCounts(), FOLD_EVERY_MS)
    this.fold.unref()
  }

  async insert(job: JobRecord): Promise<void> {
    const row = jobToRow(job)
    const values = JOB_COLUMNS.split(', ').map((column) => row[column as keyof JobRow])
    try {
      await this.db.run(`INSERT INTO jobs (${JOB_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values, { idempotent: true })
    } catch (error) {
      // Retried after a connection broke mid-insert, the first attempt may have landed: the
      // job id is ours alone, so finding it stored means the insert is done.
      if ((error as { code?: string }).code === '23505' && (await this.get(job.jobId)) !== undefined) return
      throw error
    }
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const [row] = await this.db.run<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE job_id = $1`, [jobId], { idempotent: true })
    return row && jobFromRow(row)
  }

  async list(query: JobQuery): Promise<JobPage> {
    const params = new Params()
    const sql = pageSql(query, params)
    const [rows, total] = await Promise.all([
      this.db.run<JobRow>(sql, params.values, { idempotent: true }),
      query.withTotal ? this.count(query) : Promise.resolve(undefined),
    ])
    const page: JobPage = { jobs: rows.map(jobFromRow) }
    if (total !== undefined) page.total = total
    return page
  }

  async transition(jobId: string, patch: JobPatch): Promise<JobRecord | undefined> {
    const columns: Record<keyof JobPatch, string> = {
      status: 'status',
      startTime: 'start_time',
      endTime: 'end_time',
      workerId: 'worker_id',
      result: 'result',
    }
    const params = new Params()
    const assignments: string[] = []
    for (const [key, column] of Object.entries(columns) as [keyof JobPatch, string][]) {
      if (key in patch) assignments.push(`${column} = ${params.add(patch[key] ?? null)}`)
    }
    if (assignments.length === 0) return this.get(jobId)
    // The state machine's guard: only from a status the job may leave for this one.
    const sql = `UPDATE jobs SET ${assignments.join(', ')} WHERE job_id = ${params.add(jobId)} AND status = ANY(${params.add(statusesBefore(patch.status))}) RETURNING ${JOB_COLUMNS}`
    const { rows, ambiguous } = await this.db.runTracked<JobRow>(sql, params.values, { idempotent: true, budgetMs: TRANSITION_BUDGET_MS })
    const [row] = rows
    if (row) return jobFromRow(row)
    if (!ambiguous) return undefined
    // Retried after a connection broke mid-update, the first attempt may have landed, and the
    // guard then refuses the repeat: a job already holding every patched value took this move.
    const stored = await this.get(jobId)
    return stored && patchApplied(stored, patch) ? stored : undefined
  }

  async listUnfinished(): Promise<JobRecord[]> {
    const rows = await this.db.run<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE status = ANY($1) ORDER BY create_time, seq`, [OPEN_STATUSES], {
      idempotent: true,
      budgetMs: 30_000,
    })
    return rows.map(jobFromRow)
  }

  async listEnded(endedBefore: number, limit: number): Promise<string[]> {
    // A job ends after it is created, so the creation-time bound lets the status index stop at
    // the first job too young to have ended before the cutoff.
    const rows = await this.db.run<{ job_id: string }>(
      'SELECT job_id FROM jobs WHERE status = ANY($1) AND create_time < $2 AND coalesce(end_time, create_time) < $2 ORDER BY create_time, seq LIMIT $3',
      [TERMINAL_STATUSES, endedBefore, limit],
      { idempotent: true },
    )
    return rows.map((row) => row.job_id)
  }

  async remove(jobIds: readonly string[]): Promise<number> {
    if (jobIds.length === 0) return 0
    // One statement: the delete trigger adds the counts' deltas once for the whole batch.
    // Repeating it after a broken connection deletes nothing twice.
    const rows = await this.db.run<{ job_id: string }>(
      'DELETE FROM jobs WHERE job_id = ANY($1) AND status = ANY($2) RETURNING job_id',
      [jobIds, TERMINAL_STATUSES],
      { idempotent: true },
    )
    return rows.length
  }

  async close(): Promise<void> {
    clearInterval(this.fold)
  }

  /** Moves pending count deltas into the counts; a failure (store away) changes no total and is retried next time. */
  async foldCounts(): Promise<void> {
    if (this.folding) return
    this.folding = true
    try {
      await this.db.run('SELECT job_counts_fold()', [], { idempotent: true, budgetMs: 0 })
    } catch {
      // The next tick tries again; totals read the deltas meanwhile, so they stay exact.
    } finally {
      this.folding = false
    }
  }

  private async count(query: JobQuery): Promise<number> {
    const scopes = (
      [
        ['worker', query.workerId],
        ['function', query.function],
        ['context', query.context],
        ['source', query.source],
      ] as const
    ).filter(([, key]) => key !== undefined)
    const params = new Params()
    if (scopes.length > 1) {
      // A count covers one filter; several at once are counted through the index of one.
      const [row] = await this.db.run<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE ${filterSql(query, query.statuses, params)}`, params.values, {
        idempotent: true,
      })
      return row?.n ?? 0
    }
    const [scope, key] = scopes[0] ?? ['all', '']
    const where = `scope = ${params.add(scope)} AND key = ${params.add(key)}${query.statuses.length > 0 ? ` AND status = ANY(${params.add(query.statuses)})` : ''}`
    const [row] = await this.db.run<{ n: number }>(
      `SELECT coalesce(sum(n), 0)::bigint AS n FROM (SELECT n FROM job_counts WHERE ${where} UNION ALL SELECT delta FROM job_count_deltas WHERE ${where}) counted`,
      params.values,
      { idempotent: true },
    )
    return row?.n ?? 0
  }
}

/**
 * One status, or none: a single index range read backwards. Several statuses: one ordered,
 * limited read per status, merged (PostgreSQL's Merge Append), instead of sorting every match.
 */
function pageSql(query: JobQuery, params: Params): string {
  const limit = params.add(query.limit)
  const offset = params.add(query.offset)
  if (query.statuses.length <= 1) {
    return `SELECT ${JOB_COLUMNS} FROM jobs WHERE ${filterSql(query, query.statuses, params)} ${NEWEST_FIRST} LIMIT ${limit} OFFSET ${offset}`
  }
  const window = params.add(query.limit + query.offset)
  const parts = query.statuses.map(
    (status) => `(SELECT ${JOB_COLUMNS}, seq FROM jobs WHERE ${filterSql(query, [status], params)} ${NEWEST_FIRST} LIMIT ${window})`,
  )
  return `SELECT ${JOB_COLUMNS} FROM (${parts.join(' UNION ALL ')}) merged ${NEWEST_FIRST} LIMIT ${limit} OFFSET ${offset}`
}

function filterSql(query: JobQuery, statuses: readonly JobStatus[], params: Params): string {
  const clauses: string[] = []
  const equal: [column: string, value: string | undefined][] = [
    ['function', query.function],
    ['worker_id', query.workerId],
    ['context', query.context],
    ['source', query.source],
  ]
  for (const [column, value] of equal) if (value !== undefined) clauses.push(`${column} = ${params.add(value)}`)
  if (statuses.length === 1) clauses.push(`status = ${params.add(statuses[0])}`)
  else if (statuses.length > 1) clauses.push(`status = ANY(${params.add(statuses)})`)
  return clauses.length > 0 ? clauses.join(' AND ') : 'TRUE'
}

const PATCH_FIELDS = ['status', 'startTime', 'endTime', 'workerId', 'result'] as const

function patchApplied(job: JobRecord, patch: JobPatch): boolean {
  return PATCH_FIELDS.every((field) => !(field in patch) || (patch[field] ?? undefined) === job[field])
}


