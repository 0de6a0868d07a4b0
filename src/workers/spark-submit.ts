/**
 * The spark-submit command line of a worker: Spark's own launcher, from the installed PySpark
 * (or $SPARK_HOME), so `spark.master` decides where Spark runs: local[*], spark://, yarn, k8s://.
 * Arguments are a list, never a shell string; `runOptions` is split without a shell.
 */
import { join } from 'node:path'
import type { ContextConfig } from '../domain/context.js'
import { withClassDataSharing } from './jvm-cds.js'
import { checkRunOptions } from '../domain/run-options.js'
import { JVM_RUNTIME_JAR, JVM_WORKER_CLASS } from './jvm-runtime.js'
import type { WorkerLang } from './protocol.js'

export interface SparkSubmitOptions {
  sparkHome: string
  python: string
  entryScript: string
  /** python: the entry script runs haze_worker; jvm: haze.runtime.WorkerMain from Haze's runtime jar. */
  lang: WorkerLang
  workerId: string
  context: ContextConfig
  shared: boolean
  masterUrl: string
  /** PEM file the worker verifies the master's TLS certificate with; absent: the system's CAs. */
  masterCa?: string | undefined
  token: string
  /** The worker's credential for artifact downloads (src/auth/worker-credentials.ts). */
  credential: string
  cacheDir: string
  /**
   * The worker's own scratch directory: Spark's local dirs (blockmgr-*, spark-*) and the temp
   * files of its JVMs and Python go here, so the master can remove them when the worker ends.
   * A driver killed with SIGKILL never runs Spark's own clean-up, which otherwise leaves them in
   * /tmp, a few hundred megabytes a day on a busy master.
   */
  scratchDir: string
  heartbeatMs: number
  /** WorkerSpec.warmUp: HAZE_WORKER_WARM_UP=1. */
  warmUp?: boolean
}

export interface Command {
  command: string
  args: string[]
  env: Record<string, string>
}

/** Settings Haze adds unless the context sets them itself. */
function defaultsFor(shared: boolean): Record<string, string> {
  return {
    // Progress bars would flood the worker's output, which is read line by line.
    'spark.ui.showConsoleProgress': 'false',
    // Parallel jobs of a shared worker should share executors, not queue behind each other.
    ...(shared ? { 'spark.scheduler.mode': 'FAIR' } : {}),
  }
}

/** One option for SPARK_SUBMIT_OPTS, quoted as Spark's launcher splits it (a path may hold spaces). */
function javaOption(option: string): string {
  return `"${option.replace(/(["\\])/g, '\\$1')}"`
}

export function sparkSubmitCommand(options: SparkSubmitOptions): Command {
  const conf = { ...defaultsFor(options.shared), ...options.context.sparkConf }
  const runOptions = checkRunOptions(options.context.runOptions)
  const args = [
    ...runOptions,
    '--name',
    options.workerId,
    ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
    // The primary resource: the JVM worker's jar and class, or the Python worker's script.
    ...(options.lang === 'jvm' ? ['--class', JVM_WORKER_CLASS, JVM_RUNTIME_JAR] : [options.entryScript]),
  ]
  // Both JVMs start from class-data-sharing archives when setup.sh made them for this Spark.
  return withClassDataSharing(options.sparkHome, {
    command: join(options.sparkHome, 'bin', 'spark-submit'),
    args,
    env: {
      SPARK_HOME: options.sparkHome,
      PYSPARK_PYTHON: options.python,
      PYSPARK_DRIVER_PYTHON: options.python,
      PYTHONUNBUFFERED: '1',
      HAZE_MASTER_URL: options.masterUrl,
      HAZE_WORKER_ID: options.workerId,
      HAZE_WORKER_TOKEN: options.token,
      HAZE_WORKER_CREDENTIAL: options.credential,
      HAZE_WORKER_CACHE: options.cacheDir,
      HAZE_HEARTBEAT_MS: String(options.heartbeatMs),
      ...(options.warmUp === true ? { HAZE_WORKER_WARM_UP: '1' } : {}),
      HAZE_PARENT_PID: String(process.pid),
      SPARK_LOCAL_DIRS: options.scratchDir,
      TMPDIR: options.scratchDir,
      // spark-submit's JVM is the driver in client mode: java.io.tmpdir is where Spark's other
      // temp dirs go. A driver out of heap exits at once (code 3, "Terminating due to
      // java.lang.OutOfMemoryError"), so its worker is replaced and its jobs fail saying why.
      // Spark exits by itself (code 52) only when a local executor's task thread runs out;
      // elsewhere in the driver (py4j's threads, the task-result-getter's, which Spark does not
      // catch it in) only the thread or the call fails, and the JVM would go on serving jobs in
      // an unknown state. Appended, so options set in the environment still apply.
      SPARK_SUBMIT_OPTS: [process.env.SPARK_SUBMIT_OPTS, javaOption(`-Djava.io.tmpdir=${options.scratchDir}`), javaOption('-XX:+ExitOnOutOfMemoryError')]
        .filter(Boolean)
        .join(' '),
      ...(options.masterCa === undefined ? {} : { HAZE_MASTER_CA: options.masterCa }),
    },
  })
}
