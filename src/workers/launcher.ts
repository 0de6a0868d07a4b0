/**
 * Starts real workers: spark-submit (or the context's manual runner) with a one-time token the
 * link server will expect.
 */
import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Duration } from '../domain/duration.js'
import type { Logger } from '../logger.js'
import type { LinkServer } from './link-server.js'
import type { WorkerCredentials } from '../auth/worker-credentials.js'
import type { RunnerConfig } from '../config.js'
import { JVM_RUNTIME_JAR, jvmRuntimeBuilt } from './jvm-runtime.js'
import { manualCommands } from './manual-runner.js'
import { sparkSubmitCommand, type Command } from './spark-submit.js'
import { SparkWorker } from './spark-worker.js'
import type { Worker, WorkerLauncher, WorkerSpec } from './worker.js'

export interface SparkSubmitLauncherOptions {
  sparkHome: string
  python: string
  entryScript: string
  /** Known once the server listens. */
  masterUrl: () => string
  /** PEM file workers verify the master's TLS certificate with (see spark-submit.ts). */
  masterCa?: string | undefined
  cacheDir: string
  /** Each worker's scratch directory is made here and removed when the worker ends. */
  scratchRoot: string
  outputDir: string
  /** Bytes of each worker's own output kept on disk (`workerOutputLimit`). */
  outputLimit?: number | undefined
  heartbeatMs: number
  startTimeout: Duration
  stopGrace: Duration
  link: LinkServer
  /** Issues each worker its artifact-download credential, revoked when it exits. */
  credentials: WorkerCredentials
  /** The config file's manual runners, by name (a context's `runner`). */
  runners: Record<string, RunnerConfig>
  log: Logger
}

export class SparkSubmitLauncher implements WorkerLauncher {
  constructor(private readonly options: SparkSubmitLauncherOptions) {}

  launch(spec: WorkerSpec): Worker {
    const { options } = this
    const token = randomBytes(24).toString('hex')
    const scratchDir = join(options.scratchRoot, spec.id)
    mkdirSync(scratchDir, { recursive: true })
    const submit = sparkSubmitCommand({
        sparkHome: options.sparkHome,
        python: options.python,
        entryScript: options.entryScript,
        lang: spec.lang,
        workerId: spec.id,
        context: spec.context,
        shared: spec.context.workerMode === 'shared',
        masterUrl: options.masterUrl(),
        masterCa: options.masterCa,
        token,
        credential: options.credentials.issue(spec.id),
        cacheDir: options.cacheDir,
        scratchDir,
        heartbeatMs: options.heartbeatMs,
        warmUp: spec.warmUp ?? false,
      })
    const runnerName = spec.context.runner
    const runner = runnerName === undefined ? undefined : options.runners[runnerName]
    const entry = spec.lang === 'jvm' ? JVM_RUNTIME_JAR : options.entryScript
    const manual = runner && manualCommands(runner, submit, spec.context, spec.id, entry)
    const worker = new SparkWorker({
      spec,
      command:
        runnerName !== undefined && runner === undefined
          ? // Its start fails like any other, with the reason as its output (and counts as one).
            failing(`context ${spec.context.name} names runner ${JSON.stringify(runnerName)}, which the config file no longer defines; add it back or update the context`)
          : spec.lang === 'jvm' && !jvmRuntimeBuilt()
            ? failing(`a JVM function needs Haze's JVM runtime, ${JVM_RUNTIME_JAR}, which is not built; run scripts/setup.sh (it needs a JDK and Maven)`)
            : (manual?.start ?? submit),
      detached: runner?.detached ?? false,
      stopCommand: manual?.stop,
      startTimeout: options.startTimeout,
      heartbeatMs: options.heartbeatMs,
      stopGrace: options.stopGrace,
      outputFile: join(options.outputDir, `worker-${spec.id}.log`),
      outputLimit: options.outputLimit,
      log: options.log,
    })
    options.link.expect(worker, token)
    worker.once('exit', () => {
      options.credentials.revoke(worker.id)
      void removeScratch(scratchDir, options.log)
    })
    return worker
  }

  /**
   * Removes the scratch directories a previous master left (its workers died with it, or are
   * dying by their parent watch). Called once this master is the active one, before it starts
   * any worker, so it never touches a live worker's files.
   */
  async sweepScratch(): Promise<void> {
    const { scratchRoot, log } = this.options
    const names = await readdir(scratchRoot).catch(() => [] as string[])
    await Promise.all(names.map((name) => removeScratch(join(scratchRoot, name), log)))
    if (names.length > 0) log.info({ count: names.length }, 'removed the scratch directories of workers from before this start')
  }
}

async function removeScratch(dir: string, log: Logger): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 })
  } catch (error) {
    log.warn({ err: error, dir }, 'cannot remove a worker\'s scratch directory')
  }
}

/** A command that prints `message` as an error and exits 1. */
function failing(message: string): Command {
  return { command: process.execPath, args: ['-e', 'console.error(`error: ${process.argv[1]}`); process.exit(1)', message], env: {} }
}

/** $SPARK_HOME if set, else the Spark that the PySpark package brings with it. */
export async function resolveSparkHome(python: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.SPARK_HOME) return env.SPARK_HOME
  try {
    const { stdout } = await promisify(execFile)(
      python,
      ['-c', 'import os, pyspark; print(os.path.dirname(pyspark.__file__))'],
      { timeout: 60_000 },
    )
    return stdout.trim()
  } catch (error) {
    throw new Error(`cannot find Spark: set SPARK_HOME, or install PySpark for ${python} (bin/haze setup)`, { cause: error })
  }
}
