/**
 * A burst on real Spark (issue 14's load proof at a reduced count; bench/robustness.ts runs
 * 10,000): 1,000 no-op jobs sent at once over 64 connections to one warm shared context whose
 * queue holds 200. Each submit is accepted (200 with an id) or refused with 429 and Retry-After;
 * every accepted job is stored and ends `finished`, and nothing refused is stored. No timing
 * is asserted.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const JOBS = 1000
const CONNECTIONS = 64
const QUEUE_LIMIT = 200

describe('a burst of jobs on one shared context', { timeout: 600_000 }, () => {
  let haze: TestHaze
  before(async () => {
    haze = await startHaze({ queueLimit: QUEUE_LIMIT })
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const ctx = { name: 'burst', workerMode: 'shared', maxJobs: 4, precreated: true, downtime: 'Inf', sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } }
    assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', ctx))).status, 200)
    assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', { name: 'noop', path: 'jobs.py', className: 'noop', defaultContext: 'burst' }))).status, 200)
    await until(async () => (await haze.json<{ state: string }[]>('/v2/api/workers')).body.some((w) => w.state === 'ready'), 'the warm worker', 180_000)
  })
  after(() => haze.close())

  it('accepts or clearly refuses each job, and every accepted one ends', async () => {
    const accepted: string[] = []
    const refused: { status: number; retryAfter: string | null }[] = []
    let sent = 0
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (sent < JOBS) {
          sent += 1
          const answer = await haze.api('/v2/api/functions/noop/jobs', jsonBody('POST', {}))
          if (answer.status === 200) accepted.push(((await answer.json()) as { id: string }).id)
          else {
            refused.push({ status: answer.status, retryAfter: answer.headers.get('retry-after') })
            await answer.body?.cancel()
          }
        }
      }),
    )
    assert.equal(accepted.length + refused.length, JOBS)
    assert.deepEqual(refused.filter((r) => r.status !== 429 || r.retryAfter !== '5'), [], 'every refusal is a 429 with Retry-After')
    assert.ok(accepted.length >= QUEUE_LIMIT, `${accepted.length} accepted: at least a full queue`)
    const open = 'status=initialized&status=queued&status=started&status=job-file-downloading&status=cancelling'
    await until(
      async () => (await haze.json<{ total: number }>(`/v2/api/jobs?paginate=true&limit=0&${open}`)).body.total === 0,
      'every accepted job to end',
      300_000,
    )
    const { body } = await haze.json<{ jobs: { jobId: string; status: string }[]; total: number }>(`/v2/api/jobs?paginate=true&limit=${JOBS}`)
    assert.equal(body.total, accepted.length, 'every accepted job stored, no refused one')
    assert.deepEqual(new Set(body.jobs.map((job) => job.jobId)), new Set(accepted))
    assert.deepEqual(body.jobs.filter((job) => job.status !== 'finished'), [], 'every accepted job finished')
  })
})
