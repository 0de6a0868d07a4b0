/**
 * Haze's JVM runtime jar (built from jvm/ by scripts/setup.sh): JVM workers run from it
 * (spark-submit --class haze.runtime.WorkerMain), and the master reads `.jar` functions'
 * signatures and checks their rules with it. Python workers do without it.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { HAZE_HOME } from '../config.js'

export const JVM_RUNTIME_JAR = join(HAZE_HOME, 'jvm', 'runtime', 'target', 'haze-jvm.jar')

/** The JVM worker's main class, in the runtime jar: spark-submit's `--class` for a jvm worker. */
export const JVM_WORKER_CLASS = 'haze.runtime.WorkerMain'

export const jvmRuntimeBuilt = (): boolean => existsSync(JVM_RUNTIME_JAR)
