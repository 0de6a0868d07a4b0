/**
 * The behaviour every JobStore must have, run against each implementation
 * (bullmq-style: one suite, several backends).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { canTransition, isTerminal, JOB_STATUSES, type JobRecord, type JobSource, type JobStatus } from '../../src/domain/job.js'
import type { JobQuery, JobStore } from '../../src/store/job-store.js'
import { makeJob } from '../helpers/jobs.js'

export interface StoreHandle {
  store: JobStore
  close(): Promise<void>
}

const query = (fields: Partial<JobQuery> = {}): JobQuery => ({ limit: 25, offset: 0, statuses: [], withTotal: true, ...fields })

export function jobStoreSuite(name: string, open: () => Promise<StoreHandle>): void {
  describe(`JobStore on ${name}`, () => {
    let handle: StoreHandle
    let store: JobStore
    before(async () => {
      handle = await open()
      store = handle.store
    })
    after(() => handle.close())

    it('keeps every field, and argument and result texts verbatim', async () => {
      const job = makeJob({
        function: 'exact',
        arguments: '{"big":123456789012345678901234567890,"f":1.0000000000000002,"s":"ü"}',
        result: '{"n":98765432109876543210,"nested":[true,null,{"x":1e400}]}',
        externalId: 'ext-1',
        startTime: 5,
        endTime: 6,
        workerId: 'default_abc_1',
        source: 'Async Mqtt',
        startedBy: 'ci-token',
      })
      await store.insert(job)
      assert.deepEqual(await store.get(job.jobId), job)
      assert.equal(await store.get('no-such-job'), undefined)
    })

    it('leaves absent optional fields absent', async () => {
      const job = makeJob({ function: 'sparse', status: 'queued' })
      await store.insert(job)
      const stored = await store.get(job.jobId)
      for (const field of ['externalId', 'startTime', 'endTime', 'workerId', 'result', 'startedBy'] as const) {
        assert.equal(stored?.[field], undefined, field)
      }
    })

    it('lists newest first with limit, offset and the full total', async () => {
      const jobs: JobRecord[] = []
      for (let i = 0; i < 30; i++) jobs.push(makeJob({ function: 'paged' }))
      for (const job of jobs) await store.insert(job)
      const newestFirst = jobs.map((j) => j.jobId).reverse()
      const first = await store.list(query({ function: 'paged' }))
      assert.deepEqual(first.jobs.map((j) => j.jobId), newestFirst.slice(0, 25))
      assert.equal(first.total, 30)
      const second = await store.list(query({ function: 'paged', offset: 25, limit: 10 }))
      assert.deepEqual(second.jobs.map((j) => j.jobId), newestFirst.slice(25))
      assert.equal(second.total, 30)
    })

    it('filters by several statuses, by function and by worker, with matching totals', async () => {
      const statuses: JobStatus[] = ['finished', 'failed', 'cancelled', 'queued', 'started']
      const jobs = Array.from({ length: 40 }, (_, i) =>
        makeJob({ function: `f${i % 2}`, workerId: `w${i % 4}`, status: statuses[i % statuses.length] ?? 'finished' }),
      )
      for (const job of jobs) await store.insert(job)
      const expect = (filter: (j: JobRecord) => boolean) => jobs.filter(filter).reverse()
      const cases: [Partial<JobQuery>, (j: JobRecord) => boolean][] = [
        [{ function: 'f0', statuses: ['failed', 'cancelled'] }, (j) => j.function === 'f0' && ['failed', 'cancelled'].includes(j.status)],
        [{ workerId: 'w1' }, (j) => j.workerId === 'w1'],
        [{ workerId: 'w2', statuses: ['finished'] }, (j) => j.workerId === 'w2' && j.status === 'finished'],
        [{ workerId: 'w3', statuses: ['queued', 'started', 'failed'] }, (j) => j.workerId === 'w3' && ['queued', 'started', 'failed'].includes(j.status)],
      ]
      for (const [filter, predicate] of cases) {
        const expected = expect(predicate)
        const page = await store.list(query({ ...filter, limit: 5, offset: 1 }))
        assert.deepEqual(page.jobs.map((j) => j.jobId), expected.slice(1, 6).map((j) => j.jobId), JSON.stringify(filter))
        assert.equal(page.total, expected.length, JSON.stringify(filter))
      }
    })

    it('filters by context and by source, alone or with others, with matching totals through transitions', async () => {
      const sources = ['Http', 'Async Kafka', 'Async Mqtt'] as const
      const jobs = Array.from({ length: 30 }, (_, i) =>
        makeJob({ function: `g${i % 2}`, context: `c${i % 3}`, source: sources[i % 4 === 3 ? 0 : i % 2 === 0 ? 1 : 2] ?? 'Http', status: i % 4 === 0 ? 'failed' : 'finished' }),
      )
      const sourceTotal = async (source: JobSource) => (await store.list(query({ source, limit: 0 }))).total ?? 0
      const kafkaBefore = await sourceTotal('Async Kafka')
      for (const job of jobs) await store.insert(job)
      assert.equal(await sourceTotal('Async Kafka'), kafkaBefore + jobs.filter((j) => j.source === 'Async Kafka').length)
      const cases: [Partial<JobQuery>, (j: JobRecord) => boolean][] = [
        [{ context: 'c1' }, (j) => j.context === 'c1'],
        [{ context: 'c2', statuses: ['failed'] }, (j) => j.context === 'c2' && j.status === 'failed'],
        [{ context: 'c0', source: 'Async Mqtt' }, (j) => j.context === 'c0' && j.source === 'Async Mqtt'],
        [{ function: 'g1', context: 'c0' }, (j) => j.function === 'g1' && j.context === 'c0'],
        [{ context: 'c1', source: 'Async Kafka', statuses: ['finished'] }, (j) => j.context === 'c1' && j.source === 'Async Kafka' && j.status === 'finished'],
      ]
      for (const [filter, predicate] of cases) {
        const expected = jobs.filter(predicate).reverse()
        const page = await store.list(query({ ...filter, limit: 3 }))
        assert.deepEqual(page.jobs.map((j) => j.jobId), expected.slice(0, 3).map((j) => j.jobId), JSON.stringify(filter))
        assert.equal(page.total, expected.length, JSON.stringify(filter))
      }
      const total = async (filter: Partial<JobQuery>) => (await store.list(query({ ...filter, limit: 0 }))).total ?? 0
      const [finishedBefore, cliQueuedBefore] = [await total({ context: 'c1', statuses: ['finished'] }), await total({ source: 'Cli', statuses: ['queued'] })]
      const queued = makeJob({ context: 'c1', source: 'Cli', status: 'queued' })
      await store.insert(queued)
      assert.equal(await total({ source: 'Cli', statuses: ['queued'] }), cliQueuedBefore + 1)
      await store.transition(queued.jobId, { status: 'finished' })
      assert.equal(await total({ context: 'c1', statuses: ['finished'] }), finishedBefore + 1)
      assert.equal(await total({ source: 'Cli', statuses: ['queued'] }), cliQueuedBefore)
    })

    it('counts across every job for unscoped totals', async () => {
      const before = await store.list(query({ statuses: ['cancelling'], limit: 0 }))
      await store.insert(makeJob({ status: 'cancelling' }))
      await store.insert(makeJob({ status: 'cancelling', function: 'other' }))
      const after = await store.list(query({ statuses: ['cancelling'], limit: 0 }))
      assert.equal(after.total, (before.total ?? 0) + 2)
      assert.equal(after.jobs.length, 0)
    })

    it('omits the total unless asked', async () => {
      const page = await store.list(query({ withTotal: false }))
      assert.equal(page.total, undefined)
    })

    it('applies transitions and never changes a terminal job', async () => {
      const job = makeJob({ function: 'moving', status: 'queued' })
      await store.insert(job)
      const started = await store.transition(job.jobId, { status: 'started', startTime: 10, workerId: 'wx' })
      assert.equal(started?.status, 'started')
      assert.equal(started?.workerId, 'wx')
      const finished = await store.transition(job.jobId, { status: 'finished', endTime: 20, result: '[1,2]' })
      assert.deepEqual([finished?.status, finished?.endTime, finished?.result], ['finished', 20, '[1,2]'])
      assert.equal(await store.transition(job.jobId, { status: 'failed', result: '"late"' }), undefined)
      const stored = await store.get(job.jobId)
      assert.deepEqual([stored?.status, stored?.result], ['finished', '[1,2]'])
      assert.equal(await store.transition('no-such-job', { status: 'failed' }), undefined)
    })

    it('moves a job only along the state machine', async () => {
      for (const from of JOB_STATUSES) {
        for (const to of JOB_STATUSES) {
          const job = makeJob({ function: 'machine', status: from })
          await store.insert(job)
          const moved = await store.transition(job.jobId, { status: to })
          const stored = await store.get(job.jobId)
          assert.equal(stored?.status, canTransition(from, to) ? to : from, `${from} → ${to}`)
          assert.equal(moved === undefined, !canTransition(from, to), `${from} → ${to} answers the stored job only when allowed`)
        }
      }
    })

    it('changes fields without a status only on open jobs', async () => {
      for (const status of JOB_STATUSES) {
        const job = makeJob({ function: 'assigning', status })
        await store.insert(job)
        await store.transition(job.jobId, { workerId: 'w-late' })
        assert.equal((await store.get(job.jobId))?.workerId, isTerminal(status) ? undefined : 'w-late', status)
      }
    })

    it('keeps totals right through transitions', async () => {
      const job = makeJob({ function: 'counted', status: 'queued' })
      await store.insert(job)
      const total = async (statuses: JobStatus[], extra: Partial<JobQuery> = {}) =>
        (await store.list(query({ function: 'counted', statuses, ...extra }))).total
      assert.equal(await total(['queued']), 1)
      await store.transition(job.jobId, { status: 'started', workerId: 'counted-worker' })
      assert.equal(await total(['queued']), 0)
      assert.equal(await total(['started']), 1)
      assert.equal((await store.list(query({ workerId: 'counted-worker' }))).total, 1)
      await store.transition(job.jobId, { status: 'failed' })
      assert.equal(await total(['started']), 0)
      assert.equal(await total(['failed']), 1)
      assert.equal((await store.list(query({ workerId: 'counted-worker', statuses: ['failed'] }))).total, 1)
    })

    it('lets exactly one of racing terminal moves win', async () => {
      const job = makeJob({ function: 'racing-end', status: 'started' })
      await store.insert(job)
      const ends: JobStatus[] = ['finished', 'failed', 'cancelled']
      const moves = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.transition(job.jobId, { status: ends[i % 3] ?? 'failed', result: `"attempt ${i}"` })),
      )
      const winners = moves.filter((moved) => moved !== undefined)
      assert.equal(winners.length, 1)
      const stored = await store.get(job.jobId)
      assert.deepEqual([stored?.status, stored?.result], [winners[0]?.status, winners[0]?.result])
      const terminalTotal = (await store.list(query({ function: 'racing-end', statuses: ['finished', 'failed', 'cancelled'], limit: 0 }))).total
      assert.equal(terminalTotal, 1, 'the job is counted once')
    })

    it('keeps totals exact under concurrent inserts and moves', async () => {
      const jobs = Array.from({ length: 60 }, (_, i) => makeJob({ function: 'racing', context: `rc${i % 3}`, status: 'queued' }))
      await Promise.all(jobs.map((job) => store.insert(job)))
      await Promise.all(jobs.map((job, i) => store.transition(job.jobId, { status: 'started', workerId: `rw${i % 2}` })))
      await Promise.all(jobs.filter((_, i) => i % 4 !== 0).map((job) => store.transition(job.jobId, { status: 'finished' })))
      const total = async (filter: Partial<JobQuery>) => (await store.list(query({ limit: 0, ...filter }))).total
      assert.deepEqual(
        [
          await total({ function: 'racing' }),
          await total({ function: 'racing', statuses: ['started'] }),
          await total({ function: 'racing', statuses: ['finished'] }),
          await total({ function: 'racing', statuses: ['queued'] }),
          await total({ workerId: 'rw1', statuses: ['finished'] }),
          await total({ context: 'rc0', statuses: ['started'] }),
        ],
        [
          60,
          15,
          45,
          0,
          jobs.filter((_, i) => i % 2 === 1 && i % 4 !== 0).length,
          jobs.filter((_, i) => i % 3 === 0 && i % 4 === 0).length,
        ],
      )
    })

    it('removes terminal jobs that ended before a time, oldest first, never an open one, with every total kept right', async () => {
      // A store of its own: the other tests' jobs would count among "ended before".
      const own = await open()
      try {
        const jobs = own.store
        const DAY = 86_400_000
        const now = Date.UTC(2026, 5, 1)
        const old = (days: number, fields: Partial<JobRecord>) => makeJob({ createTime: now - days * DAY, ...fields })
        const ended = (days: number, status: JobStatus, fields: Partial<JobRecord> = {}) =>
          old(days + 1, { status, endTime: now - days * DAY, workerId: `w${days % 2}`, function: `f${days % 3}`, context: `c${days % 2}`, ...fields })
        const expired = [
          ended(40, 'finished', { source: 'Async Kafka' }),
          ended(39, 'failed'),
          ended(38, 'cancelled', { workerId: undefined }),
          // Terminal without an end time (a job failed before it ran): it goes by its creation.
          old(37, { status: 'failed', function: 'f0' }),
          ended(36, 'finished'),
        ]
        const kept = [
          // Created long ago, but ended within the retention.
          old(45, { status: 'finished', endTime: now - 2 * DAY, function: 'f1', workerId: 'w1' }),
          ended(5, 'finished'),
          ended(1, 'failed'),
          // Open jobs, however old, are never removed.
          old(50, { status: 'queued', function: 'f2' }),
          old(48, { status: 'started', workerId: 'w0', function: 'f0' }),
          old(47, { status: 'cancelling', workerId: 'w1' }),
        ]
        for (const job of [...expired, ...kept].sort((a, b) => a.createTime - b.createTime)) await jobs.insert(job)
        const cutoff = now - 30 * DAY
        assert.deepEqual(await jobs.listEnded(cutoff, 100), expired.map((job) => job.jobId), 'terminal jobs ended before the cutoff, oldest first')
        assert.deepEqual(await jobs.listEnded(cutoff, 2), expired.slice(0, 2).map((job) => job.jobId), 'at most the limit')

        const remaining = kept
        const totals = async () => {
          const read = async (filter: Partial<JobQuery>) => (await jobs.list(query({ limit: 0, ...filter }))).total
          const out: Record<string, number | undefined> = {}
          for (const status of [undefined, ...JOB_STATUSES]) {
            const statuses = status === undefined ? [] : [status]
            const key = status ?? 'any'
            out[`all ${key}`] = await read({ statuses })
            for (const name of ['f0', 'f1', 'f2']) out[`function ${name} ${key}`] = await read({ function: name, statuses })
            for (const name of ['w0', 'w1']) out[`worker ${name} ${key}`] = await read({ workerId: name, statuses })
            for (const name of ['c0', 'c1', 'default']) out[`context ${name} ${key}`] = await read({ context: name, statuses })
            for (const name of ['Http', 'Async Kafka'] as const) out[`source ${name} ${key}`] = await read({ source: name, statuses })
          }
          return out
        }
        const truth = (records: JobRecord[]) => {
          const out: Record<string, number> = {}
          for (const status of [undefined, ...JOB_STATUSES]) {
            const key = status ?? 'any'
            const of = (more: (job: JobRecord) => boolean) => records.filter((job) => (status === undefined || job.status === status) && more(job)).length
            out[`all ${key}`] = of(() => true)
            for (const name of ['f0', 'f1', 'f2']) out[`function ${name} ${key}`] = of((job) => job.function === name)
            for (const name of ['w0', 'w1']) out[`worker ${name} ${key}`] = of((job) => job.workerId === name)
            for (const name of ['c0', 'c1', 'default']) out[`context ${name} ${key}`] = of((job) => job.context === name)
            for (const name of ['Http', 'Async Kafka'] as const) out[`source ${name} ${key}`] = of((job) => job.source === name)
          }
          return out
        }
        assert.deepEqual(await totals(), truth([...expired, ...kept]), 'totals before')

        // Open jobs and unknown ids in the batch are left alone.
        const removed = await jobs.remove([...expired.map((job) => job.jobId), ...kept.map((job) => job.jobId).slice(3), 'no-such-job'])
        assert.equal(removed, expired.length)
        assert.deepEqual(await totals(), truth(remaining), 'every total of every scope after the removal')
        for (const job of expired) assert.equal(await jobs.get(job.jobId), undefined, `${job.status} job removed`)
        for (const job of kept) assert.equal((await jobs.get(job.jobId))?.status, job.status, `${job.status} job kept`)
        assert.deepEqual(await jobs.listEnded(cutoff, 100), [], 'nothing left to remove')
        assert.equal(await jobs.remove([]), 0)
        const page = await jobs.list(query({ limit: 100 }))
        assert.deepEqual(page.jobs.map((job) => job.jobId), [...remaining].sort((a, b) => b.createTime - a.createTime).map((job) => job.jobId))
      } finally {
        await own.close()
      }
    })

    it('lists unfinished jobs oldest first', async () => {
      const running = makeJob({ status: 'started', function: 'unfinished' })
      const queued = makeJob({ status: 'queued', function: 'unfinished' })
      await store.insert(running)
      await store.insert(queued)
      const unfinished = (await store.listUnfinished()).filter((j) => j.function === 'unfinished')
      assert.deepEqual(unfinished.map((j) => j.jobId), [running.jobId, queued.jobId])
    })
  })
}
