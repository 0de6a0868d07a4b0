/** What the HTTP layer needs from the rest of Haze, wired in `server.ts`. */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { ArtifactRepository } from '../artifacts/repository.js'
import type { ContextService } from '../catalog/context-service.js'
import type { FunctionService } from '../catalog/function-service.js'
import type { HazeConfig } from '../config.js'
import type { Executor } from '../execution/executor.js'
import type { JobLogs } from '../logs/job-logs.js'
import type { JobStore } from '../store/job-store.js'
import type { StatusSource } from '../status.js'
import type { Gate } from '../auth/gate.js'
import type { AuditStore } from '../store/audit-store.js'
import type { Registry } from '../metrics/registry.js'
import type { HealthSource } from './routes/health.js'
import type { ResultFiles } from '../results/result-files.js'

export interface HttpDeps {
  config: HazeConfig
  artifacts: ArtifactRepository
  functions: FunctionService
  contexts: ContextService
  jobs: JobStore
  status: StatusSource
  executor: Executor
  logs: JobLogs
  /** The URL workers reach the master at (shown in worker details). */
  masterUrl(): string
  /** Decides who may call what (API tokens, worker credentials). */
  gate: Gate
  audit: AuditStore
  /** This master's Prometheus registry (GET /metrics; request latency is observed into it). */
  metrics: Registry
  /** What GET /ready asks: the master's lifecycle and its store. */
  health: HealthSource
  /** Results over resultLimit, stored as files (GET /v2/api/jobs/:id/result). */
  results: ResultFiles
}

export type HazeApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>
