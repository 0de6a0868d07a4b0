/**
 * Class-data-sharing archives for the two JVMs of a worker's spark-submit: Spark's launcher
 * (which only builds the driver's command line) and the driver. Each loads thousands of
 * classes from Spark's jars at every start, parsing and verifying them again; with an archive
 * it maps the ones a start loaded when the archive was made (Java's dynamic CDS,
 * -XX:SharedArchiveFile). scripts/setup.sh makes them once, by spark-submitting
 * scripts/cds-warmup.py with -XX:ArchiveClassesAtExit, and again whenever the JDK or the
 * installed PySpark changes. bench/README.md says what they save.
 *
 * They are used only with the Spark home they were made from (named in CDS_DIR/spark-home).
 * A JVM that finds an archive not matching itself (another JDK build) or its class path (a
 * context's --driver-class-path) starts without it, saying nothing: -Xshare:auto, and the cds
 * log off.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HAZE_HOME } from '../config.js'

/** Where setup.sh writes the archives; inside .venv, as they belong to its PySpark. */
export const CDS_DIR = join(HAZE_HOME, '.venv', 'haze-cds')

export interface CdsArchives {
  /** For SPARK_LAUNCHER_OPTS (the launcher JVM). */
  launcher: string
  /** For SPARK_SUBMIT_OPTS (the driver JVM, in client mode). */
  driver: string
}

/** The JVM options that use the archives for workers of `sparkHome`; undefined if there are none for it. */
export function cdsOptions(sparkHome: string, dir = CDS_DIR): CdsArchives | undefined {
  let madeFor: string
  try {
    madeFor = readFileSync(join(dir, 'spark-home'), 'utf8').trim()
  } catch {
    return undefined // setup.sh made none (yet)
  }
  const launcher = join(dir, 'launcher.jsa')
  const driver = join(dir, 'driver.jsa')
  if (madeFor !== sparkHome || !existsSync(launcher) || !existsSync(driver)) return undefined
  // spark-class splits SPARK_LAUNCHER_OPTS on spaces, unquoted: a path with one cannot pass.
  if (/\s/.test(dir)) return undefined
  const options = (archive: string) => `-XX:SharedArchiveFile=${archive} -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off`
  return { launcher: options(launcher), driver: options(driver) }
}

/**
 * The command with the archives' options added to both JVMs' option variables, after what the
 * command or the master's environment already sets there; unchanged if there are none.
 */
export function withClassDataSharing<C extends { env: Record<string, string> }>(sparkHome: string, command: C): C {
  const archives = cdsOptions(sparkHome)
  if (!archives) return command
  const join = (...options: (string | undefined)[]) => options.filter((option) => option?.trim()).join(' ')
  return {
    ...command,
    env: {
      ...command.env,
      SPARK_LAUNCHER_OPTS: join(command.env.SPARK_LAUNCHER_OPTS ?? process.env.SPARK_LAUNCHER_OPTS, archives.launcher),
      SPARK_SUBMIT_OPTS: join(command.env.SPARK_SUBMIT_OPTS ?? process.env.SPARK_SUBMIT_OPTS, archives.driver),
    },
  }
}
