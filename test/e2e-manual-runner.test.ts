/**
 * Manual runners on real Spark: a context whose workers are started by a command of the
 * operator's (from the config file) with Mist's environment variables. A start script that
 * launches the worker itself, one that hands it over and exits (detached), and one that fails
 * (its job fails with the script's output); the stop command runs once each worker has ended.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const SPARK_MS = 180_000

/** Mist's way: spark-submit from the variables the runner is given. */
const START = `#!/usr/bin/env bash
echo "manual runner: starting $MIST_WORKER_NAME for $MIST_MASTER_ADDRESS with conf $MIST_WORKER_SPARK_CONF"
exec "$SPARK_HOME/bin/spark-submit" $MIST_WORKER_RUN_OPTIONS --name "$MIST_WORKER_NAME" $MIST_WORKER_SPARK_CONF_PREPARED "$HAZE_WORKER_ENTRY"
`
/** Hands the worker to the background (as sbatch or kubectl apply would elsewhere) and exits. */
const HAND_OVER = `#!/usr/bin/env bash
setsid bash "$(dirname "$0")/start.sh" > "$(dirname "$0")/detached-$MIST_WORKER_NAME.log" 2>&1 < /dev/null &
echo "handed $MIST_WORKER_NAME over"
`
const STOP = `#!/usr/bin/env bash
echo "$MIST_WORKER_NAME \${HAZE_WORKER_TOKEN:-no-token}" >> "$(dirname "$0")/stopped.txt"
`
const FAIL = `#!/usr/bin/env bash
echo "error: no Spark slot free in queue prod for $MIST_WORKER_NAME" >&2
exit 3
`

describe('manual runners', { timeout: 600_000 }, () => {
  const scripts = mkdtempSync(join(tmpdir(), 'haze-runner-'))
  let haze: TestHaze
  const script = (name: string, text: string) => {
    writeFileSync(join(scripts, name), text, { mode: 0o755 })
    return join(scripts, name)
  }
  const run = async (context: string) => {
    const answer = await haze.json<{ id: string }>(`/v2/api/functions/echo/jobs?context=${context}`, jsonBody('POST', { value: { from: context } }))
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    return answer.body.id
  }
  const stopped = () => (existsSync(join(scripts, 'stopped.txt')) ? readFileSync(join(scripts, 'stopped.txt'), 'utf8') : '')

  before(async () => {
    const start = script('start.sh', START)
    const stop = script('stop.sh', STOP)
    haze = await startHaze({
      runners: {
        script: { start: ['bash', start], stop: ['bash', stop], detached: false },
        handover: { start: ['bash', script('handover.sh', HAND_OVER)], stop: ['bash', stop], detached: true },
        failing: { start: ['bash', script('fail.sh', FAIL)], detached: false },
      },
    })
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const local = { 'spark.master': 'local[1]', 'spark.ui.port': '0' }
    for (const [name, runner] of [['by-script', 'script'], ['handed-over', 'handover'], ['no-slot', 'failing']]) {
      const context = { name, runner, workerMode: 'exclusive', maxConnFailures: 3, sparkConf: local, runOptions: '--driver-memory 700m' }
      assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', context))).status, 200)
    }
    const fn = { name: 'echo', path: 'jobs.py', className: 'echo', defaultContext: 'by-script' }
    assert.equal((await haze.json('/v2/api/functions', jsonBody('POST', fn))).status, 200)
  })
  after(async () => {
    await haze?.close()
    rmSync(scripts, { recursive: true, force: true })
  })

  it('refuses a context naming a runner the config file does not define', async () => {
    const answer = await haze.json<{ detail: string }>('/v2/api/contexts', jsonBody('POST', { name: 'nowhere', runner: 'slurm' }))
    assert.equal(answer.status, 400)
    assert.equal(answer.body.detail, 'unknown runner "slurm": the config file defines script, handover, failing (runners are commands of the operator\'s, set in the config file)')
  })

  it("runs a job on a worker its start script launched with Mist's variables, then runs the stop command without the worker's secrets", async () => {
    const id = await run('by-script')
    const job = await jobApi(haze).ended(id, SPARK_MS)
    assert.equal(job.status, 'finished', JSON.stringify(job.jobResult))
    assert.deepEqual(job.jobResult, { from: 'by-script' })
    const workerId = job.workerId ?? ''
    const output = readFileSync(join(haze.dataDir, 'logs', `worker-${workerId}.log`), 'utf8')
    const address = new URL(haze.url).host
    assert.match(output, new RegExp(`^manual runner: starting ${workerId} for ${address} with conf spark\\.master=local\\[1\\]\\|\\+\\|spark\\.ui\\.port=0$`, 'm'))
    await until(() => stopped().includes(`${workerId} no-token`), 'the stop command to run for the worker', 30_000)
  })

  it('keeps a worker whose runner handed it over and exited, by its link, and stops it after its job', async () => {
    const id = await run('handed-over')
    const job = await jobApi(haze).ended(id, SPARK_MS)
    assert.equal(job.status, 'finished', JSON.stringify(job.jobResult))
    const workerId = job.workerId ?? ''
    assert.match(readFileSync(join(haze.dataDir, 'logs', `worker-${workerId}.log`), 'utf8'), new RegExp(`^handed ${workerId} over$`, 'm'))
    await until(async () => !(await jobApi(haze).workers()).some((worker) => worker.name === workerId), 'the worker to leave', 30_000)
    await until(() => stopped().includes(`${workerId} no-token`), 'the stop command to run for the handed-over worker', 30_000)
  })

  it("fails the job with the start script's own words when the script fails", async () => {
    const id = await run('no-slot')
    const job = await jobApi(haze).ended(id, 60_000)
    assert.equal(job.status, 'failed')
    assert.match(String(job.jobResult), /^worker no-slot_\S+ failed to start: exited with code 3: error: no Spark slot free in queue prod for no-slot_/)
  })
})
