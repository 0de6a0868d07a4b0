/**
 * Jobs on a real Spark standalone cluster (a Master and two Workers on loopback, one core
 * each, from the installed PySpark): a shared context's job spreads its tasks over both
 * executors, seen in the Spark master's JSON status and the application's own REST API; an
 * exclusive context's job runs there too, beside it, and its application leaves the cluster
 * with its worker; spark-submit's own options reach the driver; a Spark worker killed mid-job
 * costs its tasks, which Spark runs again on the other, and the job still finishes; a shared
 * worker stopped on request takes its application with it.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { startSparkCluster, type SparkCluster } from './helpers/spark-cluster.js'
import { until } from './helpers/wait.js'
import { zip } from './helpers/zip.js'

const SPARK_MS = 180_000

interface Spread {
  sum: number
  tasks: Record<string, number>
  application: string
}

/**
 * Resolved from Maven Central by spark-submit itself. Gson has no dependencies: Spark's Ivy
 * looks in ~/.m2 first, where Maven may have left a library's pom without its jar, and then
 * fails rather than downloading it (commons-text's commons-lang3 did, here).
 */
const PACKAGE = 'com.google.code.gson:gson:2.10.1'

describe('jobs on a Spark standalone cluster', { timeout: 900_000 }, () => {
  const files = mkdtempSync(join(tmpdir(), 'haze-cluster-files-'))
  const pyFiles = join(files, 'extra.zip')
  let cluster: SparkCluster
  let haze: TestHaze
  const clusterConf = () => ({ 'spark.master': cluster.url, 'spark.driver.host': '127.0.0.1', 'spark.ui.port': '0' })
  /** The exclusive context says in sparkConf what the shared one says with spark-submit's options. */
  const sized = { 'spark.executor.memory': '512m', 'spark.cores.max': '2' }
  const run = async (fn: string, args: unknown, context: string) => {
    const answer = await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs?context=${context}`, jsonBody('POST', args))
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    return answer.body.id
  }
  const result = async <T>(id: string) => {
    const job = await jobApi(haze).ended(id, SPARK_MS)
    assert.equal(job.status, 'finished', JSON.stringify(job.jobResult))
    return job.jobResult as T
  }

  before(async () => {
    writeFileSync(pyFiles, zip({ 'haze_extra.py': 'ANSWER = "from --py-files"\n' }))
    // Two cores a worker: each application (spark.cores.max 2) gets one core on each, so the
    // shared and the exclusive context's applications run side by side.
    cluster = await startSparkCluster(2, { cores: 2 })
    haze = await startHaze({ workerStartTimeout: SPARK_MS })
    assert.equal((await haze.api('/v2/api/artifacts', upload('cluster.py', sample('cluster.py')))).status, 200)
    const contexts = [
      { name: 'cluster-shared', workerMode: 'shared', maxJobs: 2, downtime: 'Inf', sparkConf: clusterConf(), runOptions: `--executor-memory 512m --total-executor-cores 2 --packages ${PACKAGE} --py-files ${pyFiles}` },
      {
        name: 'cluster-exclusive',
        workerMode: 'exclusive',
        sparkConf: { ...clusterConf(), ...sized },
        runOptions: '--driver-memory 600m --conf spark.haze.test.marker=on --deploy-mode client --verbose',
      },
    ]
    for (const context of contexts) assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', context))).status, 200)
    for (const [name, className] of [['spread', 'spread'], ['settings', 'settings'], ['json-field', 'json_field'], ['imported', 'imported']]) {
      const fn = { name, path: 'cluster.py', className, defaultContext: 'cluster-shared' }
      assert.equal((await haze.json('/v2/api/functions', jsonBody('POST', fn))).status, 200)
    }
  })
  after(async () => {
    await haze?.close()
    await cluster?.stop()
    rmSync(files, { recursive: true, force: true })
  })

  it('spreads a shared context\'s job over both executors of the cluster', async () => {
    const id = await run('spread', { partitions: 8, seconds: 1 }, 'cluster-shared')
    const spread = await result<Spread>(id)
    assert.equal(spread.sum, (80 * 79) / 2)
    const worked = Object.values(spread.tasks).filter((tasks) => tasks > 0)
    assert.equal(worked.length, 2, `tasks by executor: ${JSON.stringify(spread.tasks)}`)
    // The master sees the application holding one core on each of its two workers: two in
    // all, as --total-executor-cores asked.
    const status = await cluster.status()
    const app = status.activeapps.find((candidate) => candidate.id === spread.application)
    assert.equal(app?.cores, 2)
    assert.deepEqual(status.workers.map((worker) => worker.coresused), [1, 1])
  })

  it('gives the driver what --packages (from Maven Central) and --py-files bring', async () => {
    assert.equal(await result<string>(await run('json-field', { document: '{"engine": "spark"}', field: 'engine' }, 'cluster-shared')), 'spark')
    assert.equal(await result<string>(await run('imported', { module: 'haze_extra', attribute: 'ANSWER' }, 'cluster-shared')), 'from --py-files')
  })

  it("runs an exclusive context's job with spark-submit's own options, and its application leaves the cluster with its worker", async () => {
    const id = await run('settings', { keys: ['spark.driver.memory', 'spark.haze.test.marker', 'spark.submit.deployMode', 'spark.master'] }, 'cluster-exclusive')
    const settings = await result<Record<string, string | null>>(id)
    assert.deepEqual(settings, {
      'spark.driver.memory': '600m',
      'spark.haze.test.marker': 'on',
      'spark.submit.deployMode': 'client',
      'spark.master': cluster.url,
    })
    const workerId = (await jobApi(haze).job(id)).workerId
    assert.ok(workerId)
    const finishedApp = await until(
      async () => {
        const status = await cluster.status()
        const active = status.activeapps.some((app) => app.name === workerId)
        return !active && status.completedapps.find((app) => app.name === workerId)
      },
      'the exclusive worker\'s application to complete',
      60_000,
    )
    assert.equal(finishedApp.state, 'FINISHED')
  })

  it('finishes a job whose Spark worker is killed mid-job: Spark runs the lost tasks on the other', async () => {
    const id = await run('spread', { partitions: 12, seconds: 1.5 }, 'cluster-shared')
    await until(async () => (await jobApi(haze).job(id)).status === 'started', 'the job to start', SPARK_MS)
    await cluster.killWorker(1)
    const spread = await result<Spread>(id)
    assert.equal(spread.sum, (120 * 119) / 2)
  })

  it('stops a shared worker on request, and its application leaves the cluster', async () => {
    const [worker] = (await jobApi(haze).workers()).filter((candidate) => candidate.context === 'cluster-shared')
    assert.ok(worker)
    assert.equal((await haze.api(`/v2/api/workers/${worker.name}`, { method: 'DELETE' })).status, 200)
    const finishedApp = await until(
      async () => {
        const status = await cluster.status()
        return !status.activeapps.some((app) => app.name === worker.name) && status.completedapps.find((app) => app.name === worker.name)
      },
      'the shared worker\'s application to complete',
      60_000,
    )
    assert.equal(finishedApp.state, 'FINISHED')
  })
})
