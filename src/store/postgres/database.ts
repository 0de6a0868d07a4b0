/**
 * A pool of connections to PostgreSQL, its schema brought up to date at open (under an
 * advisory lock), and the one way the stores run a statement: `run()`, which retries what is
 * safe to retry and turns a store that stays away into a 503.
 */
import { createHash } from 'node:crypto'
import pg from 'pg'
import type { Logger } from '../../logger.js'
import { coerceError } from '../../domain/errors.js'
import { isConnectionError, isRolledBack, isTransient, storeUnavailable } from './errors.js'
import { POSTGRES_MIGRATIONS } from './migrations.js'

export interface PostgresOptions {
  /** postgres://user[:password]@host[:port]/database[?…] */
  url: string
  /** Used when the URL has none (HAZE_STORE_PASSWORD), so it need not sit in a config file. */
  password?: string | undefined
  poolSize: number
  log?: Logger | undefined
}

/**
 * How a statement may be retried after its connection broke while it ran (it may or may not
 * have been applied): `idempotent` ones run again; others are answered as unavailable. Failures
 * before the statement was sent, and rolled-back ones (serialization failures, deadlocks), are
 * always retried.
 */
export interface RunOptions {
  idempotent: boolean
  /** How long to keep trying before answering 503. */
  budgetMs?: number
}

/** Two-key advisory locks of Haze ('Haze' in ASCII, then the purpose). */
export const LOCK_NAMESPACE = 0x48617a65
export const MIGRATION_LOCK = 1
export const ACTIVE_MASTER_LOCK = 2

// Epoch milliseconds and counts come back as bigint; they fit a double exactly (< 2^53).
const INT8_OID = 20
const parseInt8 = (text: string): number => Number(text)
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? parseInt8 : (pg.types.getTypeParser(oid, format ?? 'text') as unknown)) as typeof pg.types.getTypeParser,
}

const DEFAULT_BUDGET_MS = 5_000

export class PostgresDatabase {
  readonly pool: pg.Pool
  /** user@host:port/database: the URL without its password, for messages and logs. */
  readonly where: string
  private readonly names = new Map<string, string>()
  /**
   * Whether this master may use the database (PostgreSQL store with several masters): `paused`
   * while its active lock's session is broken and it does not yet know whether another master
   * took the lock (statements wait, as for a store that is away); `fenced` once another did
   * (statements are refused, so two masters never write at once).
   */
  private gate: { state: 'open' } | { state: 'paused' | 'fenced'; reason: string } = { state: 'open' }

  private constructor(
    readonly connection: pg.ClientConfig,
    poolSize: number,
    private readonly log: Logger | undefined,
  ) {
    this.where = describeUrl(connection.connectionString ?? '')
    this.pool = new pg.Pool({ ...connection, max: poolSize })
    // An idle connection that breaks (the server restarted) is dropped from the pool; without a
    // listener the error would end the process.
    this.pool.on('error', (error) => this.log?.warn({ err: error, store: this.where }, 'a PostgreSQL connection broke; it is replaced on next use'))
  }

  static async open(options: PostgresOptions): Promise<PostgresDatabase> {
    const db = new PostgresDatabase(clientConfig(options), options.poolSize, options.log)
    try {
      await db.migrate()
      return db
    } catch (error) {
      await db.pool.end().catch(() => undefined)
      throw new Error(`cannot open the PostgreSQL store at ${db.where}: ${coerceError(error).message}`, { cause: error })
    }
  }

  /**
   * Runs one statement (prepared once per connection, by name) and answers its rows. Retries
   * as RunOptions says, with backoff, within the budget; then throws a 503 `unavailable`.
   * Other errors (a constraint, a bug) are thrown as they are.
   */
  async run<R>(text: string, values: readonly unknown[], options: RunOptions): Promise<R[]> {
    return (await this.runTracked<R>(text, values, options)).rows
  }

