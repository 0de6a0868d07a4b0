/** GET /v2/api/status (the fields mist-cli and the Mist UI read) and the root page. */
import { getHeapStatistics } from 'node:v8'
import { Type } from 'typebox'
import type { HazeApp, HttpDeps } from '../deps.js'
import { localDateTime } from '../../status.js'
import { securityWarnings } from '../../auth/open-network.js'

const MiB = 1024 * 1024

const Status = Type.Object(
  {
    mistVersion: Type.String({ description: "Haze's version (Mist clients read this key)" }),
    hazeVersion: Type.String(),
    sparkVersion: Type.String({ description: 'The installed PySpark' }),
    pythonVersion: Type.String(),
    started: Type.String({ description: 'Start time, UTC, without zone' }),
    javaVersion: Type.Object({ runtimeVersion: Type.String(), vmVendor: Type.String() }),
    security: Type.Object(
      {
        tokens: Type.Boolean({ description: 'Requests need an API token' }),
        tls: Type.Boolean({ description: 'The API is served over TLS' }),
        warnings: Type.Array(Type.String(), { description: 'What makes this Haze unsafe on its network, if anything' }),
      },
      { description: 'Haze: how the API is protected' },
    ),
    memory: Type.Object({
      heap: Type.Object({ used: Type.Integer(), commited: Type.Integer(), max: Type.Integer() }),
    }),
  },
  { $id: 'Status', description: "Mist's status shape; memory is the master's own, in MiB (Mist's spelling \"commited\")" },
)

export function statusRoutes(app: HazeApp, { status, config }: HttpDeps): void {
  const security = { tokens: config.auth.tokens.length > 0, tls: config.tls !== undefined, warnings: securityWarnings(config) }
  app.get(
    '/v2/api/status',
    { schema: { tags: ['status'], summary: 'Versions and start time', response: { 200: Status } } },
    async () => {
      const versions = await status.versions()
      const heap = getHeapStatistics()
      return {
        mistVersion: status.version,
        hazeVersion: status.version,
        sparkVersion: versions.spark,
        pythonVersion: versions.python,
        started: localDateTime(status.started),
        javaVersion: versions.java,
        security,
        memory: {
          heap: {
            used: Math.floor(heap.used_heap_size / MiB),
            commited: Math.floor(heap.total_heap_size / MiB),
            max: Math.floor(heap.heap_size_limit / MiB),
          },
        },
      }
    },
  )
}
