/**
 * Job retention on a real master and a real store: terminal jobs that ended longer ago than
 * `jobRetention` go, with their log and result files and the job list's totals; younger ones
 * and open ones stay, however old; output files of workers gone as long go too. The history is
 * written straight into the store (as a long-running master would have left it), so no Spark
 * is needed.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { JobRecord, JobStatus } from '../src/domain/job.js'
import { startHaze, type TestHaze } from './helpers/haze.js'
import { makeJob } from './helpers/jobs.js'
import { until } from './helpers/wait.js'

const DAY = 86_400_000

describe('job retention (jobRetention)', () => {
  let haze: TestHaze
  before(async () => {
    // 10 s: the sweep comes every second.
    haze = await startHaze({ jobRetention: 10_000 })
  })
  after(() => haze.close())

  const logFile = (job: JobRecord) => join(haze.dataDir, 'logs', `job-${job.jobId}.log`)
  const resultFile = (job: JobRecord) => join(haze.dataDir, 'results', `${job.jobId}.json`)
  const total = async (query = '') => (await haze.json<{ total: number }>(`/v2/api/jobs?paginate=true&limit=1${query}`)).body.total

  it('removes terminal jobs ended before the retention with their files, keeps the rest, and keeps the totals exact', async () => {
    const now = Date.now()
    const ended = (daysAgo: number, status: JobStatus, fields: Partial<JobRecord> = {}) =>
      makeJob({ status, createTime: now - daysAgo * DAY - 1000, endTime: now - daysAgo * DAY, function: 'kept-or-not', ...fields })
    const expired = [ended(3, 'finished'), ended(2, 'failed'), ended(1, 'cancelled', { function: 'other' })]
    const kept = [
      ended(0, 'finished'),
      makeJob({ status: 'queued', createTime: now - 5 * DAY, function: 'kept-or-not' }),
      makeJob({ status: 'started', createTime: now - 4 * DAY, workerId: 'w-live', function: 'other' }),
    ]
    mkdirSync(join(haze.dataDir, 'results'), { recursive: true })
    const workerFiles = ['worker-gone.log', 'worker-gone.log.1', 'worker-recent.log'].map((name) => join(haze.dataDir, 'logs', name))
    for (const file of workerFiles) writeFileSync(file, 'spark output\n')
    const longAgo = new Date(now - 2 * DAY)
    utimesSync(workerFiles[0] ?? '', longAgo, longAgo)
    utimesSync(workerFiles[1] ?? '', longAgo, longAgo)
    for (const job of [...expired, ...kept]) {
      await haze.server.jobs.insert(job)
      writeFileSync(logFile(job), `INFO 2026-01-01T00:00:00.000 [haze] job ${job.jobId}\n`)
      if (job.status === 'finished') writeFileSync(resultFile(job), '[1,2,3]')
    }

    await until(
      async () => (await haze.server.jobs.get(expired[2]?.jobId ?? '')) === undefined && !existsSync(workerFiles[1] ?? ''),
      'a sweep after the history was written',
      15_000,
    )
    for (const job of expired) {
      assert.equal((await haze.api(`/v2/api/jobs/${job.jobId}`)).status, 404, `${job.status} job ended long ago removed`)
      assert.equal(existsSync(logFile(job)), false, 'its log file removed')
      assert.equal(existsSync(resultFile(job)), false, 'its result file removed')
    }
    for (const job of kept) {
      assert.equal((await haze.json<{ status: string }>(`/v2/api/jobs/${job.jobId}`)).body.status, job.status, `${job.status} job kept`)
      assert.equal(existsSync(logFile(job)), true, 'its log file kept')
    }
    assert.equal(existsSync(resultFile(kept[0] as JobRecord)), true, 'a recent result kept')
    assert.deepEqual(
      [await total(), await total('&status=finished'), await total('&status=failed'), await total('&status=queued')],
      [3, 1, 0, 1],
      'totals: all, finished, failed, queued',
    )
    assert.equal((await haze.json<{ total: number }>('/v2/api/functions/kept-or-not/jobs?paginate=true&limit=1')).body.total, 2)
    assert.deepEqual(
      workerFiles.map((file) => existsSync(file)),
      [false, false, true],
      'output files of workers gone for longer than the retention removed, a recent one kept',
    )
    const metrics = await (await haze.api('/metrics')).text()
    assert.match(metrics, /^haze_retention_removed_jobs_total 3$/m)
    assert.match(metrics, /^haze_retention_removed_worker_files_total 2$/m)
  })
})