  /**
   * `run()`, also saying whether an earlier attempt broke after the statement was sent
   * (`ambiguous`: it may have been applied), so a write can tell its own repeat from a refusal.
   */
  async runTracked<R>(text: string, values: readonly unknown[], options: RunOptions): Promise<{ rows: R[]; ambiguous: boolean }> {
    let ambiguous = false
    const deadline = Date.now() + (options.budgetMs ?? DEFAULT_BUDGET_MS)
    for (let attempt = 0; ; attempt++) {
      if (this.gate.state !== 'open') {
        const held = new Error(this.gate.reason)
        if (this.gate.state === 'fenced' || Date.now() >= deadline) throw storeUnavailable(this.where, held)
        await backoff(attempt, deadline)
        continue
      }
      let client: pg.PoolClient
      try {
        client = await this.pool.connect()
      } catch (error) {
        if (!isTransient(error) || Date.now() >= deadline) throw this.failure(error)
        await backoff(attempt, deadline)
        continue
      }
      try {
        const result = await client.query<R & pg.QueryResultRow>({ name: this.nameOf(text), text, values: values as unknown[] })
        client.release()
        return { rows: result.rows, ambiguous }
      } catch (error) {
        const broken = isConnectionError(error)
        client.release(broken ? coerceError(error) : undefined)
        const retry = isRolledBack(error) || (broken && options.idempotent)
        if (!retry || Date.now() >= deadline) throw this.failure(error)
        if (broken) ambiguous = true
        await backoff(attempt, deadline)
      }
    }
  }

  /** A trivial query, not retried: what /ready asks. */
  async ping(): Promise<void> {
    if (this.gate.state !== 'open') throw storeUnavailable(this.where, new Error(this.gate.reason))
    try {
      await this.pool.query('SELECT 1')
    } catch (error) {
      throw this.failure(error)
    }
  }

  async close(): Promise<void> {
    await this.pool.end()
  }

  /** Holds every statement not yet sent until `resume()` (or its budget ends: a 503). */
  pause(reason: string): void {
    if (this.gate.state === 'open') this.gate = { state: 'paused', reason }
  }

  resume(): void {
    if (this.gate.state === 'paused') this.gate = { state: 'open' }
  }

  /** Refuses every statement from now on, for good: another master is active. */
  fence(reason: string): void {
    this.gate = { state: 'fenced', reason }
  }

  private failure(error: unknown): Error {
    return isTransient(error) ? storeUnavailable(this.where, error) : coerceError(error)
  }

  private nameOf(text: string): string {
    let name = this.names.get(text)
    if (name === undefined) {
      name = `haze_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`
      this.names.set(text, name)
    }
    return name
  }

  /**
   * Applies the migrations not yet applied, in one transaction holding an advisory lock: a
   * second master starting at the same moment waits, then finds nothing left to do.
   */
  private async migrate(): Promise<void> {
    const client = await this.connectWithRetry()
    try {
      await client.query('BEGIN')
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATION_LOCK])
      await client.query(`CREATE TABLE IF NOT EXISTS haze_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`)
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM haze_migrations')
      const current = rows[0]?.version ?? 0
      const latest = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0
      if (current > latest) {
        throw new Error(`the database schema is version ${current}, newer than this Haze knows (${latest}); upgrade Haze or use another database`)
      }
      for (const migration of POSTGRES_MIGRATIONS) {
        if (migration.version <= current) continue
        await client.query(migration.sql)
        await client.query('INSERT INTO haze_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
        this.log?.info({ version: migration.version, store: this.where }, `store schema migrated: ${migration.name}`)
      }
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  /** At start-up PostgreSQL may still be coming up (57P03): wait a little for it. */
  private async connectWithRetry(): Promise<pg.PoolClient> {
    const deadline = Date.now() + 15_000
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.pool.connect()
      } catch (error) {
        if (!isConnectionError(error) || Date.now() >= deadline) throw error
        await backoff(attempt, deadline)
      }
    }
  }
}

/** The pool's settings: the password from the URL, else from `password`; TCP keep-alive so a dead peer is noticed. */
export function clientConfig(options: Pick<PostgresOptions, 'url' | 'password'>): pg.ClientConfig {
  const url = new URL(options.url)
  if (url.password === '' && options.password !== undefined) url.password = encodeURIComponent(options.password)
  return {
    connectionString: url.toString(),
    types: TYPES,
    keepAlive: true,
    connectionTimeoutMillis: 5_000,
    application_name: 'haze',
  }
}

/** The URL without its password. */
export function describeUrl(text: string): string {
  try {
    const url = new URL(text)
    const user = url.username === '' ? '' : `${decodeURIComponent(url.username)}@`
    return `${user}${url.host}${url.pathname}`
  } catch {
    return '(an unparsable URL)'
  }
}

async function backoff(attempt: number, deadline: number): Promise<void> {
  const ms = Math.min(50 * 2 ** attempt, 1_000, Math.max(0, deadline - Date.now()))
  await new Promise((resolve) => setTimeout(resolve, ms))
}
