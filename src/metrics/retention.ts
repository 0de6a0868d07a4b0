/** What job retention removed (src/execution/retention.ts), counted per sweep. */
import { Counter } from 'prom-client'
import type { SweepResult } from '../execution/retention.js'
import type { Registry } from './registry.js'

/** Returns the sweep's `onRemoved`. */
export function retentionMetrics(registry: Registry): (removed: SweepResult) => void {
  const jobs = new Counter({
    name: 'haze_retention_removed_jobs_total',
    help: 'Terminal jobs removed by job retention (jobRetention), with their log and result files',
    registers: [registry],
  })
  const workerFiles = new Counter({
    name: 'haze_retention_removed_worker_files_total',
    help: 'Output files of workers gone longer than jobRetention, removed by job retention',
    registers: [registry],
  })
  return (removed) => {
    jobs.inc(removed.jobs)
    workerFiles.inc(removed.workerFiles)
  }
}
