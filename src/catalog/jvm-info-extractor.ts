/**
 * Reads the signatures of JVM functions (`.jar` artifacts) in a short-lived JVM without Spark
 * started: `java -cp haze-jvm.jar:<spark>/jars/* haze.runtime.InfoMain`, which speaks the Python
 * extractor's JSON. An extractor that sends each request to the reader of its artifact's language.
 */
import { join } from 'node:path'
import type { Duration } from '../domain/duration.js'
import { langOfPath } from '../domain/function.js'
import { JVM_RUNTIME_JAR, jvmRuntimeBuilt } from '../workers/jvm-runtime.js'
import { PythonInfoExtractor, type InfoExtractor, type InfoRequest, type InfoResult } from './info-extractor.js'

export function jvmInfoExtractor(options: { sparkHome: string; timeout: Duration }): InfoExtractor {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
  const reader = new PythonInfoExtractor({
    python: java,
    timeout: options.timeout,
    command: {
      command: java,
      args: ['-Xss4m', '-cp', `${JVM_RUNTIME_JAR}:${join(options.sparkHome, 'jars', '*')}`, 'haze.runtime.InfoMain'],
      what: `Java (${java})`,
    },
  })
  return {
    describe: async (requests) => {
      if (requests.length > 0 && !jvmRuntimeBuilt()) {
        return requests.map(() => ({ ok: false, error: `Haze's JVM runtime ${JVM_RUNTIME_JAR} is not built; run scripts/setup.sh` }))
      }
      return reader.describe(requests)
    },
  }
}

/** Python artifacts to one reader, `.jar` artifacts to the other, answers back in order. */
export function byLanguage(python: InfoExtractor, jvm: InfoExtractor): InfoExtractor {
  return {
    describe: async (requests: readonly InfoRequest[]): Promise<InfoResult[]> => {
      const isJvm = (request: InfoRequest) => langOfPath(request.path) !== 'python'
      const [pythonResults, jvmResults] = await Promise.all([
        python.describe(requests.filter((request) => !isJvm(request))),
        jvm.describe(requests.filter(isJvm)),
      ])
      let p = 0
      let j = 0
      return requests.map((request) => {
        const result = isJvm(request) ? jvmResults[j++] : pythonResults[p++]
        return result ?? { ok: false, error: 'the function info extractor gave no answer' }
      })
    },
  }
}
