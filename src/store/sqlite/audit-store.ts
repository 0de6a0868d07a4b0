/** The audit trail on SQLite: an append-only table read newest first. */
import type { AuditEntry, AuditQuery, AuditStore } from '../audit-store.js'
import type { SqliteDatabase } from './database.js'

export class SqliteAuditStore implements AuditStore {
  private readonly insertStatement

  constructor(private readonly db: SqliteDatabase) {
    this.insertStatement = db.prepare('INSERT INTO audit (time, actor, action, target, status) VALUES (@time, @actor, @action, @target, @status)')
  }

  async record(entry: AuditEntry): Promise<void> {
    this.insertStatement.run(entry)
  }

  async list(query: AuditQuery): Promise<{ entries: AuditEntry[]; total?: number }> {
    const clauses: string[] = []
    const params: Record<string, unknown> = {}
    if (query.actor !== undefined) {
      clauses.push('actor = @actor')
      params.actor = query.actor
    }
    if (query.action !== undefined) {
      clauses.push('action = @action')
      params.action = query.action
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''
    const entries = this.db
      .prepare(`SELECT time, actor, action, target, status FROM audit ${where} ORDER BY seq DESC LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.limit, offset: query.offset }) as AuditEntry[]
    if (!query.withTotal) return { entries }
    // Changes are rare next to jobs: a count over the trail (or one index range) stays cheap.
    const { n } = this.db.prepare(`SELECT count(*) AS n FROM audit ${where}`).get(params) as { n: number }
    return { entries, total: n }
  }
}
