/** Jobs in pages: reading a page of the history, and applying live events to what is shown. */
import { useRef } from 'react'
import type { Job, JobStatus } from '../api/client.js'
import { isJobStatus, isTerminal } from '../../../src/domain/job.js'
import type { Frame } from './live.js'

/** The status a lifecycle event moves a job to: a status is named after the event that enters it. */
export const statusOfEvent = (event: string): JobStatus | undefined => (isJobStatus(event) ? event : undefined)

/** The job after a frame about it, as far as the frame tells. */
export function applyFrame(job: Job, frame: Frame): Job {
  if (frame.id !== job.jobId) return job
  if (frame.event === 'worker-assigned' && typeof frame.workerId === 'string') return { ...job, workerId: frame.workerId }
  const status = statusOfEvent(frame.event)
  if (!status) return job
  const next: Job = { ...job, status }
  if (status === 'started' && frame.time !== undefined) next.startTime = frame.time
  if (isTerminal(status) && frame.time !== undefined) next.endTime = frame.time
  return next
}

/** Runs `action` at most once per `ms`, the last call winning: list reloads under a flood of events. */
export function useThrottle(action: () => void, ms: number): () => void {
  const state = useRef<{ timer?: ReturnType<typeof setTimeout>; last: number; action: () => void }>({ last: 0, action })
  state.current.action = action
  return () => {
    const current = state.current
    if (current.timer) return
    const wait = Math.max(0, current.last + ms - Date.now())
    current.timer = setTimeout(() => {
      current.timer = undefined
      current.last = Date.now()
      current.action()
    }, wait)
  }
}
