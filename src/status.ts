/**
 * What GET /v2/api/status reports: Haze's version, when it started, and the versions of the
 * Spark and Java that workers will run on, read from the real installation once at start-up.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { HAZE_HOME } from './config.js'

const run = promisify(execFile)

export interface RuntimeVersions {
  spark: string
  python: string
  java: { runtimeVersion: string; vmVendor: string }
}

export interface StatusSource {
  readonly version: string
  readonly started: Date
  versions(): Promise<RuntimeVersions>
}

export const HAZE_VERSION = (JSON.parse(readFileSync(join(HAZE_HOME, 'package.json'), 'utf8')) as { version: string }).version

const UNKNOWN = 'unknown'

/** Probes once, lazily, and remembers; a probe that fails reports "unknown" rather than failing /status. */
export function probeRuntime(python: string): StatusSource {
  let probed: Promise<RuntimeVersions> | undefined
  return {
    version: HAZE_VERSION,
    started: new Date(),
    versions: () => (probed ??= probe(python)),
  }
}

async function probe(python: string): Promise<RuntimeVersions> {
  const [spark, java] = await Promise.all([probeSpark(python), probeJava()])
  return { ...spark, java }
}

async function probeSpark(python: string): Promise<{ spark: string; python: string }> {
  try {
    const { stdout } = await run(
      python,
      ['-c', 'import platform, pyspark; print(pyspark.__version__); print(platform.python_version())'],
      { timeout: 30_000 },
    )
    const [spark, pythonVersion] = stdout.trim().split('\n')
    return { spark: spark ?? UNKNOWN, python: pythonVersion ?? UNKNOWN }
  } catch {
    return { spark: UNKNOWN, python: UNKNOWN }
  }
}

/** The Java that spark-submit will use: $JAVA_HOME's, else the one on PATH. */
async function probeJava(): Promise<RuntimeVersions['java']> {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
  try {
    const { stderr } = await run(java, ['-XshowSettings:properties', '-version'], { timeout: 30_000 })
    const property = (key: string) => new RegExp(`^\\s*${key.replaceAll('.', '\\.')} = (.*)$`, 'm').exec(stderr)?.[1]?.trim()
    return {
      runtimeVersion: property('java.runtime.version') ?? UNKNOWN,
      vmVendor: property('java.vm.vendor') ?? UNKNOWN,
    }
  } catch {
    return { runtimeVersion: UNKNOWN, vmVendor: UNKNOWN }
  }
}

/** Mist writes `started` as a LocalDateTime without zone: 2019-10-07T12:48:23.123 (UTC here). */
export function localDateTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '')
}
