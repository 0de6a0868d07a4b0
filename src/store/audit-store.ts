/**
 * The audit trail: changes made through the API, who made them and when. Entries are only
 * ever added; one interface, one implementation per database.
 */
export interface AuditEntry {
  /** Epoch milliseconds. */
  time: number
  /** The API token's name; `anonymous` when the API has no tokens. */
  actor: string
  /** What was done, e.g. `function.delete` (src/auth/policy.ts names them). */
  action: string
  /** What it was done to: an artifact, function, context, job or worker name. */
  target: string
  /** The HTTP status the change was answered with. */
  status: number
}

export interface AuditQuery {
  limit: number
  offset: number
  actor?: string | undefined
  action?: string | undefined
  withTotal: boolean
}

export interface AuditStore {
  record(entry: AuditEntry): Promise<void>
  /** Newest first. */
  list(query: AuditQuery): Promise<{ entries: AuditEntry[]; total?: number }>
}
