/**
 * A context's queue is bounded (queueLimit): a burst past it is refused with 429, a problem
 * saying why and a Retry-After, and nothing refused is stored; everything accepted is stored
 * and queued. Workers here never become ready (their spark-submit just waits), so accepted
 * jobs stay queued for the test to count; the master kills them with their process group.
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'

const LIMIT = 50
const BURST = 400

describe('the per-context queue limit', () => {
  let haze: TestHaze
  const sparkHome = mkdtempSync(join(tmpdir(), 'haze-queue-spark-'))

  before(async () => {
    mkdirSync(join(sparkHome, 'bin'))
    const submit = join(sparkHome, 'bin', 'spark-submit')
    writeFileSync(submit, '#!/bin/sh\nexec sleep 600\n')
    chmodSync(submit, 0o755)
    haze = await startHaze({ sparkHome, queueLimit: LIMIT })
    assert.equal((await haze.api('/v2/api/artifacts', upload('typed_pi.py', sample('typed_pi.py')))).status, 200)
    const deploy = { name: 'pi', path: 'typed_pi.py', className: 'estimate_pi', defaultContext: 'default' }
    assert.equal((await haze.api('/v2/api/functions', jsonBody('POST', deploy))).status, 200)
  })
  after(async () => {
    await haze.close()
    rmSync(sparkHome, { recursive: true, force: true })
  })

  const submit = () => haze.api('/v2/api/functions/pi/jobs', jsonBody('POST', { samples: 10 }))
  const queued = async () => (await haze.json<{ total: number }>('/v2/api/jobs?paginate=true&limit=1')).body.total

  it('accepts a burst up to the limit and refuses the rest with 429 and Retry-After, storing nothing refused', async () => {
    const answers = await Promise.all(Array.from({ length: BURST }, submit))
    const accepted = answers.filter((answer) => answer.status === 200)
    const refused = answers.filter((answer) => answer.status === 429)
    assert.equal(accepted.length + refused.length, BURST, `other statuses: ${answers.map((a) => a.status).join(',')}`)
    // Exactly the limit: a job counts once, whether it is still being recorded or already queued.
    assert.equal(accepted.length, LIMIT)
    for (const answer of refused) {
      assert.equal(answer.headers.get('retry-after'), '5')
      assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/)
      assert.match(((await answer.json()) as { detail: string }).detail, /has 50 jobs waiting for a worker, its limit \(queueLimit\)/)
    }
    assert.equal(await queued(), accepted.length, 'every accepted job is stored, no refused one')
    // One at a time, the queue fills to exactly its limit.
    while ((await submit()).status === 200);
    assert.equal(await queued(), LIMIT)
    const { body } = await haze.json<{ status: string }[]>('/v2/api/jobs?limit=10000')
    assert.ok(body.every((job) => job.status === 'queued'), 'all accepted jobs wait in the queue')
  })
})
