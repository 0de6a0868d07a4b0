/**
 * Haze's JVM runtime jar (built from jvm/ by scripts/setup.sh): workers get it on their driver's
 * class path to run `.jar` functions, and the master reads those functions' signatures with it.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { HAZE_HOME } from '../config.js'

export const JVM_RUNTIME_JAR = join(HAZE_HOME, 'jvm', 'runtime', 'target', 'haze-jvm.jar')

/** The JVM worker's main class, in the runtime jar: spark-submit's `--class` for a jvm worker. */
export const JVM_WORKER_CLASS = 'haze.runtime.WorkerMain'

export const jvmRuntimeBuilt = (): boolean => existsSync(JVM_RUNTIME_JAR)

/**
 * Adds the runtime jar to spark-submit's `--jars`, merged into the context's own `--jars` (or
 * `--jars=…`) if its runOptions have one, since spark-submit keeps only the last.
 */
export function withRuntimeJar(args: readonly string[], jar: string): string[] {
  const merged = [...args]
  for (const [index, arg] of merged.entries()) {
    if (arg === '--jars' && index + 1 < merged.length) {
      merged[index + 1] = `${jar},${merged[index + 1] ?? ''}`
      return merged
    }
    if (arg.startsWith('--jars=')) {
      merged[index] = `--jars=${jar},${arg.slice('--jars='.length)}`
      return merged
    }
  }
  return ['--jars', jar, ...merged]
}
