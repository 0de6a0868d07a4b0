/** Builds job records for tests that need history without running Spark. */
import { randomUUID } from 'node:crypto'
import type { JobRecord } from '../../src/domain/job.js'

let clock = Date.UTC(2026, 0, 1)

export function makeJob(fields: Partial<JobRecord> = {}): JobRecord {
  clock += 1000
  return {
    jobId: randomUUID(),
    function: 'pi',
    context: 'default',
    path: 'typed_pi.py',
    className: 'estimate_pi',
    arguments: '{"samples":1000}',
    action: 'execute',
    source: 'Http',
    status: 'finished',
    createTime: clock,
    ...fields,
  }
}
