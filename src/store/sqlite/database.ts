/**
 * Opens the embedded SQLite file (WAL, so readers never wait on the writer) and brings its
 * schema up to date.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { BUSY_TIMEOUT_MS } from './errors.js'
import { MIGRATIONS } from './migrations.js'

export type SqliteDatabase = Database.Database

export function openSqlite(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    db.pragma('foreign_keys = ON')
    migrate(db)
    return db
  } catch (error) {
    db.close()
    throw new Error(`cannot open the SQLite store at ${file}: ${(error as Error).message}`, { cause: error })
  }
}

function migrate(db: SqliteDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number
  const latest = MIGRATIONS.at(-1)?.version ?? 0
  if (current > latest) {
    throw new Error(
      `the database schema is version ${current}, newer than this Haze knows (${latest}); upgrade Haze or use another data dir`,
    )
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue
    db.transaction(() => {
      db.exec(migration.sql)
      db.pragma(`user_version = ${migration.version}`)
    })()
  }
}
