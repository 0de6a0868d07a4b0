/**
 * Opens the stores a master uses, on the database the config names: the embedded SQLite file
 * (the default) or PostgreSQL. The rest of Haze sees only the interfaces.
 */
import { join, resolve } from 'node:path'
import type { StoreConfig } from '../config.js'
import type { Logger } from '../logger.js'
import type { AuditStore } from './audit-store.js'
import type { CatalogStore } from './catalog-store.js'
import type { JobStore } from './job-store.js'
import { PostgresAuditStore } from './postgres/audit-store.js'
import { PostgresCatalogStore } from './postgres/catalog-store.js'
import { PostgresDatabase } from './postgres/database.js'
import { PostgresJobStore } from './postgres/job-store.js'
import { SqliteAuditStore } from './sqlite/audit-store.js'
import { SqliteCatalogStore } from './sqlite/catalog-store.js'
import { openSqlite } from './sqlite/database.js'
import { storeFault, withStoreFaults } from './sqlite/errors.js'
import { SqliteJobStore } from './sqlite/job-store.js'

export interface Stores {
  kind: 'sqlite' | 'postgres'
  /** Where the data is, without any password: a file path, or user@host:port/database. */
  where: string
  jobs: JobStore
  catalog: CatalogStore
  audit: AuditStore
  /** Resolves once the database answered a trivial query (GET /ready). */
  ping(): Promise<void>
  /** The PostgreSQL database, for what only it can do (the active master's lock). */
  postgres?: PostgresDatabase | undefined
  close(): Promise<void>
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url)

/** The SQLite file a `sqlite:` URL names: `sqlite:` alone is `haze.db` in the data dir. */
export function sqliteFile(url: string, dataDir: string): string {
  const path = url.slice('sqlite:'.length)
  return path === '' ? join(dataDir, 'haze.db') : resolve(path)
}

export async function openStores(store: StoreConfig, dataDir: string, log?: Logger): Promise<Stores> {
  if (isPostgresUrl(store.url)) {
    const db = await PostgresDatabase.open({ url: store.url, password: store.password, poolSize: store.poolSize, log })
    const jobs = new PostgresJobStore(db)
    return {
      kind: 'postgres',
      where: db.where,
      jobs,
      catalog: new PostgresCatalogStore(db),
      audit: new PostgresAuditStore(db),
      ping: () => db.ping(),
      postgres: db,
      async close() {
        try {
          await jobs.close()
        } finally {
          await db.close()
        }
      },
    }
  }
  if (!store.url.startsWith('sqlite:')) throw new Error(`unknown store URL scheme in ${JSON.stringify(store.url.split(':')[0])}: use sqlite: or postgres://`)
  const file = sqliteFile(store.url, dataDir)
  const db = openSqlite(file)
  const ping = db.prepare('SELECT 1')
  // A full disk or a lock held elsewhere answers 503, as a lost PostgreSQL does.
  const jobs = withStoreFaults(new SqliteJobStore(db), file)
  return {
    kind: 'sqlite',
    where: file,
    jobs,
    catalog: withStoreFaults(new SqliteCatalogStore(db), file),
    audit: withStoreFaults(new SqliteAuditStore(db), file),
    ping: async () => {
      try {
        ping.get()
      } catch (error) {
        throw storeFault(file, error)
      }
    },
    async close() {
      try {
        await jobs.close()
      } finally {
        db.close()
      }
    },
  }
}
