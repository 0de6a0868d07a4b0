/** The audit trail on PostgreSQL: an append-only table read newest first. */
import type { AuditEntry, AuditQuery, AuditStore } from '../audit-store.js'
import type { PostgresDatabase } from './database.js'

export class PostgresAuditStore implements AuditStore {
  constructor(private readonly db: PostgresDatabase) {}

  async record(entry: AuditEntry): Promise<void> {
    // Not repeated after a broken connection: the entry could be written twice.
    await this.db.run(
      'INSERT INTO audit (time, actor, action, target, status) VALUES ($1, $2, $3, $4, $5)',
      [entry.time, entry.actor, entry.action, entry.target, entry.status],
      { idempotent: false },
    )
  }

  async list(query: AuditQuery): Promise<{ entries: AuditEntry[]; total?: number }> {
    const clauses: string[] = []
    const values: unknown[] = []
    if (query.actor !== undefined) {
      values.push(query.actor)
      clauses.push(`actor = $${values.length}`)
    }
    if (query.action !== undefined) {
      values.push(query.action)
      clauses.push(`action = $${values.length}`)
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''
    const page = `SELECT time, actor, action, target, status FROM audit ${where} ORDER BY seq DESC LIMIT $${values.length + 1} OFFSET $${values.length + 2}`
    const entries = await this.db.run<AuditEntry>(page, [...values, query.limit, query.offset], { idempotent: true })
    if (!query.withTotal) return { entries }
    // Changes are rare next to jobs: a count over the trail (or one index range) stays cheap.
    const [row] = await this.db.run<{ n: number }>(`SELECT count(*) AS n FROM audit ${where}`, values, { idempotent: true })
    return { entries, total: row?.n ?? 0 }
  }
}
