/**
 * Where a job's time goes, from the times the store keeps: `createTime` (the master recorded
 * the job), `startTime` (the worker, just before calling the function) and `endTime` (the
 * master, on the worker's `finished`). All three are whole milliseconds on the same clock, so
 * a stage between two of them is exact on average; a stage against the client's own
 * sub-millisecond times is off by about half a millisecond on average.
 */
import type { TimedResponse } from '../lib/http-timing.js'
import type { ListedJob } from './haze.js'

export interface Stage {
  stage: string
  p50: number
  mean: number
}

/**
 * Splits the latency of sequential force=true requests into stages, pairing the i-th request
 * with the i-th of their jobs (both oldest first). Undefined when they do not pair up: a job
 * created outside its request's time.
 */
export function requestStages(responses: readonly TimedResponse[], jobs: readonly ListedJob[]): Stage[] | undefined {
  if (responses.length !== jobs.length || responses.length === 0) return undefined
  const columns: number[][] = [[], [], [], []]
  for (const [index, response] of responses.entries()) {
    const job = jobs[index]
    const answeredAt = response.sentAt + response.milliseconds
    if (job?.startTime === undefined || job.endTime === undefined) return undefined
    if (job.createTime < response.sentAt - 1 || job.createTime > answeredAt) return undefined
    columns[0]?.push(job.createTime - response.sentAt)
    columns[1]?.push(job.startTime - job.createTime)
    columns[2]?.push(job.endTime - job.startTime)
    columns[3]?.push(answeredAt - job.endTime)
  }
  return [
    'request sent → job recorded (createTime)',
    'recorded → function called on the worker (startTime)',
    'called → `finished` handled by the master (endTime)',
    'endTime → answer received by the client',
  ].map((stage, index) => ({ stage, ...p50AndMean(columns[index] ?? []) }))
}

/** Stages of jobs submitted without waiting (no client times): queue and run. */
export function jobStages(jobs: readonly ListedJob[]): Stage[] {
  const queued: number[] = []
  const running: number[] = []
  for (const job of jobs) {
    if (job.startTime === undefined || job.endTime === undefined) continue
    queued.push(job.startTime - job.createTime)
    running.push(job.endTime - job.startTime)
  }
  return [
    { stage: 'recorded → function called on the worker (queue included)', ...p50AndMean(queued) },
    { stage: 'called → `finished` handled by the master', ...p50AndMean(running) },
  ]
}

function p50AndMean(values: readonly number[]): { p50: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    p50: sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)] ?? NaN,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  }
}
