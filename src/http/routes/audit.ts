/** GET /v2/api/audit: the audit trail, newest first, paginated like the job lists (admin only). */
import { Type } from 'typebox'
import type { AuditStore } from '../../store/audit-store.js'
import type { HazeApp } from '../deps.js'
import { queryBoolean, queryCount, queryName } from '../query.js'
import { Problem, QueryBoolean, QueryCount, QueryFilter } from '../schemas.js'

const AuditEntry = Type.Object(
  {
    time: Type.Integer({ description: 'Epoch milliseconds' }),
    actor: Type.String({ description: 'The API token\'s name; "anonymous" when the API has no tokens' }),
    action: Type.String({ description: 'e.g. artifact.upload, function.delete, context.update, job.cancel, worker.stop' }),
    target: Type.String({ description: 'The artifact, function, context, job or worker' }),
    status: Type.Integer({ description: 'The HTTP status the change was answered with' }),
  },
  { description: 'One change made through the API' },
)

const AuditQuery = Type.Object({
  limit: Type.Optional(QueryCount('limit', 'Page size, default 25', 10_000)),
  offset: Type.Optional(QueryCount('offset', 'Entries to skip, default 0', 1_000_000_000)),
  paginate: Type.Optional(QueryBoolean('paginate', 'true: answer {"entries": [...], "total": N}')),
  actor: Type.Optional(QueryFilter('actor', 'Only changes by this token name')),
  action: Type.Optional(QueryFilter('action', 'Only this action')),
})

export function auditRoutes(app: HazeApp, audit: AuditStore): void {
  app.get(
    '/v2/api/audit',
    {
      schema: {
        tags: ['status'],
        summary: 'The audit trail: who changed what, and when (admin tokens only)',
        querystring: AuditQuery,
        response: {
          200: Type.Union([Type.Array(AuditEntry), Type.Object({ entries: Type.Array(AuditEntry), total: Type.Integer() })]),
          400: Problem,
        },
      },
    },
    async (request) => {
      const paginate = queryBoolean('paginate', request.query.paginate)
      const page = await audit.list({
        limit: queryCount('limit', request.query.limit, 25, 10_000),
        offset: queryCount('offset', request.query.offset, 0),
        actor: queryName('actor', request.query.actor),
        action: queryName('action', request.query.action),
        withTotal: paginate,
      })
      return paginate ? { entries: page.entries, total: page.total ?? 0 } : page.entries
    },
  )
}
