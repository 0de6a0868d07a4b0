/**
 * Builds Haze from its parts and owns start-up and shutdown. Parts are released in reverse
 * order of acquisition, every release step runs even if an earlier one fails, and `stop()` /
 * `kill()` return the same promise however often they are called.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { HAZE_HOME } from './config.js'
import { ArtifactRepository } from './artifacts/repository.js'
import { ContextService } from './catalog/context-service.js'
import { FunctionService } from './catalog/function-service.js'
import { PythonInfoExtractor } from './catalog/info-extractor.js'
import { byLanguage, jvmInfoExtractor } from './catalog/jvm-info-extractor.js'
import { JvmRuleChecker } from './catalog/jvm-rule-checker.js'
import type { HazeConfig } from './config.js'
import { coerceError } from './domain/errors.js'
import { buildApp } from './http/app.js'
import type { HazeApp } from './http/deps.js'
import { createLogger, type Logger } from './logger.js'
import { probeRuntime } from './status.js'
import { EventBus } from './events/bus.js'
import { Executor } from './execution/executor.js'
import { JobLogs } from './logs/job-logs.js'
import { EventSockets } from './events/websocket.js'
import type { AsyncInterface } from './events/async-input.js'
import { KafkaInterface } from './events/kafka.js'
import { MqttInterface } from './events/mqtt.js'
import { routeUpgrades } from './http/upgrades.js'
import { admitUpgrade } from './auth/http.js'
import { Gate } from './auth/gate.js'
import { TokenSet } from './auth/tokens.js'
import { WorkerCredentials } from './auth/worker-credentials.js'
import { refuseOpenNetwork, securityWarnings } from './auth/open-network.js'
import { workerTrustFile } from './http/tls.js'
import { LinkServer } from './workers/link-server.js'
import { resolveSparkHome, SparkSubmitLauncher } from './workers/launcher.js'
import type { JobStore } from './store/job-store.js'
import { openStores } from './store/factory.js'
import { STANDBY_REASON, type Lifecycle } from './http/routes/health.js'
import { ActiveLock } from './ha/active-lock.js'
import { sendProblem } from './http/errors.js'
import { eventMetrics } from './metrics/events.js'
import { jobMetrics } from './metrics/jobs.js'
import { createRegistry } from './metrics/registry.js'
import { storeTiming } from './metrics/store.js'
import { workerMetrics } from './metrics/workers.js'
import { retentionMetrics } from './metrics/retention.js'
import { RetentionSweep } from './execution/retention.js'
import { unlink } from 'node:fs/promises'
import { ResultFiles } from './results/result-files.js'

export interface HazeServer {
  /** Base URL the API listens on, e.g. http://127.0.0.1:2004 (https:// with tls) */
  readonly url: string
  readonly app: HazeApp
  readonly jobs: JobStore
  readonly executor: Executor
  readonly bus: EventBus
  readonly sockets: EventSockets
  readonly log: Logger
  /**
   * Graceful shutdown: stop intake, give running jobs shutdownGrace, fail the rest, stop the
   * workers (shutdown message, SIGTERM, SIGKILL), close the server and the store.
   */
  stop(): Promise<void>
  /** The same without waiting: running jobs fail now, workers are killed, connections cut. */
  kill(): Promise<void>
  /**
   * Resolves, with the reason, if this master lost the active lock to another (PostgreSQL
   * store): it has then killed its workers and stopped, and the process should exit.
   */
  readonly fenced: Promise<string>
}

/** What a standby still answers: probes and its own metrics. */
const STANDBY_PATHS = new Set(['/health', '/ready', '/metrics'])

type Release = () => Promise<void> | void

export interface StartOptions {
  /**
   * Aborting it while this master waits as a standby ends the start: startServer then rejects
   * with StoppedWaiting, having released everything it took.
   */
  signal?: AbortSignal | undefined
}

