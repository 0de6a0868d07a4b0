/**
 * The job store on SQLite. Calls are synchronous underneath (better-sqlite3) and answer
 * promises to fit the shared interface.
 *
 * Writes are group-committed: the inserts and transitions asked for in one event-loop turn
 * run in one transaction at the end of the turn (setImmediate), and each promise settles once
 * that transaction is committed, so whoever waits for a write (a 200 for a submitted job)
 * finds it in the store. A commit per statement cost more than the statements themselves:
 * every commit appends the job's pages and the counters' pages to the WAL again. Reads are
 * not deferred; a write not yet committed is not seen by them, as if it came a moment later.
 */
import type { JobRecord, JobStatus } from '../../domain/job.js'
import { OPEN_STATUSES, statusesBefore, TERMINAL_STATUSES } from '../../domain/job.js'
import type { JobPage, JobPatch, JobQuery, JobStore } from '../job-store.js'
import type { Statement } from 'better-sqlite3'
import type { SqliteDatabase } from './database.js'
import { JOB_COLUMNS, jobFromRow, jobToRow, type JobRow } from '../rows.js'


const NEWEST_FIRST = 'ORDER BY create_time DESC, seq DESC'
const sqlList = (statuses: readonly JobStatus[]): string => statuses.map((status) => `'${status}'`).join(', ')
const UNFINISHED_LIST = sqlList(OPEN_STATUSES)
const TERMINAL_LIST = sqlList(TERMINAL_STATUSES)
const PATCH_COLUMNS: Record<keyof JobPatch, string> = {
  status: 'status',
  startTime: 'start_time',
  endTime: 'end_time',
  workerId: 'worker_id',
  result: 'result',
}
const PATCH_KEYS = Object.keys(PATCH_COLUMNS)

export class SqliteJobStore implements JobStore {
  private readonly insertStatement
  private readonly getStatement
  private readonly unfinishedStatement
  /** Statements by their SQL: list, count and transition queries come in a few dozen shapes. */
  private readonly statements = new Map<string, Statement>()
  /** Writes of this event-loop turn, committed together (see commit()). */
  private pending: PendingWrite[] = []
  private readonly applyAll: (batch: readonly PendingWrite[]) => Outcome[]

