/**
 * Live events end to end on real Spark: a WebSocket subscriber sees the full, ordered
 * lifecycle of jobs started over HTTP, in Mist's frames; a late subscriber gets the job's
 * current state first; logs stream per job; and the Mist UI's bodiless DELETEs (sent with
 * Content-Type: application/json) cancel a job and stop a worker.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { assertMistFrames, lifecycle, NORMAL_RUN, openEvents, type EventClient, type Frame } from './helpers/events.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

/** What Mist's UI sends on every request (mist-request-options.ts). */
const UI_HEADERS = { 'content-type': 'application/json' }

const FUNCTIONS: Record<string, string> = { big: 'big_numbers', boom: 'boom', chatty: 'chatty', slow: 'slow_count', noop: 'noop' }

describe('live events on real Spark', { timeout: 600_000 }, () => {
  let haze: TestHaze
  let all: EventClient
  const clients: EventClient[] = []
  const subscribe = async (path: string) => {
    const client = await openEvents(haze.url, path)
    clients.push(client)
    return client
  }
  const start = async (fn: string, args: unknown = {}) => {
    const answer = await haze.json<{ id: string }>(`/v2/api/functions/${fn}/jobs`, jsonBody('POST', args))
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    return answer.body.id
  }
  const endedFrame = (client: EventClient, id: string) =>
    client.next((f) => f.id === id && ['finished', 'failed', 'cancelled'].includes(f.event), `the end of job ${id}`, 120_000)

  before(async () => {
    haze = await startHaze({ cancelGrace: 5000, workerHeartbeat: 1000 })
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const live = {
      name: 'live',
      workerMode: 'shared',
      maxJobs: 4,
      precreated: true,
      downtime: 'Inf',
      sparkConf: { 'spark.master': 'local[2]', 'spark.ui.port': '0' },
    }
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', live))).status, 200)
    for (const [name, className] of Object.entries(FUNCTIONS)) {
      const body = { name, path: 'jobs.py', className, defaultContext: 'live' }
      assert.equal((await haze.json('/v2/api/functions', jsonBody('POST', body))).status, 200, name)
    }
    all = await subscribe('/v2/api/ws/all?withWorkers=true')
    await until(async () => (await jobApi(haze).workers()).some((w) => w.context === 'live' && w.state === 'ready'), 'the warm worker', 120_000)
  })
  after(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await haze.close()
  })

  it("shows a job's whole lifecycle, in order, in Mist's frames, its result exact", async () => {
    // The first job on the worker: it downloads the artifact.
    const id = await start('big')
    await endedFrame(all, id)
    assert.deepEqual(lifecycle(all.frames, id), [...NORMAL_RUN])
    assertMistFrames(all.frames, id, 'big', 'live')
    const finished = all.texts.find((text) => text.includes(`"id":"${id}"`) && text.includes('"event":"finished"'))
    assert.match(finished ?? '', /"result":\{"big":1267650600228229401496703205376,/)
  })

  it('ends a failing job with failed and its error', async () => {
    const id = await start('boom')
    const failed = await endedFrame(all, id)
    assert.equal(failed.event, 'failed')
    assert.match(String(failed.error), /ValueError: boom/)
    // The worker has jobs.py cached by now: no job-file-downloading.
    assert.deepEqual(lifecycle(all.frames, id), ['initialized', 'queued', 'worker-assigned', 'started', 'failed'])
  })

  it('gives a late subscriber the terminal event of a job that has ended, on both job paths', async () => {
    const id = await start('noop')
    await endedFrame(all, id)
    for (const path of [`/v2/api/ws/jobs/${id}`, `/v2/api/jobs/${id}/ws`]) {
      const late = await subscribe(path)
      const first = await late.next(() => true, `the first frame on ${path}`)
      assert.deepEqual([first.event, first.id, first.result], ['finished', id, 1], path)
    }
  })

  it("streams a job's log lines to its subscriber, after its current state", async () => {
    const id = await start('chatty', { tag: 'tagged', lines: 150 })
    const started = await all.next((f) => f.id === id && f.event === 'started', 'the chatty job to start', 60_000)
    const own = await subscribe(`/v2/api/ws/jobs/${id}?withLogs=true`)
    const first = await own.next(() => true, 'the first frame')
    assert.deepEqual(first, started, 'the first frame is the state the job is in')
    await endedFrame(own, id)
    const printed = await own.next(
      (f) => f.event === 'logs' && (f.events as { message: string }[]).some((e) => e.message === 'tagged print 149'),
      'the last printed line',
    )
    const line = (printed.events as Frame[])[0]
    assert.deepEqual(Object.keys(line ?? {}).sort(), ['from', 'level', 'message', 'timeStamp'])
    const offsets = own.frames.filter((f) => f.event === 'logs').map((f) => f.fileOffset as number)
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'fileOffset only grows')
    assert.equal(all.frames.some((f) => f.event === 'logs'), false, 'withLogs=false sends no logs frames')
  })

  it("cancels a running job by a DELETE with the UI's headers and no body, and streams the cancel", async () => {
    const id = await start('slow', { seconds: 60 })
    await all.next((f) => f.id === id && f.event === 'started', 'the slow job to start', 60_000)
    const response = await haze.api(`/v2/api/jobs/${id}`, { method: 'DELETE', headers: UI_HEADERS })
    assert.equal(response.status, 200)
    assert.equal(((await response.json()) as { status: string }).status, 'cancelled')
    await endedFrame(all, id)
    assert.deepEqual(lifecycle(all.frames, id).slice(-2), ['cancelling', 'cancelled'])
  })

  it("stops a worker by a DELETE with the UI's headers and no body, and streams its exit", async () => {
    const worker = await until(async () => (await jobApi(haze).workers()).find((w) => w.context === 'live' && w.state === 'ready'), 'the worker')
    const response = await haze.api(`/v2/api/workers/${worker.name}`, { method: 'DELETE', headers: UI_HEADERS })
    assert.equal(response.status, 200)
    const exited = await all.next((f) => f.event === 'worker-exited' && f.workerId === worker.name, 'the worker-exited frame')
    assert.equal(exited.context, 'live')
    assert.ok(all.frames.some((f) => f.event === 'worker-ready' && f.workerId === worker.name), 'its worker-ready came before')
  })
})
