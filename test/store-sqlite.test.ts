import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import type { JobQuery } from '../src/store/job-store.js'
import { openSqlite } from '../src/store/sqlite/database.js'
import { MIGRATIONS } from '../src/store/sqlite/migrations.js'
import { SqliteAuditStore } from '../src/store/sqlite/audit-store.js'
import { SqliteJobStore } from '../src/store/sqlite/job-store.js'
import { SqliteCatalogStore } from '../src/store/sqlite/catalog-store.js'
import { auditStoreSuite } from './store/audit-store-suite.js'
import { catalogStoreSuite } from './store/catalog-store-suite.js'
import { jobStoreSuite } from './store/job-store-suite.js'

/** A real SQLite file in a temp dir, removed on close. */
function sqliteFile<T>(make: (db: ReturnType<typeof openSqlite>) => T): () => Promise<{ store: T; close(): Promise<void> }> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haze-store-'))
    const db = openSqlite(join(dir, 'haze.db'))
    return {
      store: make(db),
      async close() {
        db.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
}

jobStoreSuite('SQLite (a real file)', sqliteFile((db) => new SqliteJobStore(db)))
catalogStoreSuite('SQLite (a real file)', sqliteFile((db) => new SqliteCatalogStore(db)))
auditStoreSuite('SQLite (a real file)', sqliteFile((db) => new SqliteAuditStore(db)))

describe('SQLite migrations', () => {
  it('upgrades a version 1 database with jobs: their contexts and sources are counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haze-migrate-'))
    try {
      const file = join(dir, 'haze.db')
      const old = new Database(file)
      old.exec(MIGRATIONS[0]?.sql ?? '')
      old.pragma('user_version = 1')
      const insert = old.prepare(
        `INSERT INTO jobs (job_id, function, context, path, class_name, arguments, action, source, status, create_time) VALUES (?, 'f', ?, 'f.py', 'f', '{}', 'execute', ?, ?, ?)`,
      )
      insert.run('a', 'old', 'Http', 'finished', 1)
      insert.run('b', 'old', 'Async Kafka', 'failed', 2)
      insert.run('c', 'other', 'Async Kafka', 'failed', 3)
      old.close()

      const db = openSqlite(file)
      const store = new SqliteJobStore(db)
      const total = async (filter: Partial<JobQuery>) => (await store.list({ limit: 0, offset: 0, statuses: [], withTotal: true, ...filter })).total
      assert.deepEqual(
        [await total({ context: 'old' }), await total({ source: 'Async Kafka' }), await total({ context: 'old', statuses: ['failed'] })],
        [2, 2, 1],
      )
      assert.equal((await store.get('a'))?.status, 'finished')
      assert.equal((await store.get('a'))?.startedBy, undefined, 'jobs from before version 3 name no token')
      db.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