  constructor(private readonly db: SqliteDatabase) {
    this.insertStatement = db.prepare(
      `INSERT INTO jobs (${JOB_COLUMNS}) VALUES (@job_id, @function, @context, @path, @class_name, @arguments, @action,
        @external_id, @source, @status, @create_time, @start_time, @end_time, @worker_id, @result, @started_by)`,
    )
    this.applyAll = db.transaction((batch: readonly PendingWrite[]) =>
      batch.map((write): Outcome => {
        try {
          return { ok: true, value: write.apply() }
        } catch (error) {
          if (!db.inTransaction) throw error
          return { ok: false, error }
        }
      }),
    )
    this.getStatement = db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE job_id = ?`)
    // IN (not NOT IN) so the status index finds the few unfinished jobs among millions.
    this.unfinishedStatement = db.prepare(
      `SELECT ${JOB_COLUMNS} FROM jobs WHERE status IN (${UNFINISHED_LIST}) ORDER BY create_time, seq`,
    )
  }

  insert(job: JobRecord): Promise<void> {
    const row = jobToRow(job)
    return this.write(() => {
      this.insertStatement.run(row)
    })
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const row = this.getStatement.get(jobId) as JobRow | undefined
    return row && jobFromRow(row)
  }

  async list(query: JobQuery): Promise<JobPage> {
    const rows = this.prepared(pageSql(query)).all(pageParams(query)) as JobRow[]
    const page: JobPage = { jobs: rows.map(jobFromRow) }
    if (query.withTotal) page.total = this.count(query)
    return page
  }

  async transition(jobId: string, patch: JobPatch): Promise<JobRecord | undefined> {
    if (!PATCH_KEYS.some((key) => key in patch)) return this.get(jobId)
    return this.write(() => this.applyTransition(jobId, patch))
  }

  private applyTransition(jobId: string, patch: JobPatch): JobRecord | undefined {
    const assignments: string[] = []
    const params: Record<string, unknown> = { job_id: jobId }
    for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof JobPatch, string][]) {
      if (!(key in patch)) continue
      assignments.push(`${column} = @${column}`)
      params[column] = patch[key] ?? null
    }
    const row = this.prepared(
      // The state machine's guard: only from a status the job may leave for this one.
      `UPDATE jobs SET ${assignments.join(', ')} WHERE job_id = @job_id AND status IN (${sqlList(statusesBefore(patch.status))}) RETURNING ${JOB_COLUMNS}`,
    ).get(params) as JobRow | undefined
    return row && jobFromRow(row)
  }

  async listUnfinished(): Promise<JobRecord[]> {
    return (this.unfinishedStatement.all() as JobRow[]).map(jobFromRow)
  }

  async listEnded(endedBefore: number, limit: number): Promise<string[]> {
    // One ordered, limited read of the status index per terminal status, merged (as a page of
    // several statuses is): a single IN would collect every old job and sort them. A job ends
    // after it is created, so the creation-time bound stops each read at the cutoff.
    const parts = TERMINAL_STATUSES.map(
      (status) =>
        `SELECT * FROM (SELECT job_id, create_time, seq FROM jobs WHERE status = '${status}' AND create_time < @before AND coalesce(end_time, create_time) < @before ORDER BY create_time, seq LIMIT @limit)`,
    )
    const rows = this.prepared(`SELECT job_id FROM (${parts.join(' UNION ALL ')}) ORDER BY create_time, seq LIMIT @limit`).all({
      before: endedBefore,
      limit,
    }) as { job_id: string }[]
    return rows.map((row) => row.job_id)
  }

  async remove(jobIds: readonly string[]): Promise<number> {
    // One transaction per call: the caller's batch bounds how long the write lock is held.
    const remove = this.prepared(`DELETE FROM jobs WHERE job_id = ? AND status IN (${TERMINAL_LIST})`)
    return this.db.transaction(() => jobIds.reduce((removed, jobId) => removed + remove.run(jobId).changes, 0))()
  }

  /** Commits what is pending; nothing is written afterwards. */
  async close(): Promise<void> {
    this.commit()
  }

  /** Runs `apply` in this turn's transaction; settles once it is committed. */
  private write<T>(apply: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ apply, resolve: resolve as (value: unknown) => void, reject })
      if (this.pending.length === 1) setImmediate(() => this.commit())
    })
  }

  /**
   * One transaction for the pending writes. A statement that fails (a duplicate job id) fails
   * its own write only: SQLite undoes that statement and the transaction goes on. If SQLite
   * gave up the whole transaction (disk full, I/O error) or the commit fails, nothing of it
   * is stored and every write of it fails.
   */
  private commit(): void {
    const batch = this.pending
    if (batch.length === 0) return
    this.pending = []
    let outcomes: Outcome[]
    try {
      outcomes = this.applyAll(batch)
    } catch (error) {
      for (const write of batch) write.reject(error)
      return
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index]
      if (outcome?.ok === true) write.resolve(outcome.value)
      else write.reject(outcome?.error)
    })
  }

  private prepared(sql: string): Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      // Shapes are few (filters × status counts); the bound only guards against surprises.
      if (this.statements.size >= 500) this.statements.clear()
      this.statements.set(sql, statement)
    }
    return statement
  }

  private count(query: JobQuery): number {
    const scopes = (
      [
        ['worker', query.workerId],
        ['function', query.function],
        ['context', query.context],
        ['source', query.source],
      ] as const
    ).filter(([, key]) => key !== undefined)
    if (scopes.length > 1) {
      // A counter covers one filter; several at once are counted through the index of one.
      const { sql, params } = filterSql(query, query.statuses)
      return (this.prepared(`SELECT count(*) AS n FROM jobs WHERE ${sql}`).get(params) as { n: number }).n
    }
    const [scope, key] = scopes[0] ?? ['all', '']
    const statusFilter = query.statuses.length > 0 ? `AND status IN (${query.statuses.map(() => '?').join(', ')})` : ''
    const row = this.prepared(`SELECT coalesce(sum(n), 0) AS n FROM job_counts WHERE scope = ? AND key = ? ${statusFilter}`).get(
      scope,
      key,
      ...query.statuses,
    ) as { n: number }
    return row.n
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

interface PendingWrite {
  apply: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * One status, or none: a single index range read in order. Several statuses: one ordered,
 * limited read per status, merged. SQLite would otherwise collect every matching row and sort.
 */
function pageSql(query: JobQuery): string {
  if (query.statuses.length <= 1) {
    return `SELECT ${JOB_COLUMNS} FROM jobs WHERE ${filterSql(query, query.statuses).sql} ${NEWEST_FIRST} LIMIT @limit OFFSET @offset`
  }
  const parts = query.statuses.map(
    (status, index) =>
      `SELECT * FROM (SELECT ${JOB_COLUMNS}, seq FROM jobs WHERE ${filterSql(query, [status], `s${index}`).sql} ${NEWEST_FIRST} LIMIT @window)`,
  )
  return `SELECT ${JOB_COLUMNS} FROM (${parts.join(' UNION ALL ')}) ${NEWEST_FIRST} LIMIT @limit OFFSET @offset`
}

function pageParams(query: JobQuery): Record<string, unknown> {
  const params: Record<string, unknown> = {
    limit: query.limit,
    offset: query.offset,
    window: query.limit + query.offset,
    function: query.function,
    worker_id: query.workerId,
    context: query.context,
    source: query.source,
  }
  if (query.statuses.length === 1) params.status = query.statuses[0]
  else query.statuses.forEach((status, index) => (params[`s${index}`] = status))
  for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key]
  return params
}

function filterSql(
  query: JobQuery,
  statuses: readonly JobStatus[],
  statusParam = 'status',
): { sql: string; params: Record<string, unknown> } {
  const clauses: string[] = []
  const params: Record<string, unknown> = {}
  const equal: [column: string, value: string | undefined][] = [
    ['function', query.function],
    ['worker_id', query.workerId],
    ['context', query.context],
    ['source', query.source],
  ]
  for (const [column, value] of equal) {
    if (value === undefined) continue
    clauses.push(`${column} = @${column}`)
    params[column] = value
  }
  if (statuses.length === 1) {
    clauses.push(`status = @${statusParam}`)
    params[statusParam] = statuses[0]
  } else if (statuses.length > 1) {
    const names = statuses.map((_, index) => `@${statusParam}${index}`)
    clauses.push(`status IN (${names.join(', ')})`)
    statuses.forEach((status, index) => (params[`${statusParam}${index}`] = status))
  }
  return { sql: clauses.length > 0 ? clauses.join(' AND ') : '1 = 1', params }
}


