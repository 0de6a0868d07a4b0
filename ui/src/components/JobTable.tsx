/** A table of jobs, kept live: a job's status changes as its events arrive. */
import type { Job } from '../api/client.js'
import { took, when } from '../lib/format.js'
import { Link, path } from '../lib/router.js'
import { Empty, StatusBadge } from './common.js'

export function JobTable({ jobs, empty = 'No jobs.' }: { jobs: readonly Job[]; empty?: string }) {
  if (jobs.length === 0) return <Empty>{empty}</Empty>
  return (
    <table className="list" data-testid="job-table">
      <thead>
        <tr>
          <th>Job</th>
          <th>Function</th>
          <th>Context</th>
          <th>Source</th>
          <th>Status</th>
          <th>Created</th>
          <th>Took</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.jobId} data-job={job.jobId}>
            <td className="mono">
              <Link to={path.job(job.jobId)}>{job.jobId.slice(0, 8)}</Link>
              {job.externalId && <span className="muted"> {job.externalId}</span>}
            </td>
            <td>
              <Link to={path.fn(job.function)}>{job.function}</Link>
            </td>
            <td>
              <Link to={path.context(job.context)}>{job.context}</Link>
            </td>
            <td>{job.source}</td>
            <td>
              <StatusBadge status={job.status} />
            </td>
            <td>{when(job.createTime)}</td>
            <td>{took(job.startTime, job.endTime)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
