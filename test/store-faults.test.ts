/**
 * The SQLite store when its surroundings fail: a full disk (a real one, a 16 MiB tmpfs mounted
 * as the data dir, so the job logs and worker output files are on it too) and a lock another
 * process holds past busy_timeout (`BEGIN EXCLUSIVE` in a separate Python process). A request
 * that must write gets a 503 problem with Retry-After, never a stack trace; reads go on; Haze
 * recovers by itself once space returns or the lock goes; every job accepted with 200 is stored
 * and reaches a terminal status with a reason (its transitions during the fault are tried
 * again); the file passes `PRAGMA integrity_check`.
 *
 * The jobs' context points at a Spark home that does not exist, so their workers fail to start
 * at once: each job still goes through the store's transitions to `failed`, without Spark.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'

const TERMINAL = ['finished', 'failed', 'cancelled']
const NO_SPARK = { sparkHome: '/nonexistent/haze-no-spark-home' }

/** A master whose `noop` function runs in a context no worker can start in. */
async function startMaster(dataDir?: string): Promise<TestHaze> {
  // SQLite whatever HAZE_TEST_STORE says: these faults are the embedded store's.
  const haze = await startHaze({ ...NO_SPARK, store: { url: 'sqlite:', poolSize: 1 }, ...(dataDir === undefined ? {} : { dataDir }) })
  assert.equal((await haze.api('/v2/api/artifacts', upload('faults.py', sample('faults.py')))).status, 200)
  const ctx = { name: 'nowhere', workerMode: 'shared', maxJobs: 2, sparkConf: { 'spark.master': 'local[1]' } }
  assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', ctx))).status, 200)
  assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', { name: 'noop', path: 'faults.py', className: 'noop', defaultContext: 'nowhere' }))).status, 200)
  return haze
}

const submit = (haze: TestHaze) => haze.api('/v2/api/functions/noop/jobs', jsonBody('POST', {}))

async function assertUnavailable(answer: Response, cause: RegExp): Promise<void> {
  assert.equal(answer.status, 503)
  assert.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8')
  assert.equal(answer.headers.get('retry-after'), '5')
  const body = (await answer.json()) as { status: number; title: string; detail: string }
  assert.equal(body.title, 'Service Unavailable')
  assert.match(body.detail, cause)
  assert.match(body.detail, /Haze goes on by itself once that is fixed, so try again in a moment$/)
  assert.doesNotMatch(body.detail, /\n\s+at /, 'no stack trace')
}

/** Every accepted job is stored, only those, and each ends with a reason. */
async function assertAllEnded(haze: TestHaze, accepted: string[]): Promise<void> {
  const api = jobApi(haze)
  const { body } = await haze.json<{ total: number }>('/v2/api/jobs?paginate=true&limit=1')
  assert.equal(body.total, accepted.length, 'every accepted job is stored, and only those')
  for (const id of accepted) {
    const job = await api.ended(id, 90_000)
    assert.ok(TERMINAL.includes(job.status))
    assert.match(String(job.jobResult), /worker nowhere_\S+ failed to start|context nowhere is broken/, `job ${id} ended with a reason`)
  }
}

function integrity(file: string): unknown {
  const db = new Database(file, { readonly: true })
  try {
    return db.pragma('integrity_check', { simple: true })
  } finally {
    db.close()
  }
}

const isRoot = process.getuid?.() === 0

describe('a full disk under the data dir', { timeout: 300_000, skip: isRoot ? false : 'mounting a small tmpfs needs root' }, () => {
  const base = mkdtempSync(join(tmpdir(), 'haze-full-disk-'))
  const dataDir = join(base, 'data')
  let haze: TestHaze | undefined
  let mounted = false

  before(async () => {
    mkdirSync(dataDir)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dataDir])
    mounted = true
    haze = await startMaster(dataDir)
  })
  after(async () => {
    await haze?.close().catch(() => undefined)
    if (mounted) execFileSync('umount', [dataDir])
    rmSync(base, { recursive: true, force: true })
  })

  it('answers 503 while the disk is full, loses nothing, and goes on once space returns', async () => {
    const master = haze!
    const accepted: string[] = []
    for (let i = 0; i < 3; i++) {
      const answer = await submit(master)
      assert.equal(answer.status, 200)
      accepted.push(((await answer.json()) as { id: string }).id)
    }

    // Fill the file system to its last block.
    const filler = join(dataDir, 'filler')
    const fd = openSync(filler, 'w')
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size, 120)
      try {
        for (;;) writeSync(fd, chunk)
      } catch (error) {
        assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC')
      }
    }
    closeSync(fd)

    // SQLite first fills what its write-ahead log already holds; a job's insert then fails.
    let refused: Response | undefined
    for (let i = 0; i < 2000 && refused === undefined; i++) {
      const answer = await submit(master)
      if (answer.status === 200) accepted.push(((await answer.json()) as { id: string }).id)
      else refused = answer
    }
    assert.ok(refused, 'a job was refused while the disk was full')
    await assertUnavailable(refused, /SQLite at .*haze\.db\) cannot be used: the disk is full/)
    await assertUnavailable(await submit(master), /the disk is full/)
    assert.equal((await master.api('/v2/api/jobs?limit=5')).status, 200, 'reads go on')
    assert.equal((await master.api('/v2/api/status')).status, 200, 'the master lives on, though its job logs cannot be written')

    unlinkSync(filler)
    const answer = await submit(master)
    assert.equal(answer.status, 200, 'the first run once space returned')
    accepted.push(((await answer.json()) as { id: string }).id)

    await assertAllEnded(master, accepted)
    await master.close()
    haze = undefined
    assert.equal(integrity(join(dataDir, 'haze.db')), 'ok')
  })
})

describe('a database locked by another process', { timeout: 300_000 }, () => {
  let haze: TestHaze
  let holder: ChildProcess | undefined

  before(async () => {
    haze = await startMaster()
  })
  after(async () => {
    holder?.kill('SIGKILL')
    await haze.close()
  })

  it('answers 503 past busy_timeout while reads go on, and goes on once the lock is released', async () => {
    const file = join(haze.dataDir, 'haze.db')
    const accepted: string[] = []
    for (let i = 0; i < 3; i++) {
      const answer = await submit(haze)
      assert.equal(answer.status, 200)
      accepted.push(((await answer.json()) as { id: string }).id)
    }

    // Another process takes the write lock and keeps it until its stdin closes.
    const script = 'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute("BEGIN EXCLUSIVE")\nprint("locked", flush=True)\nsys.stdin.read()\nc.execute("COMMIT")\n'
    const child = spawn(haze.config.python, ['-c', script, file], { stdio: ['pipe', 'pipe', 'inherit'] })
    holder = child
    const exited = new Promise((resolve) => child.on('exit', resolve))
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => line === 'locked' && resolve())
      child.on('exit', (code) => reject(new Error(`the lock holder exited with ${code} before locking`)))
    })

    await assertUnavailable(await submit(haze), /another process has held a lock on it for more than 5 seconds/)
    assert.equal((await haze.api(`/v2/api/jobs/${accepted[0]}`)).status, 200, 'reads go on')

    child.stdin.end()
    await exited
    holder = undefined
    const answer = await submit(haze)
    assert.equal(answer.status, 200, 'the first run once the lock was released')
    accepted.push(((await answer.json()) as { id: string }).id)

    await assertAllEnded(haze, accepted)
    assert.equal(integrity(file), 'ok')
  })
})
