/**
 * The master's checker of Mist's `validated(...)` rules: a real JVM (`InfoMain --serve`, no
 * Spark started) kept between checks, given up on when a rule does not answer in time, and
 * gone, with its process group, once stopped. Jars built by scripts/setup.sh.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HAZE_HOME, loadConfig } from '../src/config.js'
import { JvmRuleChecker } from '../src/catalog/jvm-rule-checker.js'
import { createLogger } from '../src/logger.js'
import { resolveSparkHome } from '../src/workers/launcher.js'
import { until } from './helpers/wait.js'

const MIST_EXAMPLES = join(HAZE_HOME, 'jvm', 'mist-examples', 'target', 'haze-mist-examples.jar')
const EXAMPLES = join(HAZE_HOME, 'jvm', 'examples', 'target', 'haze-jvm-examples.jar')
const TIMEOUT_MS = 20_000

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('JVM rule checker', { timeout: 180_000 }, () => {
  let checker: JvmRuleChecker
  let pid: number | undefined
  const log = createLogger('silent')
  const started: number[] = []
  const watching = {
    ...log,
    info: (fields: unknown, message?: string) => {
      if (typeof fields === 'object' && fields !== null && 'pid' in fields) started.push((fields as { pid: number }).pid)
      return log.info(fields as object, message)
    },
  } as typeof log

  before(async () => {
    const config = loadConfig({}, {})
    checker = new JvmRuleChecker({ sparkHome: config.sparkHome ?? (await resolveSparkHome(config.python)), timeout: TIMEOUT_MS, log: watching })
  })
  after(() => checker.stop())

  const pi = (samples: number) => ({ path: MIST_EXAMPLES, sha1: 'mist-examples', className: 'PiExample', argumentsText: JSON.stringify({ samples }) })

  it("answers Mist's text for a refused argument, and nothing for one that passes, from one kept JVM", async () => {
    const refused = await checker.check(pi(-1))
    const passed = await checker.check(pi(10))
    pid = started[0]
    assert.deepEqual([refused, passed, started.length], ['Invalid value: Arg was rejected by validation rule :Samples should be positive', undefined, 1])
  })

  it('refuses with 400 when a rule does not answer in time, and replaces the JVM', async () => {
    const slow = checker.check({ path: EXAMPLES, sha1: 'examples', className: 'ScalaSlowRule', argumentsText: '{"millis": 600000}' })
    await assert.rejects(slow, (error: Error & { code?: string }) => error.code === 'bad_request' && /did not answer within 20 seconds/.test(error.message))
    assert.ok(pid !== undefined)
    await until(() => !alive(pid ?? 0), 'the stuck JVM to be gone', 10_000)
    assert.equal(await checker.check(pi(5)), undefined)
  })

  it('leaves no JVM behind once stopped', async () => {
    await checker.stop()
    const last = started.at(-1) ?? 0
    await until(() => !alive(last), 'the JVM to exit', 10_000)
    assert.equal(started.length, 2)
  })
})
