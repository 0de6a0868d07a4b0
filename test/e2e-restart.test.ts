/**
 * Crash safety on real Spark: the master is killed (SIGKILL) mid-job. Its workers must exit by
 * themselves, and the restarted master must end the interrupted job with a reason and run the
 * job that was still queued.
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { startCli } from './helpers/cli.js'
import { groupAlive } from './helpers/processes.js'
import { jsonBody, upload } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

type Details = { jobId: string; status: string; workerId?: string; jobResult?: unknown }

const startMaster = (dataDir: string) => startCli(['--data-dir', dataDir])

describe('a master killed mid-job', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-restart-'))
  const children: ChildProcess[] = []
  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('leaves no worker behind, and on restart fails the running job and runs the queued one', async () => {
    const first = await startMaster(dataDir)
    children.push(first.child)
    const api = (base: string, path: string, init?: RequestInit) => fetch(`${base}${path}`, init)
    assert.equal((await api(first.url, '/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    await api(first.url, '/v2/api/contexts', jsonBody('POST', { name: 'one', workerMode: 'exclusive', maxJobs: 1, sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }))
    for (const [name, className] of [['slow', 'slow_count'], ['noop', 'noop']]) {
      const created = await api(first.url, '/v2/api/functions', jsonBody('POST', { name, path: 'jobs.py', className, defaultContext: 'one' }))
      assert.equal(created.status, 200)
    }
    const submit = async (base: string, fn: string, args: unknown) =>
      ((await (await api(base, `/v2/api/functions/${fn}/jobs`, jsonBody('POST', args))).json()) as { id: string }).id
    const job = async (base: string, id: string) => (await (await api(base, `/v2/api/jobs/${id}`)).json()) as Details

    const running = await submit(first.url, 'slow', { seconds: 300 })
    const queued = await submit(first.url, 'noop', {})
    await until(async () => (await job(first.url, running)).status === 'started', 'the slow job to start', 120_000)
    const workers = (await (await api(first.url, '/v2/api/workers')).json()) as { name: string; pid: number }[]
    const worker = workers[0]!
    assert.ok(groupAlive(worker.pid))

    first.child.kill('SIGKILL')
    await until(() => !groupAlive(worker.pid), "the worker's processes to exit by themselves", 30_000)

    const second = await startMaster(dataDir)
    children.push(second.child)
    const failed = await job(second.url, running)
    assert.equal(failed.status, 'failed')
    assert.match(String(failed.jobResult), new RegExp(`the master restarted while the job was running on worker ${worker.name}`))
    const resumed = await until(async () => {
      const details = await job(second.url, queued)
      return details.status === 'finished' && details
    }, 'the queued job to run after the restart', 120_000)
    assert.equal(resumed.status, 'finished')
    const log = readFileSync(join(dataDir, 'logs', `job-${queued}.log`), 'utf8')
    assert.match(log, /the master restarted; the job is queued again/)
    const stopped = new Promise((resolve) => second.child.once('exit', resolve))
    second.child.kill('SIGTERM')
    await stopped
  })

  it('on SIGTERM waits for running jobs; a second signal forces: the job fails and no worker is left', async () => {
    const master = await startMaster(dataDir)
    children.push(master.child)
    const submit = await fetch(`${master.url}/v2/api/functions/slow/jobs`, jsonBody('POST', { seconds: 300 }))
    const { id } = (await submit.json()) as { id: string }
    const job = async () => (await (await fetch(`${master.url}/v2/api/jobs/${id}`)).json()) as Details
    await until(async () => (await job()).status === 'started', 'the slow job to start', 120_000)
    const workers = (await (await fetch(`${master.url}/v2/api/workers`)).json()) as { pid: number }[]
    const pid = workers[0]!.pid

    const exit = new Promise<number | null>((resolve) => master.child.once('exit', resolve))
    // Signals that arrive before the first is handled merge into one: wait until it is.
    const graceful = new Promise<void>((resolve) =>
      createInterface({ input: master.child.stdout! }).on('line', (line) => {
        if (line.includes('waiting for running jobs')) resolve()
      }),
    )
    master.child.kill('SIGTERM')
    await graceful
    assert.ok(groupAlive(pid), 'the running job keeps its worker during the grace period')
    const forcedAt = Date.now()
    master.child.kill('SIGTERM')
    assert.equal(await exit, 0)
    assert.ok(Date.now() - forcedAt < 8_000, 'the second signal does not wait out the grace period')
    assert.ok(!groupAlive(pid), 'the worker went with the master')

    const restarted = await startMaster(dataDir)
    children.push(restarted.child)
    const ended = (await (await fetch(`${restarted.url}/v2/api/jobs/${id}`)).json()) as Details
    assert.equal(ended.status, 'failed')
    assert.match(String(ended.jobResult), /^Haze shut down while the job was running on worker /)
    const stopped = new Promise((resolve) => restarted.child.once('exit', resolve))
    restarted.child.kill('SIGTERM')
    await stopped
  })
})
