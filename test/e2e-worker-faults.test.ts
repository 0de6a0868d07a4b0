/**
 * A worker killed or frozen mid-job, on real Spark: SIGKILL and SIGSTOP of its driver JVM and
 * of its Python driver. Each time the running job fails within seconds with a reason naming
 * the worker and what happened to it, nothing of the worker's process group is left, and the
 * context serves the next job (on a new worker). Heartbeats are 1 s apart here, so silence is
 * judged after 3 s.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { childrenOf, groupAlive } from './helpers/processes.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const LOCAL = { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' }
const HEARTBEAT_MS = 1000
/** From the signal to the job's failure: three heartbeat intervals, the kill, and slack for a loaded machine. */
const FAILS_WITHIN_MS = 15_000

describe('a worker killed or frozen mid-job', { timeout: 600_000 }, () => {
  let haze: TestHaze
  let api: ReturnType<typeof jobApi>
  const submit = async (fn: string, args: object = {}): Promise<string> => {
    const { status, body } = await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs`, jsonBody('POST', args))
    assert.equal(status, 200, JSON.stringify(body))
    return body.id
  }
  const servesNext = async () => {
    const job = await api.ended(await submit('noop'), 180_000)
    assert.equal(job.status, 'finished', `the context serves the next job: ${String(job.jobResult)}`)
  }

  before(async () => {
    haze = await startHaze({ workerHeartbeat: HEARTBEAT_MS })
    api = jobApi(haze)
    assert.equal((await haze.api('/v2/api/artifacts', upload('faults.py', sample('faults.py')))).status, 200)
    const ctx = { name: 'victims', workerMode: 'shared', maxJobs: 2, downtime: 'Inf', sparkConf: LOCAL }
    assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', ctx))).status, 200)
    for (const name of ['noop', 'sleep_a_bit']) {
      const deploy = { name, path: 'faults.py', className: name, defaultContext: 'victims' }
      assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', deploy))).status, 200, name)
    }
    await servesNext()
  })
  after(() => haze.close())

  const cases = [
    { target: 'JVM', signal: 'SIGKILL', reason: /\(killed by SIGKILL\)$/ },
    { target: 'Python driver', signal: 'SIGKILL', reason: /\(its Python driver was killed by SIGKILL \(spark-submit exited with code 137\)\)$/ },
    { target: 'JVM', signal: 'SIGSTOP', reason: /\(froze: its Spark driver JVM stopped answering for \d+\.\d s \(Haze killed its processes with SIGKILL\)\)$/ },
    { target: 'Python driver', signal: 'SIGSTOP', reason: /\(froze: it sent no heartbeat for 3 seconds \(Haze killed its processes with SIGKILL\)\)$/ },
  ] as const

  for (const { target, signal, reason } of cases) {
    it(`fails the running job when the worker's ${target} gets ${signal}, and serves the next`, async (t) => {
      const id = await submit('sleep_a_bit', { seconds: 600 })
      await until(async () => (await api.job(id)).status === 'started', `job ${id} to start`, 180_000)
      const { workerId } = await api.job(id)
      const worker = (await api.workers()).find((w) => w.name === workerId)
      assert.ok(worker?.pid !== undefined, `worker ${workerId} has a pid`)
      // spark-submit execs the driver JVM, which runs the Python driver as its child.
      const python = childrenOf(worker.pid).find((child) => child.name.startsWith('python'))
      assert.ok(python, `the Python driver under JVM ${worker.pid}`)
      const victim = target === 'JVM' ? worker.pid : python.pid
      const signalled = Date.now()
      process.kill(victim, signal)

      const job = await api.ended(id, FAILS_WITHIN_MS + 30_000)
      const took = Date.now() - signalled
      assert.equal(job.status, 'failed')
      assert.match(String(job.jobResult), new RegExp(`^worker ${workerId} exited \\(`))
      assert.match(String(job.jobResult), reason)
      assert.ok(took < FAILS_WITHIN_MS, `the job failed ${took} ms after the ${signal}`)
      t.diagnostic(`failed ${took} ms after the ${signal}: ${String(job.jobResult)}`)
      // The job's log line is written just after the status is stored.
      await until(async () => (await (await haze.api(`/v2/api/jobs/${id}/logs`)).text()).includes(`failed: ${String(job.jobResult)}`), "the job's log to say why", 5000)
      // SIGKILL ends a stopped process too: nothing of the group is left, no SIGCONT needed.
      await until(() => !groupAlive(worker.pid!), `worker ${workerId}'s processes to be gone`, 10_000)
      await servesNext()
    })
  }
})
