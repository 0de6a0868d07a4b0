/**
 * Spare workers on real Spark (issue 13), one master for every case: a spare starts at
 * start-up and shows as `spare`; an exclusive job takes it (a driver seen idle, with no job
 * ever, before the job was submitted) and a replacement starts; a context change replaces a
 * context's spares, its deletion stops them, and stopping the master leaves no Spark process.
 * The executor's own rules (bounds, shared bursts, broken contexts) are in executor-spares.test.ts.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadConfig } from '../src/config.js'
import { CDS_DIR } from '../src/workers/jvm-cds.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze, type WorkerView } from './helpers/haze.js'
import { childrenOf, groupAlive } from './helpers/processes.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const LOCAL = { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false', 'spark.driver.memory': '512m' }
/** Spark drivers start in 6–9 s on an idle machine; the suite shares two cores. */
const START = 180_000

describe('spare workers on real Spark', { timeout: 900_000 }, () => {
  let haze: TestHaze | undefined
  const api = () => jobApi(haze!)
  const spareOf = async (context: string, not: string[] = []) =>
    (await api().workers()).find((w) => w.context === context && w.state === 'spare' && !not.includes(w.name))
  const untilSpare = (context: string, not: string[] = []) =>
    until(() => spareOf(context, not), `a spare of ${context}${not.length > 0 ? ` other than ${not.join(', ')}` : ''}`, START)
  const history = async (worker: string) => (await haze!.json<{ jobId: string }[]>(`/v2/api/workers/${worker}/jobs`)).body
  /** The default context's spare, kept to the end to prove the master's stop ends it. */
  let lastDefaultSpare: WorkerView | undefined

  before(async () => {
    // The default context has a spare from the configuration: it starts with the master.
    const defaults = loadConfig({}, {}).contextDefaults
    haze = await startHaze({ contextDefaults: { ...defaults, sparkConf: LOCAL, workerMode: 'exclusive', maxJobs: 1, spareWorkers: 1 }, workerHeartbeat: 1000 })
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    await haze.json('/v2/api/functions', jsonBody('POST', { name: 'noop', path: 'jobs.py', className: 'noop', defaultContext: 'default' }))
  })
  after(async () => {
    await haze?.close()
  })

  it('starts a spare at start-up and lists it with state spare', async () => {
    const spare = await untilSpare('default')
    assert.ok(spare.pid, 'a live driver with a pid')
    assert.ok(groupAlive(spare.pid))
    assert.deepEqual((await haze!.json<{ spareWorkers?: number }>('/v2/api/contexts/default')).body.spareWorkers, 1)
  })

  it("warms a spare before it is ready: Spark's Python worker daemon already runs under its driver", async () => {
    const spare = await untilSpare('default')
    // Spark's JVM forks `python -m pyspark.daemon` at the first Python task: here, the warm-up's.
    const daemons = childrenOf(spare.pid!).filter((child) => readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').includes('pyspark.daemon'))
    assert.equal(daemons.length, 1, `one pyspark.daemon under driver ${spare.pid}`)
  })

  it("a worker's driver JVM starts from the class-data-sharing archive setup.sh made", async () => {
    const spare = await untilSpare('default')
    // The driver is the spark-submit process itself (client mode): the archive is mapped into it.
    assert.match(readFileSync(`/proc/${spare.pid}/maps`, 'utf8'), new RegExp(`${join(CDS_DIR, 'driver.jsa').replaceAll('.', '\\.')}$`, 'm'))
  })

  it('an exclusive job takes the spare, which never ran anything; the driver stops after it and a replacement starts', async () => {
    const spare = await untilSpare('default')
    assert.deepEqual(await history(spare.name), [], 'the spare has never run a job')
    const id = (await haze!.json<{ id: string }>('/v2/api/functions/noop/jobs', jsonBody('POST', {}))).body.id
    const done = await api().ended(id, START)
    assert.equal(done.status, 'finished')
    assert.equal(done.workerId, spare.name, 'the job ran on the driver that was a spare before it was submitted')
    assert.deepEqual((await history(spare.name)).map((job) => job.jobId), [id])
    await until(() => !groupAlive(spare.pid!), 'the exclusive driver to stop after its job', 30_000)
    lastDefaultSpare = await untilSpare('default', [spare.name])
  })

  it('a context change replaces its spares with the new settings; deleting the context stops them', async () => {
    const body = { name: 'reshaped', workerMode: 'exclusive', maxJobs: 1, spareWorkers: 1, sparkConf: LOCAL }
    const created = await haze!.json<{ spareWorkers?: number }>('/v2/api/contexts', jsonBody('POST', body))
    assert.equal(created.body.spareWorkers, 1)
    const first = await untilSpare('reshaped')
    await haze!.json('/v2/api/contexts', jsonBody('POST', { ...body, sparkConf: { ...LOCAL, 'spark.haze.test.generation': '2' } }))
    await until(() => !groupAlive(first.pid!), 'the spare of the old settings to stop', 30_000)
    const second = await untilSpare('reshaped', [first.name])
    const detail = await haze!.json<{ contextConfig: { sparkConf: Record<string, string> } }>(`/v2/api/workers/${second.name}`)
    assert.equal(detail.body.contextConfig.sparkConf['spark.haze.test.generation'], '2')

    assert.equal((await haze!.api('/v2/api/contexts/reshaped', { method: 'DELETE' })).status, 200)
    await until(() => !groupAlive(second.pid!), 'the spare of the deleted context to stop', 30_000)
    // A replacement would be started the moment the spare's exit is seen, so the list is empty
    // only if none was.
    await until(async () => !(await api().workers()).some((w) => w.context === 'reshaped'), 'no worker of the deleted context', 30_000)
  })

  it('stopping the master stops its spares: no Spark process is left', async () => {
    const spare = lastDefaultSpare ?? (await untilSpare('default'))
    assert.ok(groupAlive(spare.pid!))
    const stopping = haze!
    haze = undefined
    await stopping.close()
    assert.equal(groupAlive(spare.pid!), false)
  })
})
