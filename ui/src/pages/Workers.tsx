/** Workers: the live Spark driver processes, their context's settings and jobs; Stop. */
import { useState } from 'react'
import { api, ok } from '../api/client.js'
import { Empty, Page, Problem } from '../components/common.js'
import { JobTable } from '../components/JobTable.js'
import { when } from '../lib/format.js'
import { applyFrame, useThrottle } from '../lib/jobs.js'
import { useLive } from '../lib/live.js'
import { Link, navigate, path } from '../lib/router.js'
import { useLoad } from '../lib/use.js'
import { loadJobs } from './Jobs.js'

export function Workers() {
  const workers = useLoad(() => ok(api.GET('/v2/api/workers')), [])
  const reload = useThrottle(workers.reload, 500)
  useLive((frame) => frame.event.startsWith('worker-') && reload(), workers.reload)
  const [problem, setProblem] = useState<string | undefined>(undefined)
  const stop = (id: string) => ok(api.DELETE('/v2/api/workers/{id}', { params: { path: { id } }, parseAs: 'text' })).then(workers.reload, (error: unknown) => setProblem((error as Error).message))
  return (
    <Page title="Workers">
      <Problem text={workers.error ?? problem} />
      {workers.data && workers.data.length === 0 && <Empty>No worker is running. Workers start with the first job of a context, or at start-up for precreated contexts and contexts with spare workers.</Empty>}
      {workers.data && workers.data.length > 0 && (
        <table className="list" data-testid="workers">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Context</th>
              <th>State</th>
              <th>Started</th>
              <th>Spark UI</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {workers.data.map((worker) => (
              <tr key={worker.name} data-worker={worker.name}>
                <td className="mono">
                  <Link to={path.worker(worker.name)}>{worker.name}</Link>
                </td>
                <td>
                  <Link to={path.context(worker.context)}>{worker.context}</Link>
                </td>
                <td title={worker.state === 'spare' ? 'started ahead of demand; has never run a job' : undefined}>{worker.state}</td>
                <td>{when(worker.startTime)}</td>
                <td>{worker.sparkUi ? <a href={worker.sparkUi}>Spark UI</a> : '–'}</td>
                <td>
                  <button type="button" className="danger" onClick={() => void stop(worker.name)}>
                    Stop
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  )
}

export function WorkerPage({ id }: { id: string }) {
  const worker = useLoad(() => ok(api.GET('/v2/api/workers/{id}', { params: { path: { id } } })), [id])
  const jobs = useLoad(() => loadJobs({ statuses: [], worker: id, limit: 25 }), [id])
  const [problem, setProblem] = useState<string | undefined>(undefined)
  const reload = useThrottle(() => {
    worker.reload()
    jobs.reload()
  }, 1000)
  useLive((frame) => {
    if (frame.event.startsWith('worker-')) reload()
    else if (frame.id) jobs.set((data) => data && { ...data, jobs: data.jobs.map((job) => applyFrame(job, frame)) })
    if (frame.event === 'worker-assigned' && frame.workerId === id) reload()
  }, reload)
  const stop = () => ok(api.DELETE('/v2/api/workers/{id}', { params: { path: { id } }, parseAs: 'text' })).then(() => navigate('/workers'), (error: unknown) => setProblem((error as Error).message))
  const data = worker.data
  return (
    <Page
      title={<>Worker <span className="mono">{id}</span></>}
      actions={data && <button type="button" className="danger" onClick={() => void stop()}>Stop</button>}
    >
      <Problem text={worker.error ?? problem} />
      {data && (
        <dl className="facts">
          <dt>Context</dt>
          <dd>
            <Link to={path.context(data.context)}>{data.context}</Link>
          </dd>
          <dt>State</dt>
          <dd>{data.state}</dd>
          <dt>Address</dt>
          <dd className="mono">{data.address}</dd>
          <dt>Process</dt>
          <dd>{data.pid ?? '–'}</dd>
          <dt>Started</dt>
          <dd>{when(data.startTime)}</dd>
          <dt>Spark UI</dt>
          <dd>{data.sparkUi ? <a href={data.sparkUi}>{data.sparkUi}</a> : '–'}</dd>
        </dl>
      )}
      {data && (
        <>
          <h2>Settings</h2>
          <pre className="json-inline">{JSON.stringify(data.initInfo, null, 2)}</pre>
        </>
      )}
      <h2>Jobs</h2>
      <JobTable jobs={jobs.data?.jobs ?? []} empty="No job ran on this worker." />
    </Page>
  )
}
