import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqlite } from '../src/store/sqlite/database.js'
import { SqliteJobStore } from '../src/store/sqlite/job-store.js'
import { jobStoreSuite } from './store/job-store-suite.js'

jobStoreSuite('SQLite (a real file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haze-store-'))
  const db = openSqlite(join(dir, 'haze.db'))
  return {
    store: new SqliteJobStore(db),
    async close() {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
