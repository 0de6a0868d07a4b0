/**
 * JVM functions end to end on real Spark: a `.jar` built from jvm/examples (by scripts/setup.sh)
 * with functions in Mist's Scala and Java DSLs, run by the same shared worker as Python ones,
 * in its driver JVM. Signatures are read at deploy time; arguments are checked before a job exists.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { until } from './helpers/wait.js'

const EXAMPLES_JAR = join(HAZE_HOME, 'jvm', 'examples', 'target', 'haze-jvm-examples.jar')
type Info = { lang: string; execute: Record<string, unknown>; tags: string[]; defaults: Record<string, unknown> }
type Sync = { success: boolean; payload: unknown; errors: string[] }

describe('JVM functions on real Spark', { timeout: 300_000 }, () => {
  let haze: TestHaze
  const deploy = (name: string, className: string) =>
    haze.json<Info & { detail?: string }>('/v2/api/functions', jsonBody('POST', { name, path: 'examples.jar', className, defaultContext: 'jvm' }))
  const runSync = (fn: string, args: unknown) => haze.json<Sync & { detail?: string }>(`/v2/api/functions/${fn}/jobs?force=true`, jsonBody('POST', args))

  before(async () => {
    haze = await startHaze({ cancelGrace: 5000, workerHeartbeat: 1000, workerStartTimeout: 120_000 })
    assert.equal((await haze.api('/v2/api/artifacts', upload('examples.jar', readFileSync(EXAMPLES_JAR)))).status, 200)
    const context = {
      name: 'jvm',
      workerMode: 'shared',
      maxJobs: 2,
      downtime: 'Inf',
      sparkConf: { 'spark.master': 'local[2]', 'spark.ui.port': '0' },
    }
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', context))).status, 200)
  })
  after(() => haze.close())

  it('reads a Scala function signature at deploy time', async () => {
    const deployed = await deploy('scala-pi', 'ScalaPi$')
    assert.deepEqual([deployed.status, deployed.body.lang, deployed.body.execute], [200, 'scala', { samples: { type: 'MInt' } }])
  })

  it('reads a Java function with a default', async () => {
    const deployed = await deploy('java-pi', 'JavaPi')
    assert.deepEqual([deployed.status, deployed.body.lang, deployed.body.defaults], [200, 'java', { samples: 1000 }])
  })

  it('refuses a class that is not a function, saying why', async () => {
    const deployed = await deploy('not-fn', 'NotAFunction')
    assert.match(`${deployed.status} ${deployed.body.detail ?? ''}`, /^400 .*does not extend mist\.api\.MistFn/)
  })

  it('refuses arguments of the wrong type before a job exists', async () => {
    const answer = await runSync('scala-pi', { samples: 'many' })
    assert.match(`${answer.status} ${answer.body.detail ?? ''}`, /^400 .*samples/)
  })

  it('runs a Scala function of Mist DSL on a real worker', async () => {
    const answer = await runSync('scala-pi', { samples: 20000 })
    assert.ok(answer.body.success && typeof answer.body.payload === 'number' && Math.abs(answer.body.payload - Math.PI) < 0.2, JSON.stringify(answer.body))
  })

  it('runs a Java DSL function, its default filled in', async () => {
    const answer = await runSync('java-pi', {})
    assert.ok(answer.body.success && typeof answer.body.payload === 'number' && Math.abs(answer.body.payload - Math.PI) < 0.4, JSON.stringify(answer.body))
  })

  it('runs several arguments, an option, MistExtras and a SparkSession', async () => {
    assert.equal((await deploy('kinds', 'ScalaKinds')).status, 200)
    const answer = await runSync('kinds', { numbers: [1, 2, 3], label: 'x' })
    const payload = answer.body.payload as { values?: string[]; label?: string[] }
    assert.deepEqual([payload.values, payload.label], [['2', '4', '6'], ['x']])
  })

  it('fails a job whose function throws with its exception and message', async () => {
    assert.equal((await deploy('throws', 'ScalaThrows')).status, 200)
    const answer = await runSync('throws', { reason: 'no' })
    assert.match(answer.body.errors.join('\n'), /IllegalStateException: refusing: no/)
  })

  it('cancels a running JVM job through its Spark job group', async () => {
    assert.equal((await deploy('slow', 'ScalaSlow')).status, 200)
    const started = await haze.json<{ id: string }>('/v2/api/functions/slow/jobs', jsonBody('POST', { seconds: 600 }))
    const api = jobApi(haze)
    await until(async () => ((await api.job(started.body.id)).status === 'started' ? true : undefined), 'the slow job to start', 120_000)
    assert.equal((await haze.api(`/v2/api/jobs/${started.body.id}`, { method: 'DELETE' })).status, 200)
    const ended = await api.ended(started.body.id, 60_000)
    assert.equal(ended.status, 'cancelled')
  })
})
