/**
 * Builds Haze from its parts and owns start-up and shutdown. Parts are released in reverse
 * order of acquisition, every release step runs even if an earlier one fails, and `stop()` /
 * `kill()` return the same promise however often they are called.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ArtifactRepository } from './artifacts/repository.js'
import { ContextService } from './catalog/context-service.js'
import { FunctionService } from './catalog/function-service.js'
import { PythonInfoExtractor } from './catalog/info-extractor.js'
import type { HazeConfig } from './config.js'
import { coerceError } from './domain/errors.js'
import { buildApp } from './http/app.js'
import type { HazeApp } from './http/deps.js'
import { createLogger, type Logger } from './logger.js'
import { probeRuntime } from './status.js'
import { openSqlite } from './store/sqlite/database.js'
import { SqliteCatalogStore } from './store/sqlite/catalog-store.js'
import { SqliteJobStore } from './store/sqlite/job-store.js'
import type { JobStore } from './store/job-store.js'

export interface HazeServer {
  /** Base URL the API listens on, e.g. http://127.0.0.1:2004 */
  readonly url: string
  readonly app: HazeApp
  readonly jobs: JobStore
  readonly log: Logger
  /** Stops intake, lets requests finish, closes the store. */
  stop(): Promise<void>
  /** Same as stop, without waiting for requests in flight. */
  kill(): Promise<void>
}

type Release = () => Promise<void> | void

export async function startServer(config: HazeConfig, log: Logger = createLogger(config.logLevel)): Promise<HazeServer> {
  const releases: Release[] = []
  const releaseAll = async (): Promise<void> => {
    const errors: Error[] = []
    for (const release of releases.reverse()) {
      try {
        await release()
      } catch (error) {
        errors.push(coerceError(error))
      }
    }
    const [first] = errors
    if (errors.length > 1) throw new AggregateError(errors, 'errors while shutting down Haze')
    if (first) throw first
  }

  try {
    mkdirSync(config.dataDir, { recursive: true })
    const db = openSqlite(join(config.dataDir, 'haze.db'))
    releases.push(() => void db.close())
    const jobs = new SqliteJobStore(db)
    const catalog = new SqliteCatalogStore(db)
    const artifacts = await ArtifactRepository.open(join(config.dataDir, 'artifacts'))
    const extractor = new PythonInfoExtractor({ python: config.python, timeout: config.functionInfoTimeout })
    const contexts = new ContextService(catalog, config.contextDefaults)
    const functions = new FunctionService({ catalog, artifacts, extractor, contexts, log })
    const status = probeRuntime(config.python)

    const app = await buildApp({ config, artifacts, functions, contexts, jobs, status }, log)
    let closing: Promise<void> | undefined
    releases.push(() => app.close())
    await app.listen({ host: config.host, port: config.port })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
    log.info({ url, dataDir: config.dataDir }, `Haze is listening on ${url} (UI /ui, API docs /docs)`)

    const shutdown = (force: boolean): Promise<void> => {
      if (force) app.server.closeAllConnections()
      return (closing ??= releaseAll())
    }
    return {
      url,
      app,
      jobs,
      log,
      stop: () => shutdown(false),
      kill: () => shutdown(true),
    }
  } catch (error) {
    await releaseAll().catch((releaseError: unknown) => log.error({ err: releaseError }, 'cleanup after a failed start failed'))
    throw error
  }
}
