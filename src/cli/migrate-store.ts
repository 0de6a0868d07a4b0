/**
 * `haze migrate-store --from sqlite:PATH --to postgres://…`: moves a master's store from its
 * SQLite file to PostgreSQL (src/store/migrate-store.ts). The password may come from
 * HAZE_STORE_PASSWORD instead of the URL; it is never printed.
 */
import { parseArgs } from 'node:util'
import { describeUrl } from '../store/postgres/database.js'
import { migrateStore } from '../store/migrate-store.js'
import { isPostgresUrl, sqliteFile } from '../store/factory.js'

export const MIGRATE_STORE_USAGE = `Usage: haze migrate-store --from sqlite:PATH --to postgres://USER@HOST:PORT/DATABASE

Copies functions, contexts, every job and the audit trail from a SQLite store into an empty
PostgreSQL database, in one transaction, and checks the counts on both sides before committing.
Artifacts and job logs stay in the data dir. The password: in the URL, or HAZE_STORE_PASSWORD.
Stop the master first; then start it with "store": { "url": "postgres://…" } in its config file.

  --from sqlite:PATH   the SQLite file (a data dir's haze.db); sqlite: alone is ./data/haze.db
  --to URL             the PostgreSQL database, empty (its schema is created)
`

export async function migrateStoreCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: { from?: string | undefined; to?: string | undefined; help?: boolean | undefined }
  try {
    values = parseArgs({ args, strict: true, options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values
  } catch (error) {
    process.stderr.write(`haze migrate-store: ${(error as Error).message}\n\n${MIGRATE_STORE_USAGE}`)
    return 2
  }
  if (values.help) {
    process.stdout.write(MIGRATE_STORE_USAGE)
    return 0
  }
  if (!values.from?.startsWith('sqlite:') || values.to === undefined || !isPostgresUrl(values.to)) {
    process.stderr.write(`haze migrate-store: give --from sqlite:PATH and --to postgres://…\n\n${MIGRATE_STORE_USAGE}`)
    return 2
  }
  const from = sqliteFile(values.from, 'data')
  const to = values.to
  process.stdout.write(`copying ${from} into PostgreSQL at ${describeUrl(to)}\n`)
  try {
    const report = await migrateStore({ from, to, password: env.HAZE_STORE_PASSWORD, progress: (line) => process.stdout.write(`  ${line}\n`) })
    const statuses = Object.entries(report.statuses).map(([status, n]) => `${status} ${n}`).join(', ')
    process.stdout.write(
      `done: ${report.copied.functions} functions, ${report.copied.contexts} contexts, ${report.copied.jobs} jobs (${statuses || 'none'}), ${report.copied.audit} audit entries; counts equal on both sides\n`,
    )
    return 0
  } catch (error) {
    process.stderr.write(`haze migrate-store: ${(error as Error).message}\n`)
    return 1
  }
}