export async function startServer(config: HazeConfig, log: Logger = createLogger(config.logLevel), options: StartOptions = {}): Promise<HazeServer> {
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

  // What GET /ready reports: it moves to serving once jobs are recovered, and to stopping at
  // the first moment of shutdown, before any part is released, so load balancers drain at once.
  let lifecycle: Lifecycle = 'starting'
  try {
    refuseOpenNetwork(config)
    mkdirSync(config.dataDir, { recursive: true })
    const stores = await openStores(config.store, config.dataDir, log)
    releases.push(() => stores.close())
    // Masters sharing a PostgreSQL store take turns: one active, the others standbys.
    const activeLock = stores.postgres && new ActiveLock({ connection: stores.postgres.connection, where: stores.where, log })
    if (activeLock) releases.push(() => activeLock.close())
    const registry = createRegistry()
    // Every store call is timed here, once, whatever the backend.
    const timed = storeTiming(registry)
    const jobs = timed('jobs', stores.jobs)
    const catalog = timed('catalog', stores.catalog)
    const artifacts = await ArtifactRepository.open(join(config.dataDir, 'artifacts'))
    const sparkHome = config.sparkHome ?? (await resolveSparkHome(config.python))
    const extractor = byLanguage(
      new PythonInfoExtractor({ python: config.python, timeout: config.functionInfoTimeout }),
      jvmInfoExtractor({ sparkHome, timeout: config.functionInfoTimeout }),
    )
    const bus = new EventBus(log)
    const contexts = new ContextService(catalog, config.contextDefaults, bus, Object.keys(config.runners))
    const rules = new JvmRuleChecker({ sparkHome, timeout: config.functionInfoTimeout, log })
    releases.push(() => rules.stop())
    const functions = new FunctionService({ catalog, artifacts, extractor, contexts, log, rules, bus })
    const status = probeRuntime(config.python)
    const logs = await JobLogs.open(join(config.dataDir, 'logs'), (error, jobId) =>
      log.warn({ err: error, jobId }, 'could not write to the job log'),
    )
    // Job logs write their lines a moment late; released after the executor, so its last lines are written.
    releases.push(() => logs.close())
    // Results over resultLimit; job retention removes them with their jobs (ResultFiles.remove).
    const results = new ResultFiles(join(config.dataDir, 'results'))

    // Workers reach the master over HTTP (artifacts) and the link; its URL is known once listening.
    let masterUrl = ''
    const workerCredentials = new WorkerCredentials()
    const gate = new Gate(new TokenSet(config.auth.tokens), workerCredentials, { publicMetrics: config.metrics.public }, log)
    const link = new LinkServer(log, config.resultLimit * 2 + 1024 * 1024)
    releases.push(() => link.close())
    const launcher = new SparkSubmitLauncher({
      sparkHome,
      python: config.python,
      entryScript: join(HAZE_HOME, 'worker', 'haze_worker', 'entry.py'),
      masterUrl: () => masterUrl,
      masterCa: workerTrustFile(config.tls),
      cacheDir: join(config.dataDir, 'worker-cache'),
      scratchRoot: join(config.dataDir, 'worker-scratch'),
      outputDir: logs.directory,
      outputLimit: config.workerOutputLimit,
      heartbeatMs: config.workerHeartbeat,
      startTimeout: config.workerStartTimeout,
      stopGrace: config.workerStopGrace,
      link,
      credentials: workerCredentials,
      runners: config.runners,
      log,
    })
    const executor = new Executor({
      jobs,
      functions,
      contexts,
      logs,
      bus,
      launcher,
      log,
      results,
      settings: {
        resultLimit: config.resultLimit,
        jobLogLimit: config.jobLogLimit,
        queueLimit: config.queueLimit,
        cancelGrace: config.cancelGrace,
        shutdownGrace: config.shutdownGrace,
        artifactUrl: (name) => `${masterUrl}/v2/api/artifacts/${encodeURIComponent(name)}`,
        resultUrl: (jobId) => `${masterUrl}/internal/workers/results/${encodeURIComponent(jobId)}`,
      },
    })
    // Before the executor starts, so the jobs it recovers are counted too.
    jobMetrics(registry, bus, executor)
    workerMetrics(registry, bus, executor)

    const app = await buildApp(
      {
        config,
        artifacts,
        functions,
        contexts,
        jobs,
        status,
        executor,
        logs,
        masterUrl: () => masterUrl,
        gate,
        audit: stores.audit,
        metrics: registry,
        health: { lifecycle: () => lifecycle, pingStore: () => stores.ping() },
        results,
      },
      log,
    )
    // A standby answers its probes and nothing else: it must not take jobs it cannot run.
    app.addHook('onRequest', async (request, reply) => {
      if (lifecycle !== 'standby' || STANDBY_PATHS.has(request.url.split('?')[0] ?? '')) return
      return sendProblem(reply, 503, STANDBY_REASON)
    })
    let closing: Promise<void> | undefined
    releases.push(() => app.close())
    const sockets = new EventSockets(
      bus,
      { get: (jobId) => jobs.get(jobId), live: (jobId) => executor.liveRecord(jobId) },
      { keepAlive: config.wsKeepAlive, bufferLimit: config.wsBufferLimit, allowedOrigins: config.allowedOrigins },
      log,
      () => executor.recovered,
    )
    eventMetrics(registry, { bus, sockets })
    // Upgraded sockets keep the HTTP server open: they are closed before it, with a reason.
    releases.push(() => sockets.close('Haze is shutting down'))
    routeUpgrades(app.server, [link.route, ...sockets.routes], log, (request, url) => void admitUpgrade(gate, request, url))
    await app.listen({ host: config.host, port: config.port })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    const url = `${config.tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`
    masterUrl = config.publicUrl ?? url
    // The async interfaces publish the events of the jobs that end while shutting down, so
    // they close after the executor has stopped; they stop taking jobs before it stops.
    const asyncInterfaces: AsyncInterface[] = []
    if (config.mqtt.on) asyncInterfaces.push(new MqttInterface(config.mqtt, executor, bus, log))
    if (config.kafka.on) asyncInterfaces.push(new KafkaInterface(config.kafka, executor, bus, log))
    releases.push(async () => {
      await Promise.all(asyncInterfaces.map((adapter) => adapter.close(config.shutdownGrace)))
    })
    // Last acquired, first released: running jobs end (or fail) before the server closes.
    releases.push(async () => {
      for (const adapter of asyncInterfaces) adapter.stopIntake()
      await executor.stop()
    })
    let fence: (reason: string) => void = () => undefined
    const fenced = new Promise<string>((resolve) => (fence = resolve))
    if (activeLock && stores.postgres) {
      const db = stores.postgres
      let waited = false
      options.signal?.addEventListener('abort', () => void activeLock.close(), { once: true })
      if (options.signal?.aborted) await activeLock.close()
      await activeLock.acquire(() => {
        waited = true
        lifecycle = 'standby'
        log.info({ url, store: stores.where }, `Haze is a standby on ${url}: another master is active on ${stores.where}; this one takes over when it stops`)
      })
      if (waited) log.info({ store: stores.where }, 'this master took the active lock: resolving the jobs the previous one left')
      lifecycle = 'starting'
      activeLock.hold({
        // Until the lock is known to be ours again, another master may hold it: write nothing.
        onCut: () => db.pause(`this master's active lock on ${stores.where} is in doubt (its session ended); waiting to take it back`),
        onBack: () => db.resume(),
        onLost: (reason) => {
          // Refused before anything else runs: the jobs it was running are the new master's to resolve.
          db.fence(`this master is no longer the active one: ${reason}`)
          log.error({ store: stores.where }, `this master is no longer the active one: ${reason}; stopping at once`)
          void shutdown(true).finally(() => fence(reason))
        },
      })
    }
    await launcher.sweepScratch()
    // Before any worker runs: drops half-written results, and those of jobs that never finished.
    const swept = await results.sweep((jobId) => jobs.get(jobId))
    if (swept > 0) log.info({ count: swept }, 'removed result files of jobs that did not finish')
    await executor.start()
    // Only the active master sweeps, once its jobs are recovered; stopped before anything else.
    const retention = new RetentionSweep({
      jobs,
      removeJobFiles: async (jobId) => {
        await unlink(logs.pathOf(jobId)).catch(() => undefined)
        await results.remove(jobId)
      },
      workerOutputDir: logs.directory,
      liveWorkers: () => executor.workers().map((worker) => worker.id),
      retention: config.jobRetention,
      log,
      onRemoved: retentionMetrics(registry),
    })
    releases.push(() => retention.stop())
    retention.start()
    for (const adapter of asyncInterfaces) adapter.start()
    lifecycle = 'serving'
    log.info({ url, dataDir: config.dataDir, store: stores.where, sparkHome }, `Haze is listening on ${url} (API docs /docs)`)
    for (const warning of securityWarnings(config)) log.warn(`unsafe: ${warning}`)

    const shutdown = (force: boolean): Promise<void> => {
      lifecycle = 'stopping'
      if (force) {
        void executor.kill()
        app.server.closeAllConnections()
      }
      return (closing ??= releaseAll())
    }
    return {
      url,
      app,
      jobs,
      executor,
      bus,
      sockets,
      log,
      stop: () => shutdown(false),
      kill: () => shutdown(true),
      fenced,
    }
  } catch (error) {
    await releaseAll().catch((releaseError: unknown) => log.error({ err: releaseError }, 'cleanup after a failed start failed'))
    throw error
  }
}
