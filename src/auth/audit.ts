/**
 * The audit trail: every change the API accepts (the actions named in policy.ts) is recorded
 * with the caller's token name, as a log line and in the store (`GET /v2/api/audit`). Entries
 * are written when the answer is sent, so only changes that happened are recorded.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuditEntry, AuditStore } from '../store/audit-store.js'

/** The actor of a change made while the API has no tokens. */
export const ANONYMOUS = 'anonymous'

export function auditChanges(app: FastifyInstance, audit: AuditStore): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const action = request.admission?.rule.audit
    if (action === undefined || reply.statusCode >= 300) return payload
    const entry: AuditEntry = {
      time: Date.now(),
      actor: request.admission?.caller?.name ?? ANONYMOUS,
      action,
      target: targetOf(request, payload),
      status: reply.statusCode,
    }
    try {
      await audit.record(entry)
      request.log.info({ audit: entry }, `audit: ${entry.actor} ${entry.action} ${entry.target}`)
    } catch (error) {
      // The change is made; losing its record must be loud, not a failed answer.
      request.log.error({ err: error, audit: entry }, 'cannot record an audit entry')
    }
    return payload
  })
}

/** The name of what was changed: from the path (`:id`, `:name`), else the body's `name`, else the stored artifact name answered. */
function targetOf(request: FastifyRequest, payload: unknown): string {
  const params = request.params as { id?: string; name?: string } | undefined
  const named = params?.id ?? params?.name ?? (request.body as { name?: unknown } | undefined)?.name
  if (typeof named === 'string') return named
  return typeof payload === 'string' ? payload : ''
}
