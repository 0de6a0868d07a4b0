/**
 * The JVM worker end to end on real Spark: JVM functions run on `haze.runtime.WorkerMain`
 * (spark-submit's JVM, no Python), in shared and exclusive contexts; a shared one runs jobs side
 * by side, each with its own log lines; a cancel stops the job's Spark jobs in the driver; a job
 * that ignores its cancel has its worker recycled after the cancel grace; a function's exception
 * comes back without Haze's or Spark's frames; a result over resultLimit is uploaded to the
 * master; a context serving both languages gets one worker of each kind; a JVM worker exits
 * when its master is SIGKILLed.
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { exited, startCli } from './helpers/cli.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze, type WorkerView } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const EXAMPLES_JAR = join(HAZE_HOME, 'jvm', 'examples', 'target', 'haze-jvm-examples.jar')
const RESULT_LIMIT = 64 * 1024
type Sync<T = unknown> = { success: boolean; payload: T; errors: string[] }
type Where = { pid: string; command: string; applicationId: string }
type Worker = WorkerView & { lang: string }

/** The command line of a live process, or undefined once it is gone (a zombie has none). */
const commandLine = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() || undefined
  } catch {
    return undefined
  }
}

const sharedContext = (name: string) => ({
  name,
  workerMode: 'shared',
  maxJobs: 2,
  downtime: 'Inf',
  sparkConf: { 'spark.master': 'local[2]', 'spark.ui.port': '0', 'spark.driver.memory': '512m' },
})

