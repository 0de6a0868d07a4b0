/** What is happening now: jobs running and queued per context, workers, the last failures; live. */
import { api, ok, type Job } from '../api/client.js'
import { Empty, Page, Problem } from '../components/common.js'
import { JobTable } from '../components/JobTable.js'
import { useThrottle } from '../lib/jobs.js'
import { useLive } from '../lib/live.js'
import { Link, path } from '../lib/router.js'
import { useLoad } from '../lib/use.js'
import { loadJobs } from './Jobs.js'

export function Overview() {
  const open = useLoad(() => loadJobs({ statuses: ['initialized', 'queued', 'job-file-downloading', 'started', 'cancelling'], limit: 500 }), [])
  const failures = useLoad(() => loadJobs({ statuses: ['failed'], limit: 5 }), [])
  const workers = useLoad(() => ok(api.GET('/v2/api/workers')), [])
  const reload = useThrottle(() => {
    open.reload()
    failures.reload()
    workers.reload()
  }, 1000)
  useLive(reload, reload)

  const byContext = new Map<string, { running: number; queued: number }>()
  for (const job of open.data?.jobs ?? []) {
    const counts = byContext.get(job.context) ?? { running: 0, queued: 0 }
    if (job.status === 'started' || job.status === 'cancelling') counts.running += 1
    else counts.queued += 1
    byContext.set(job.context, counts)
  }
  const running: Job[] = (open.data?.jobs ?? []).filter((job) => job.status === 'started')
  return (
    <Page title="Overview">
      <Problem text={open.error ?? failures.error ?? workers.error} />
      <div className="cards">
        <div className="card">
          <h2>Jobs by context</h2>
          {byContext.size === 0 ? (
            <Empty>Nothing running or queued.</Empty>
          ) : (
            <table className="list compact" data-testid="by-context">
              <thead>
                <tr>
                  <th>Context</th>
                  <th>Running</th>
                  <th>Queued</th>
                </tr>
              </thead>
              <tbody>
                {[...byContext].map(([context, counts]) => (
                  <tr key={context}>
                    <td>
                      <Link to={path.context(context)}>{context}</Link>
                    </td>
                    <td>{counts.running}</td>
                    <td>{counts.queued}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="card">
          <h2>Workers</h2>
          {(workers.data ?? []).length === 0 ? (
            <Empty>No worker is running.</Empty>
          ) : (
            <ul className="plain">
              {(workers.data ?? []).map((worker) => (
                <li key={worker.name}>
                  <Link to={path.worker(worker.name)}>{worker.name}</Link> <span className="muted">{worker.context} · {worker.state}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <h2>Running</h2>
      <JobTable jobs={running} empty="No job is running." />
      <h2>Last failures</h2>
      <JobTable jobs={failures.data?.jobs ?? []} empty="No job has failed." />
    </Page>
  )
}
