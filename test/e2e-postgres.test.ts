/**
 * Haze on PostgreSQL, on real Spark, with masters as real processes: a master killed mid-job
 * and restarted; PostgreSQL stopped and started under a running master (clear 503s, then
 * recovery, nothing lost); a standby that takes over when the active master is killed; an
 * active master fenced when its lock's session ends and another takes the lock; and a standby
 * stopped while it waits.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { HAZE_HOME } from '../src/config.js'
import { ACTIVE_MASTER_LOCK, LOCK_NAMESPACE } from '../src/store/postgres/database.js'
import { exited, hazeCommand } from './helpers/cli.js'
import { jsonBody, upload } from './helpers/haze.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { groupAlive } from './helpers/processes.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

type Details = { jobId: string; status: string; workerId?: string; jobResult?: unknown }
type Master = { child: ChildProcess; url: string; lines: string[] }

describe('Haze on PostgreSQL', { timeout: 900_000 }, () => {
  let postgres: TestPostgres
  const dirs: string[] = []
  const children: ChildProcess[] = []
  before(async () => {
    postgres = await startPostgres()
  })
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await postgres?.stop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  /** `haze start` on the database, its password only in the environment; resolves once it listens (as active or standby). */
  const startMaster = (dataDir: string, database: string): Promise<Master> => {
    const [command, argv] = hazeCommand(['start', '--port', '0', '--data-dir', dataDir])
    const env = { ...process.env, HAZE_STORE_URL: database, HAZE_STORE_PASSWORD: postgres.password, HAZE_LOG_FORMAT: 'json' }
    const child = spawn(command, argv, { cwd: HAZE_HOME, env, stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(child)
    const lines: string[] = []
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('haze start did not listen within 60 s')), 60_000)
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line)
        const url = /"url":"(http:[^"]+)"/.exec(line)?.[1]
        if (url) {
          clearTimeout(timer)
          resolve({ child, url, lines })
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`haze start exited early with ${code}`))
      })
    })
  }
  const api = (base: string, path: string, init?: RequestInit) => fetch(`${base}${path}`, init)
  const job = async (base: string, id: string) => (await (await api(base, `/v2/api/jobs/${id}`)).json()) as Details
  const submit = async (base: string, fn: string, args: unknown) => {
    const response = await api(base, `/v2/api/functions/${fn}/jobs`, jsonBody('POST', args))
    assert.equal(response.status, 200, `submitting ${fn}: ${await response.clone().text()}`)
    return ((await response.json()) as { id: string }).id
  }
  const ended = (base: string, id: string) =>
    until(async () => {
      const details = await job(base, id).catch(() => undefined)
      return details !== undefined && ['finished', 'failed', 'cancelled'].includes(details.status) && details
    }, `job ${id} to end`, 180_000)
  /** Every job the store holds is terminal with a result or a reason, and there are `total` of them. */
  const allEnded = async (base: string, total: number) => {
    const all = (await (await api(base, '/v2/api/jobs?paginate=true&limit=100')).json()) as { jobs: Details[]; total: number }
    assert.equal(all.total, total)
    for (const listed of all.jobs) {
      assert.ok(['finished', 'failed', 'cancelled'].includes(listed.status), `job ${listed.jobId} is ${listed.status}`)
      assert.ok(listed.jobResult !== undefined && listed.jobResult !== '', `job ${listed.jobId} has a result or a reason`)
    }
  }
  const deploy = async (base: string) => {
    assert.equal((await api(base, '/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const context = { name: 'one', workerMode: 'exclusive', maxJobs: 1, sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }
    assert.equal((await api(base, '/v2/api/contexts', jsonBody('POST', context))).status, 200)
    for (const [name, className] of [['slow', 'slow_count'], ['noop', 'noop']]) {
      const created = await api(base, '/v2/api/functions', jsonBody('POST', { name, path: 'jobs.py', className, defaultContext: 'one' }))
      assert.equal(created.status, 200)
    }
  }
  const fresh = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'haze-pg-e2e-'))
    dirs.push(dataDir)
    return { dataDir, database: await postgres.createDatabase() }
  }
  const stopMaster = async (master: Master) => {
    const ended = exited(master.child)
    master.child.kill('SIGTERM')
    await ended
  }

  it('killed mid-job and restarted: the running job fails with the reason, the queued one runs', async () => {
    const { dataDir, database } = await fresh()
    const first = await startMaster(dataDir, database)
    await deploy(first.url)
    const running = await submit(first.url, 'slow', { seconds: 300 })
    const queued = await submit(first.url, 'noop', {})
    await until(async () => (await job(first.url, running)).status === 'started', 'the slow job to start', 120_000)
    const workers = (await (await api(first.url, '/v2/api/workers')).json()) as { name: string; pid: number }[]
    const worker = workers[0]!

    first.child.kill('SIGKILL')
    await until(() => !groupAlive(worker.pid), "the worker's processes to exit by themselves", 30_000)
    const second = await startMaster(dataDir, database)
    const failed = await job(second.url, running)
    assert.equal(failed.status, 'failed')
    assert.match(String(failed.jobResult), new RegExp(`the master restarted while the job was running on worker ${worker.name}`))
    assert.equal((await ended(second.url, queued)).status, 'finished')
    await stopMaster(second)
  })

  it('answers 503 while PostgreSQL is down, then recovers by itself and loses nothing', async () => {
    const { dataDir, database } = await fresh()
    const master = await startMaster(dataDir, database)
    await deploy(master.url)
    const before = await submit(master.url, 'slow', { seconds: 3 })
    await until(async () => (await job(master.url, before)).status === 'started', 'the job to start', 120_000)

    await postgres.halt('SIGINT')
    const ready = await api(master.url, '/ready')
    assert.equal(ready.status, 503)
    assert.match(((await ready.json()) as { detail: string }).detail, /the store does not answer/)
    const list = await api(master.url, '/v2/api/jobs?paginate=true')
    assert.equal(list.status, 503)
    const problem = (await list.json()) as { title: string; detail: string }
    assert.match(problem.detail, /PostgreSQL at haze@127\.0\.0\.1:\d+\/haze_test_\w+\) cannot be reached: .*try again in a moment/)
    assert.equal(JSON.stringify(problem).includes(postgres.password), false, 'the password is in no answer')
    assert.equal(JSON.stringify(problem).includes('    at '), false, 'no stack trace')

    await postgres.launch()
    await until(async () => (await api(master.url, '/ready')).status === 200, 'the master to be ready again', 30_000)
    assert.equal((await ended(master.url, before)).status, 'finished', 'the job that ended during the outage is recorded')
    const after = await submit(master.url, 'noop', {})
    assert.equal((await ended(master.url, after)).status, 'finished')
    assert.equal(master.lines.some((line) => line.includes(postgres.password)), false, 'the password is in no log line')
    await stopMaster(master)
  })

  /** Deploys, then a slow job running and two no-op jobs queued behind it; the worker(s) running it. */
  const busy = async (url: string) => {
    await deploy(url)
    const running = await submit(url, 'slow', { seconds: 300 })
    const queued = [await submit(url, 'noop', {}), await submit(url, 'noop', {})]
    await until(async () => (await job(url, running)).status === 'started', 'the slow job to start', 120_000)
    const workers = (await (await api(url, '/v2/api/workers')).json()) as { name: string; pid: number }[]
    assert.ok(workers.length > 0, 'the active master runs a worker')
    return { running, queued, workers }
  }
  it('a standby answers 503, and takes over within seconds when the active master is killed', async (t) => {
    const { dataDir, database } = await fresh()
    const active = await startMaster(dataDir, database)
    const standby = await startMaster(dataDir, database)
    const standbyReady = await api(standby.url, '/ready')
    assert.equal(standbyReady.status, 503)
    assert.match(((await standbyReady.json()) as { detail: string }).detail, /this Haze is a standby/)
    assert.equal((await api(standby.url, '/v2/api/jobs')).status, 503, 'a standby takes no API requests')
    assert.equal((await api(active.url, '/ready')).status, 200)

    const { running, queued, workers } = await busy(active.url)

    const killedAt = Date.now()
    active.child.kill('SIGKILL')
    await until(async () => (await api(standby.url, '/ready')).status === 200, 'the standby to take over', 30_000)
    const takeover = Date.now() - killedAt
    assert.ok(takeover < 10_000, `took over in ${takeover} ms`)
    t.diagnostic(`standby ready ${takeover} ms after SIGKILL of the active master`)
    for (const worker of workers) await until(() => !groupAlive(worker.pid), `the old master's worker ${worker.name} to exit`, 30_000)
    const failed = await job(standby.url, running)
    assert.equal(failed.status, 'failed')
    assert.match(String(failed.jobResult), new RegExp(`the master restarted while the job was running on worker ${workers[0]?.name}`))
    for (const id of queued) assert.equal((await ended(standby.url, id)).status, 'finished')
    await allEnded(standby.url, 3)
    await stopMaster(standby)
  })
  /** A client of the test's own on the master's database (the URL Haze gets has no password). */
  const sessionOn = async (database: string) => {
    const client = new pg.Client({ connectionString: postgres.adminUrl(new URL(database).pathname.slice(1)) })
    client.on('error', () => undefined)
    await client.connect()
    return client
  }
  const LOCK_HOLDER = `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted = $3`

  it("fences the active master the moment its lock's session ends and another takes the lock: it stops its workers, writes nothing more, and the next master resolves its jobs", async () => {
    const { dataDir, database } = await fresh()
    const active = await startMaster(dataDir, database)
    const standby = await startMaster(dataDir, database)
    const { running, queued, workers } = await busy(active.url)

    // Another session queues for the lock, then the active master's lock session is terminated:
    // PostgreSQL hands the lock to the waiting session as it releases it, as to a standby.
    const probe = await sessionOn(database)
    const taker = await sessionOn(database)
    const taken = taker.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, ACTIVE_MASTER_LOCK])
    await until(async () => (await probe.query(LOCK_HOLDER, [LOCK_NAMESPACE, ACTIVE_MASTER_LOCK, false])).rowCount === 1, 'the taker to wait for the lock', 10_000)
    const fencedExit = exited(active.child)
    const terminated = await probe.query(`SELECT pg_terminate_backend(pid) AS done FROM (${LOCK_HOLDER}) holder`, [LOCK_NAMESPACE, ACTIVE_MASTER_LOCK, true])
    assert.deepEqual(terminated.rows, [{ done: true }], "the active master's lock session was terminated")
    await taken

    assert.deepEqual(await fencedExit, { code: 1, signal: null }, 'the fenced master exits 1, for its supervisor to restart it as a standby')
    assert.ok(active.lines.some((line) => line.includes('this master is no longer the active one: another master took the active lock')), 'it says why it stopped')
    for (const worker of workers) await until(() => !groupAlive(worker.pid), `the fenced master's worker ${worker.name} to be gone`, 10_000)
    assert.equal((await api(standby.url, '/ready')).status, 503, 'the standby waits while the lock is held elsewhere')

    await taker.end()
    await until(async () => (await api(standby.url, '/ready')).status === 200, 'the standby to take over', 30_000)
    // Had the fenced master written after losing the lock, the running job would hold its own
    // shutdown reason ("Haze shut down while the job was running …"), written first.
    const failed = await job(standby.url, running)
    assert.equal(failed.status, 'failed')
    assert.match(String(failed.jobResult), new RegExp(`the master restarted while the job was running on worker ${workers[0]?.name}`))
    for (const id of queued) assert.equal((await ended(standby.url, id)).status, 'finished')
    await allEnded(standby.url, 3)
    await probe.end()
    await stopMaster(standby)
  })

  it('a standby stopped with SIGTERM while it waits exits 0 at once, leaving no session and having started nothing', async () => {
    const { dataDir, database } = await fresh()
    const active = await startMaster(dataDir, database)
    const probe = await sessionOn(database)
    const sessions = async () => new Set((await probe.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((row) => row.pid))
    const before = await sessions()
    const standby = await startMaster(dataDir, database)
    assert.equal((await api(standby.url, '/ready')).status, 503)
    const own = [...(await sessions())].filter((pid) => !before.has(pid))
    assert.ok(own.length > 0, 'the standby holds a session while it waits (it asks for the lock on it)')
    const children = spawnSync('pgrep', ['-P', String(standby.child.pid)], { encoding: 'utf8' }).stdout.trim()
    assert.equal(children, '', 'a standby runs no worker and no other process')

    const standbyExit = exited(standby.child)
    const signalledAt = Date.now()
    standby.child.kill('SIGTERM')
    assert.deepEqual(await standbyExit, { code: 0, signal: null })
    const took = Date.now() - signalledAt
    assert.ok(took < 5_000, `exited ${took} ms after SIGTERM`)
    assert.ok(standby.lines.some((line) => line.includes('stopped while a standby')), 'it says it stopped as a standby')
    await until(async () => {
      const now = await sessions()
      return own.every((pid) => !now.has(pid))
    }, "the standby's sessions to end", 10_000)
    assert.equal((await api(active.url, '/ready')).status, 200, 'the active master is untouched')
    await probe.end()
    await stopMaster(active)
  })
})
