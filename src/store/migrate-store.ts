/**
 * Copies a SQLite store into an empty PostgreSQL store (`haze migrate-store`): functions,
 * contexts, every job (in the order they were created, arguments and results as their exact
 * text) and the audit trail, in one transaction, then checks the counts on both sides before
 * committing. Artifacts and job logs are files in the data dir, not in the store: they stay
 * where they are (the masters share that dir).
 */
import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'
import type pg from 'pg'
import { openSqlite } from './sqlite/database.js'
import { PostgresDatabase } from './postgres/database.js'

export interface MigrateOptions {
  /** The SQLite file to read. */
  from: string
  /** postgres://… */
  to: string
  password?: string | undefined
  /** Called with a line of progress now and then. */
  progress?: (line: string) => void
}

export interface MigrateReport {
  /** Rows copied per table; each equals the count on both sides. */
  copied: Record<'functions' | 'contexts' | 'jobs' | 'audit', number>
  /** Jobs per status, equal on both sides and in the target's kept totals. */
  statuses: Record<string, number>
  where: string
}

const TABLES = {
  functions: ['name', 'path', 'class_name', 'default_context', 'signature', 'artifact_sha', 'create_time', 'update_time'],
  contexts: ['name', 'config', 'update_time'],
  jobs: ['job_id', 'function', 'context', 'path', 'class_name', 'arguments', 'action', 'external_id', 'source', 'status', 'create_time', 'start_time', 'end_time', 'worker_id', 'result', 'started_by'],
  audit: ['time', 'actor', 'action', 'target', 'status'],
} as const
type Table = keyof typeof TABLES

/** Rows per INSERT: big enough to be fast, well under PostgreSQL's 65,535 parameters. */
const BATCH = 1_000

export async function migrateStore(options: MigrateOptions): Promise<MigrateReport> {
  if (!existsSync(options.from)) throw new Error(`no SQLite store at ${options.from}; give the path of a Haze data dir's haze.db`)
  // Opening brings an older file's schema up to date first, so every column below exists.
  openSqlite(options.from).close()
  const source = new Database(options.from, { readonly: true })
  const target = await PostgresDatabase.open({ url: options.to, password: options.password, poolSize: 1 })
  const client = await target.pool.connect()
  try {
    await client.query('BEGIN')
    for (const table of Object.keys(TABLES) as Table[]) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)
      if ((rows[0]?.n ?? 0) > 0) throw new Error(`the PostgreSQL store at ${target.where} is not empty (${table} has rows); migrate into a new database`)
    }
    const copied = { functions: 0, contexts: 0, jobs: 0, audit: 0 }
    for (const table of Object.keys(TABLES) as Table[]) {
      copied[table] = await copyTable(source, client, table, options.progress)
      options.progress?.(`${table}: ${copied[table]} rows copied`)
    }
    await client.query('SELECT job_counts_fold()')
    const statuses = await checkCounts(source, client, copied)
    await client.query('COMMIT')
    return { copied, statuses, where: target.where }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
    source.close()
    await target.close()
  }
}

async function copyTable(source: Database.Database, client: pg.PoolClient, table: Table, progress?: (line: string) => void): Promise<number> {
  const columns = TABLES[table]
  // In creation order: a job's place in the history (seq) is kept by inserting in that order.
  const rows = source.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${table === 'jobs' || table === 'audit' ? 'seq' : 'name'}`).raw().iterate() as IterableIterator<unknown[]>
  let count = 0
  let batch: unknown[][] = []
  const flush = async () => {
    if (batch.length === 0) return
    const values = batch.flat()
    const tuples = batch.map((_, row) => `(${columns.map((__, col) => `$${row * columns.length + col + 1}`).join(', ')})`)
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values)
    count += batch.length
    batch = []
    if (count % 100_000 === 0) progress?.(`${table}: ${count} rows…`)
  }
  for (const row of rows) {
    batch.push(row)
    if (batch.length === BATCH) await flush()
  }
  await flush()
  return count
}

/** Row counts on both sides, jobs per status on both sides, and the target's kept totals. */
async function checkCounts(source: Database.Database, client: pg.PoolClient, copied: Record<Table, number>): Promise<Record<string, number>> {
  for (const table of Object.keys(TABLES) as Table[]) {
    const from = (source.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)
    const to = rows[0]?.n ?? -1
    if (from !== copied[table] || to !== copied[table]) throw new Error(`${table}: ${from} rows in SQLite, ${copied[table]} copied, ${to} in PostgreSQL; nothing was committed`)
  }
  const fromStatuses = Object.fromEntries(
    (source.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status').all() as { status: string; n: number }[]).map((r) => [r.status, r.n]),
  )
  const direct = await client.query<{ status: string; n: number }>('SELECT status, count(*) AS n FROM jobs GROUP BY status')
  const kept = await client.query<{ status: string; n: number }>("SELECT status, n FROM job_counts WHERE scope = 'all' AND key = '' AND n <> 0")
  for (const [name, rows] of [['jobs by status', direct.rows], ['kept totals by status', kept.rows]] as const) {
    const counted = Object.fromEntries(rows.map((r) => [r.status, r.n]))
    const statuses = new Set([...Object.keys(fromStatuses), ...Object.keys(counted)])
    for (const status of statuses) {
      if (fromStatuses[status] !== counted[status]) {
        throw new Error(`${name}: ${status} is ${fromStatuses[status] ?? 0} in SQLite but ${counted[status] ?? 0} in PostgreSQL; nothing was committed`)
      }
    }
  }
  return fromStatuses
}
