/**
 * Job logs on a real directory: a job's file is made only when it has a line of its own;
 * held lines go ahead of it, or are dropped when the job ends; lines are written a moment
 * late and close() writes what is left.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { routineLog } from '../src/execution/job-journal.js'
import { formatLine, JobLogs, type LogLine } from '../src/logs/job-logs.js'
import { makeJob } from './helpers/jobs.js'

const line = (message: string, level: LogLine['level'] = 'INFO'): LogLine => ({ level, time: Date.UTC(2026, 11, 2), source: 'haze', message })

describe('job logs', () => {
  let dir: string
  let logs: JobLogs
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'haze-job-logs-'))
    logs = await JobLogs.open(join(dir, 'logs'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('makes no file for a job that ends with held lines only', async () => {
    await logs.hold('quiet', [line('queued')])
    assert.equal(await logs.read('quiet'), formatLine(line('queued')))
    logs.settle('quiet')
    await logs.close()
    assert.equal(existsSync(logs.pathOf('quiet')), false)
    assert.equal(await logs.read('quiet'), '')
  })

  it("writes held lines ahead of the job's first own line, and answers the size after them", async () => {
    const heldOffset = await logs.hold('loud', [line('queued')])
    const offset = await logs.append('loud', [line('hello', 'WARN')])
    const expected = formatLine(line('queued')) + formatLine(line('hello', 'WARN'))
    assert.equal(heldOffset, Buffer.byteLength(formatLine(line('queued'))))
    assert.equal(offset, Buffer.byteLength(expected))
    assert.equal(await logs.read('loud'), expected)
    await logs.hold('loud', [line('finished')])
    logs.settle('loud')
    await logs.close()
    assert.equal(readFileSync(logs.pathOf('loud'), 'utf8'), expected + formatLine(line('finished')))
  })

  it("appends held lines to a file an earlier master made", async () => {
    await logs.append('earlier', [line('the master restarted')])
    await logs.close()
    const reopened = await JobLogs.open(join(dir, 'logs'))
    await reopened.hold('earlier', [line('started')])
    await reopened.close()
    assert.equal(readFileSync(reopened.pathOf('earlier'), 'utf8'), formatLine(line('the master restarted')) + formatLine(line('started')))
  })

  it('tells the routine log of a finished job from its record', () => {
    const job = makeJob({ status: 'finished', workerId: 'w1', createTime: 1000, startTime: 2000, endTime: 3000, context: 'c' })
    const log = routineLog(job)
    assert.match(log, /^INFO 1970-01-01T00:00:01\.000 \[haze\] job of function \S+ accepted \(externalId=/)
    assert.match(log, /\nINFO 1970-01-01T00:00:01\.000 \[haze\] queued in context c, waiting for a worker\n/)
    assert.match(log, /\nINFO 1970-01-01T00:00:02\.000 \[haze\] started on worker w1\n/)
    assert.match(log, /\nINFO 1970-01-01T00:00:03\.000 \[haze\] finished\n$/)
  })
})
