/**
 * Faults inside functions, on real Spark: each job ends `failed` or `cancelled` with a reason a
 * person understands, the master keeps only bounded text of it, and the context serves the
 * next job. One shared context; its warm worker serves the faults that leave it alive, and the
 * ones that kill it (os._exit, a segfault, C code that ignores a cancel) come last.
 */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { jobApi, jsonBody, startHaze, upload, type JobView, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'

const LOCAL = { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' }
const LOG_LIMIT = 1024 * 1024
const WORKER_OUTPUT_LIMIT = 2 * 1024 * 1024
const SMALL_DRIVER = '512m'
const PYTHON_MEMORY = '2g'

describe('faults inside functions', { timeout: 600_000 }, () => {
  let haze: TestHaze
  let api: ReturnType<typeof jobApi>
  const run = async (fn: string, args: object = {}, query = ''): Promise<JobView> => {
    const { status, body } = await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs${query}`, jsonBody('POST', args))
    assert.equal(status, 200, JSON.stringify(body))
    return api.ended(body.id, 120_000)
  }
  const servesNext = async () => assert.equal((await run('noop')).status, 'finished', 'the context serves the next job')

  before(async () => {
    haze = await startHaze({ jobLogLimit: LOG_LIMIT, workerOutputLimit: WORKER_OUTPUT_LIMIT, cancelGrace: 2000 })
    api = jobApi(haze)
    assert.equal((await haze.api('/v2/api/artifacts', upload('faults.py', sample('faults.py')))).status, 200)
    const ctx = { name: 'faults', workerMode: 'shared', maxJobs: 2, downtime: 'Inf', sparkConf: LOCAL }
    assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', ctx))).status, 200)
    for (const name of ['noop', 'exit_hard', 'segfault', 'exit_politely', 'huge_error', 'unencodable', 'spin_python', 'spin_c', 'flood', 'flood_stdout']) {
      const deploy = { name, path: 'faults.py', className: name, defaultContext: 'faults' }
      assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', deploy))).status, 200, name)
    }
    // A driver with a small heap, and no cap on collected results (spark.driver.maxResultSize)
    // that would refuse the collect before the heap runs out.
    // Its Python is limited too (spark.haze.driver.pythonMemory).
    const sparkConf = { ...LOCAL, 'spark.driver.memory': SMALL_DRIVER, 'spark.driver.maxResultSize': '0', 'spark.haze.driver.pythonMemory': PYTHON_MEMORY }
    const small = { name: 'small_driver', workerMode: 'shared', maxJobs: 1, downtime: 'Inf', sparkConf }
    assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', small))).status, 200)
    for (const [name, className] of [['collect_too_much', 'collect_too_much'], ['hog_memory', 'hog_memory'], ['noop_small_driver', 'noop']]) {
      const deploy = { name, path: 'faults.py', className, defaultContext: 'small_driver' }
      assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', deploy))).status, 200, name)
    }
    await servesNext()
  })
  after(() => haze.close())

  it('keeps 64 KiB of a 10 MB exception message, saying what it left out', async () => {
    const job = await run('huge_error', { size: 10_000_000 })
    assert.equal(job.status, 'failed')
    const text = String(job.jobResult)
    assert.ok(text.length < 70_000, `${text.length} characters stored`)
    assert.match(text, /ValueError/)
    assert.match(text, /characters left out here: Haze keeps 65536 characters of a job's error/)
    const log = await (await haze.api(`/v2/api/jobs/${job.jobId}/logs`)).text()
    assert.ok(log.length < 200_000, `the job's log holds ${log.length} characters`)
    await servesNext()
  })

  it('fails a result that cannot be encoded, saying so', async () => {
    const job = await run('unencodable')
    assert.equal(job.status, 'failed')
    assert.match(String(job.jobResult), /JSON|serializ|encod/i)
    await servesNext()
  })

  it('fails sys.exit in a job as the job, not the worker', async () => {
    const job = await run('exit_politely')
    assert.equal(job.status, 'failed')
    assert.match(String(job.jobResult), /SystemExit|exit/i)
    await servesNext()
  })

  it('caps a flood of log lines per job, with a line saying how much was dropped', async () => {
    const job = await run('flood', { megabytes: 20 })
    assert.equal(job.status, 'finished')
    const log = await (await haze.api(`/v2/api/jobs/${job.jobId}/logs`)).text()
    assert.ok(log.length < 2 * LOG_LIMIT, `the log holds ${log.length} characters`)
    assert.match(log, /WARN .* \[haze\] \d+ lines \([\d.]+ MiB\) of the job's output were dropped: a job's log keeps its first 1 MiB \(jobLogLimit/)
    assert.ok(statSync(`${haze.dataDir}/logs/job-${job.jobId}.log`).size < 2 * LOG_LIMIT)
    await servesNext()
  })

  it("rotates the worker's own output file, keeping workerOutputLimit and saying what was dropped", async () => {
    // os.write(1, …) bypasses the per-job routing of print: 20 MiB of the worker's own output.
    const job = await run('flood_stdout', { megabytes: 20 })
    assert.equal(job.status, 'finished')
    const file = `${haze.dataDir}/logs/worker-${job.workerId ?? ''}.log`
    const sizes = [statSync(file).size, statSync(`${file}.1`).size]
    assert.ok(sizes.every((size) => size <= WORKER_OUTPUT_LIMIT / 2 + 2048), `file sizes ${sizes.join(', ')}`)
    const head = readFileSync(file, 'utf8').split('\n')[0] ?? ''
    assert.match(head, /^\[haze\] this worker's output goes on from worker-.+\.log\.1 \([\d.]+ (?:KiB|MiB)\); [\d.]+ (?:KiB|MiB) of older output were dropped: a worker keeps 2 MiB \(workerOutputLimit\)$/)
    await servesNext()
  })

  it('cancels a function spinning in pure Python at its performTimeout', async () => {
    const job = await run('spin_python', {}, '?performTimeout=2s')
    assert.equal(job.status, 'cancelled')
    assert.match(String(job.jobResult), /perform timeout was exceeded: 2 seconds/)
    await servesNext()
  })

  it('recycles the worker of a function stuck in C code past the cancel grace', async () => {
    const job = await run('spin_c', { seconds: 600 }, '?performTimeout=2s')
    assert.equal(job.status, 'cancelled')
    assert.match(String(job.jobResult), /perform timeout was exceeded/)
    await servesNext()
  })

  it("fails the job of a function that exhausts the driver's Python heap past its limit, saying so, and the same worker serves the next", async () => {
    // 4 GiB asked for under a 2 GiB limit: MemoryError in the job's own thread.
    const job = await run('hog_memory', { megabytes: 4096 })
    assert.equal(job.status, 'failed')
    assert.match(String(job.jobResult), /MemoryError: the function ran out of memory in the driver's Python \(its limit is 2g, the context's spark\.haze\.driver\.pythonMemory\)/)
    const next = await run('noop_small_driver')
    assert.equal(next.status, 'finished', 'the context serves the next job')
    assert.equal(next.workerId, job.workerId, 'on the same worker')
  })

  it("fails the job of a function that exhausts the driver JVM's memory, saying so, and the context serves the next", async () => {
    // 1 GiB collected into a 512 MiB heap: the JVM exits (ExitOnOutOfMemoryError), its worker is replaced.
    const job = await run('collect_too_much', { megabytes: 1024 })
    assert.equal(job.status, 'failed')
    assert.match(String(job.jobResult), new RegExp(`^worker ${job.workerId ?? '?'} exited \\(its Spark driver JVM ran out of memory \\(java\\.lang\\.OutOfMemoryError`))
    assert.match(String(job.jobResult), /give the driver more with the context's spark\.driver\.memory \(now 512m\)/)
    assert.equal((await run('noop_small_driver')).status, 'finished', 'the context serves the next job')
  })

  for (const [fn, why] of [
    ['exit_hard', 'os._exit'],
    ['segfault', 'a segfault'],
  ] as const) {
    it(`fails the job of a function that kills its driver with ${why}, naming the worker`, async () => {
      const job = await run(fn)
      assert.equal(job.status, 'failed')
      assert.match(String(job.jobResult), new RegExp(`worker ${job.workerId ?? '?'} exited`))
      await servesNext()
    })
  }
})