describe('the JVM worker on real Spark', { timeout: 400_000 }, () => {
  let haze: TestHaze
  const api = () => jobApi(haze)
  const deploy = async (name: string, path: string, className: string, defaultContext = 'jvm-shared') =>
    assert.equal((await haze.json('/v2/api/functions', jsonBody('POST', { name, path, className, defaultContext }))).status, 200)
  const runSync = async <T>(fn: string, args: unknown, context?: string) =>
    (await haze.json<Sync<T>>(`/v2/api/functions/${fn}/jobs?force=true${context ? `&context=${context}` : ''}`, jsonBody('POST', args))).body
  const submit = async (fn: string, args: unknown) =>
    (await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs`, jsonBody('POST', args))).body.id
  const logOf = async (id: string) => (await haze.api(`/v2/api/jobs/${id}/logs`)).text()
  /** A result's body read as it arrives: its size, its newlines, and its first `headBytes` and
    * last `tailBytes` bytes. */
  const download = async (path: string, headBytes: number, tailBytes: number) => {
    const response = await haze.api(path)
    assert.equal(response.status, 200)
    assert.ok(response.body)
    let bytes = 0
    let newlines = 0
    let head = Buffer.alloc(0)
    let tail = Buffer.alloc(0)
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      for (const byte of chunk) if (byte === 10) newlines++
      if (head.length < headBytes) head = Buffer.concat([head, chunk.subarray(0, headBytes - head.length)])
      tail = Buffer.concat([tail, chunk]).subarray(-tailBytes)
    }
    return { bytes, newlines, head: head.toString('utf8'), tail: tail.toString('utf8') }
  }
  const workersOf = async (context: string) => ((await api().workers()) as Worker[]).filter((worker) => worker.context === context)

  before(async () => {
    haze = await startHaze({ cancelGrace: 5000, workerHeartbeat: 1000, workerStartTimeout: 120_000, resultLimit: RESULT_LIMIT })
    assert.equal((await haze.api('/v2/api/artifacts', upload('probes.jar', readFileSync(EXAMPLES_JAR)))).status, 200)
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', sharedContext('jvm-shared')))).status, 200)
    const exclusive = { name: 'jvm-exclusive', workerMode: 'exclusive', maxJobs: 1, sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', exclusive))).status, 200)
    await deploy('where', 'probes.jar', 'JvmWhere')
    await deploy('talks', 'probes.jar', 'JvmTalks')
    await deploy('slow', 'probes.jar', 'ScalaSlow')
    await deploy('throws', 'probes.jar', 'ScalaThrows')
    await deploy('big', 'probes.jar', 'JvmBig')
    await deploy('rows', 'probes.jar', 'JvmRows')
    await deploy('lazy', 'probes.jar', 'JvmLazy')
    await deploy('stubborn', 'probes.jar', 'JvmStubborn', 'jvm-exclusive')
    await deploy('noop', 'jobs.py', 'noop')
  })
  after(() => haze.close())

  it('runs a JVM function of a shared context on a JVM worker: spark-submit running haze.runtime.WorkerMain', async () => {
    const answer = await runSync<Where>('where', {})
    assert.ok(answer.success, JSON.stringify(answer))
    const [worker] = await workersOf('jvm-shared')
    assert.deepEqual([worker?.lang, worker?.pid], ['jvm', Number(answer.payload.pid)])
    assert.match(commandLine(Number(answer.payload.pid)) ?? '', /org\.apache\.spark\.deploy\.SparkSubmit .*--class haze\.runtime\.WorkerMain .*haze-jvm\.jar/)
  })

  it('runs a JVM function of an exclusive context on a JVM worker of its own', async () => {
    const answer = await runSync<Where>('where', {}, 'jvm-exclusive')
    assert.ok(answer.success, JSON.stringify(answer))
    assert.match(answer.payload.command, /--class haze\.runtime\.WorkerMain .*haze-jvm\.jar/)
  })

  it('runs jobs of a shared context side by side', async () => {
    const [alpha, bravo] = await Promise.all(['alpha-7', 'bravo-9'].map((marker) => submit('talks', { marker, lines: 4, pauseMs: 500 })))
    const [a, b] = await Promise.all([alpha, bravo].map((id) => api().ended(id!)))
    assert.deepEqual([a?.status, b?.status], ['finished', 'finished'])
    // Each started before the other ended.
    assert.ok(a!.startTime! < b!.endTime! && b!.startTime! < a!.endTime!, JSON.stringify([a, b]))
    const logs = await Promise.all([alpha, bravo].map((id) => logOf(id!)))
    const own = (log: string, marker: string) =>
      ['[stdout] println', '[stdout] System.out', '[stderr] System.err', '[JvmTalks$] log4j', '[stdout] thread'].filter((line) => !log.includes(`${line} ${marker}`))
    assert.deepEqual([own(logs[0]!, 'alpha-7'), own(logs[1]!, 'bravo-9')], [[], []], 'each job has its println, System.out/err, log4j and thread lines')
    assert.deepEqual([logs[0]!.includes('bravo-9'), logs[1]!.includes('alpha-7')], [false, false], 'and none of the other job\'s')
  })

  it('cancels a running JVM job: its Spark jobs stop in the driver', async () => {
    const id = await submit('slow', { seconds: 600 })
    await until(async () => (await api().job(id)).status === 'started', 'the slow job to start', 120_000)
    const [worker] = await workersOf('jvm-shared')
    assert.ok(worker?.sparkUi, 'the shared worker has a Spark UI')
    const sparkJobs = async () => {
      const [app] = (await (await fetch(`${worker.sparkUi}/api/v1/applications`)).json()) as { id: string }[]
      const all = (await (await fetch(`${worker.sparkUi}/api/v1/applications/${app?.id}/jobs`)).json()) as { jobGroup?: string; status: string }[]
      return all.filter((job) => job.jobGroup === id)
    }
    await until(async () => (await sparkJobs()).some((job) => job.status === 'RUNNING'), 'its Spark job to run', 60_000)
    assert.equal((await haze.api(`/v2/api/jobs/${id}`, { method: 'DELETE' })).status, 200)
    assert.equal((await api().ended(id, 60_000)).status, 'cancelled')
    const statuses = await until(async () => {
      const jobs = await sparkJobs()
      return jobs.every((job) => job.status !== 'RUNNING') && jobs.map((job) => job.status)
    }, 'its Spark jobs to stop', 30_000)
    assert.deepEqual([...new Set(statuses)], ['FAILED'])
    assert.equal((await api().workers()).find((w) => w.name === worker.name)?.state, 'ready', 'the worker lives on, not recycled')
  })

  it('recycles the JVM worker of a job that ignores its cancel past the cancel grace', async () => {
    const id = await submit('stubborn', { seconds: 600 })
    await until(async () => (await api().job(id)).status === 'started', 'the stubborn job to start', 120_000)
    const { workerId } = await api().job(id)
    const worker = ((await api().workers()) as Worker[]).find((w) => w.name === workerId)
    assert.deepEqual([worker?.lang, typeof worker?.pid], ['jvm', 'number'])
    assert.equal((await haze.api(`/v2/api/jobs/${id}`, { method: 'DELETE' })).status, 200)
    const ended = await api().ended(id, 60_000)
    assert.equal(ended.status, 'cancelled')
    assert.match(String(ended.jobResult), new RegExp(`^Job was cancelled: user request; worker ${workerId} was recycled`))
    assert.match(await logOf(id), /did not stop within 5 seconds of the cancel; recycling worker /)
    const pid = worker!.pid!
    await until(() => commandLine(pid) === undefined, `recycled JVM worker ${pid} to exit`, 30_000)
  })

  it('fails a throwing function with its exception, message and own frames, no Haze or Spark frames', async () => {
    const id = await submit('throws', { reason: 'no' })
    const ended = await api().ended(id)
    const text = String(ended.jobResult)
    assert.equal(ended.status, 'failed')
    assert.match(text, /^java\.lang\.IllegalStateException: refusing: no\n/)
    assert.match(text, /\tat ScalaThrows\$\..*\(ScalaKinds\.scala:\d+\)/)
    assert.doesNotMatch(text, /haze\.runtime|mist\.api|org\.apache\.spark/)
  })

  it('uploads a result over resultLimit to the master, which serves it whole', async () => {
    const id = await submit('big', { size: 300_000 })
    const ended = await api().ended(id)
    const text = JSON.stringify('x'.repeat(300_000))
    assert.equal(ended.status, 'finished', JSON.stringify(ended.jobResult))
    assert.deepEqual(ended.jobResult, { location: `/v2/api/jobs/${id}/result`, size: text.length, format: 'json' })
    assert.equal(await (await haze.api(`/v2/api/jobs/${id}/result`)).text(), text)
  })

  // About 200 MB each, from a driver of 512m: encoded while it is produced and streamed to the
  // master, a result this size never exists whole in the driver's heap (it would not fit twice,
  // as a String and as its UTF-8 bytes); a DataFrame is read a partition at a time.
  it('streams a 200 MB DataFrame result to the master as JSON lines, from a 512m driver', async () => {
    const rows = 1_000_000
    const width = 190
    const id = await submit('rows', { rows, width, partitions: 16 })
    const ended = await api().ended(id, 300_000)
    assert.equal(ended.status, 'finished', JSON.stringify(ended.jobResult))
    const line = (i: number) => `{"id":${i},"pad":"${'x'.repeat(width)}"}`
    let size = 0
    for (let i = 0; i < rows; i++) size += line(i).length + 1
    assert.deepEqual(ended.jobResult, { location: `/v2/api/jobs/${id}/result`, size, format: 'jsonl' })
    const head = `${line(0)}\n${line(1)}\n`
    const tail = `${line(rows - 2)}\n${line(rows - 1)}\n`
    const body = await download(`/v2/api/jobs/${id}/result`, head.length, tail.length)
    assert.deepEqual(body, { bytes: size, newlines: rows, head, tail })
  })

  it('streams a 200 MB result an Iterator produces to the master as one JSON array, from a 512m driver', async () => {
    const count = 1_000_000
    const width = 190
    const id = await submit('lazy', { count, width })
    const ended = await api().ended(id, 300_000)
    assert.equal(ended.status, 'finished', JSON.stringify(ended.jobResult))
    const item = (i: number) => JSON.stringify(String(i).padStart(9, '0') + 'y'.repeat(width))
    const size = 2 + count * item(0).length + (count - 1)
    assert.deepEqual(ended.jobResult, { location: `/v2/api/jobs/${id}/result`, size, format: 'json' })
    const head = `[${item(0)},${item(1)},`
    const tail = `,${item(count - 2)},${item(count - 1)}]`
    const body = await download(`/v2/api/jobs/${id}/result`, head.length, tail.length)
    assert.deepEqual(body, { bytes: size, newlines: 0, head, tail })
  })

  it('gives a context used by both languages one worker of each kind', async () => {
    const answer = await runSync<number>('noop', {})
    assert.ok(answer.success, JSON.stringify(answer))
    const langs = (await workersOf('jvm-shared')).map((worker) => worker.lang).sort()
    assert.deepEqual(langs, ['jvm', 'python'])
  })
})

describe('a JVM worker whose master is SIGKILLed', { timeout: 200_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-jvm-kill-'))
  let master: ChildProcess | undefined
  let workerPid: number | undefined
  after(() => {
    if (master && master.exitCode === null && master.signalCode === null) master.kill('SIGKILL')
    if (workerPid !== undefined && commandLine(workerPid) !== undefined) process.kill(workerPid, 'SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('exits by itself within seconds', async () => {
    assert.ok(existsSync(EXAMPLES_JAR))
    const started = await startCli(['--data-dir', dataDir])
    master = started.child
    const call = (path: string, init?: RequestInit) => fetch(`${started.url}${path}`, init)
    assert.equal((await call('/v2/api/artifacts', upload('probes.jar', readFileSync(EXAMPLES_JAR)))).status, 200)
    const context = { ...sharedContext('orphan'), sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }
    assert.equal((await call('/v2/api/contexts', jsonBody('POST', context))).status, 200)
    assert.equal((await call('/v2/api/functions', jsonBody('POST', { name: 'where', path: 'probes.jar', className: 'JvmWhere', defaultContext: 'orphan' }))).status, 200)
    const answer = (await (await call('/v2/api/functions/where/jobs?force=true', jsonBody('POST', {}))).json()) as Sync<Where>
    assert.ok(answer.success, JSON.stringify(answer))
    workerPid = Number(answer.payload.pid)
    assert.match(commandLine(workerPid) ?? '', /haze\.runtime\.WorkerMain/)
    master.kill('SIGKILL')
    await exited(master)
    const killedAt = Date.now()
    const pid = workerPid
    await until(() => commandLine(pid) === undefined, `JVM worker ${pid} to exit after its master was killed`, 15_000)
    assert.ok(Date.now() - killedAt < 15_000)
  })
})
