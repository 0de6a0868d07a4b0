/** Every job, newest first, live: filters by status and function, pages with the real total. */
import { JOB_SOURCES, JOB_STATUSES } from '../../../src/domain/job.js'
import { api, ok, type Job } from '../api/client.js'
import type { paths } from '../api/schema.js'
import { Page, Problem } from '../components/common.js'
import { JobTable } from '../components/JobTable.js'
import { applyFrame, useThrottle } from '../lib/jobs.js'
import { useLive } from '../lib/live.js'
import { navigate, useLocation } from '../lib/router.js'
import { useLoad } from '../lib/use.js'

const PAGE = 25

export interface JobFilter {
  statuses: string[]
  fn?: string | undefined
  worker?: string | undefined
  context?: string | undefined
  source?: string | undefined
  offset?: number
  limit?: number
}

/** The job lists' query, as the API document types it. */
type JobsQuery = NonNullable<paths['/v2/api/jobs']['get']['parameters']['query']>

export async function loadJobs(filter: JobFilter) {
  // Statuses and sources come from the page's URL: the server refuses an unknown one with its 400.
  const query: JobsQuery = {
    paginate: 'true',
    limit: filter.limit ?? PAGE,
    offset: filter.offset ?? 0,
    status: filter.statuses as JobsQuery['status'],
    ...(filter.context ? { context: filter.context } : {}),
    ...(filter.source ? { source: filter.source as JobsQuery['source'] } : {}),
  }
  if (filter.fn) return ok(api.GET('/v2/api/functions/{id}/jobs', { params: { path: { id: filter.fn }, query } })) as Promise<{ jobs: Job[]; total: number }>
  if (filter.worker) return ok(api.GET('/v2/api/workers/{id}/jobs', { params: { path: { id: filter.worker }, query } })) as Promise<{ jobs: Job[]; total: number }>
  return ok(api.GET('/v2/api/jobs', { params: { query } })) as Promise<{ jobs: Job[]; total: number }>
}

export function Jobs() {
  const { query } = useLocation()
  const statuses = query.getAll('status')
  const fn = query.get('function') ?? ''
  const context = query.get('context') ?? ''
  const source = query.get('source') ?? ''
  const offset = Number(query.get('offset') ?? 0) || 0
  const contexts = useLoad(() => ok(api.GET('/v2/api/contexts')), [])
  const page = useLoad(() => loadJobs({ statuses, fn, context, source, offset }), [statuses.join(','), fn, context, source, offset])
  const reload = useThrottle(page.reload, 1000)
  useLive((frame) => {
    if (!frame.id) return
    // A new job may belong on this page; a shown job changes in place at once.
    if (frame.event === 'initialized') reload()
    else page.set((data) => data && { ...data, jobs: data.jobs.map((job) => applyFrame(job, frame)) })
    if (statuses.length > 0) reload()
  }, page.reload)

  const setQuery = (change: Record<string, string | string[] | undefined>) => {
    const next = new URLSearchParams(query)
    for (const [key, value] of Object.entries(change)) {
      next.delete(key)
      for (const item of value === undefined ? [] : Array.isArray(value) ? value : [value]) if (item !== '') next.append(key, item)
    }
    if (!('offset' in change)) next.delete('offset')
    navigate(`/jobs${next.size > 0 ? `?${next}` : ''}`, true)
  }
  const toggle = (status: string) => setQuery({ status: statuses.includes(status) ? statuses.filter((s) => s !== status) : [...statuses, status] })
  const total = page.data?.total ?? 0

  return (
    <Page title="Jobs">
      <div className="filters">
        <div className="chips" role="group" aria-label="Status">
          {JOB_STATUSES.map((status) => (
            <button key={status} type="button" className={`chip ${statuses.includes(status) ? 'on' : ''}`} aria-pressed={statuses.includes(status)} onClick={() => toggle(status)}>
              {status}
            </button>
          ))}
        </div>
        <label>
          Function <input name="function" value={fn} placeholder="any" onChange={(event) => setQuery({ function: event.target.value })} />
        </label>
        <label>
          Context{' '}
          <select name="context" value={context} onChange={(event) => setQuery({ context: event.target.value })}>
            <option value="">any</option>
            {(contexts.data ?? []).map((item) => (
              <option key={item.name}>{item.name}</option>
            ))}
          </select>
        </label>
        <label>
          Source{' '}
          <select name="source" value={source} onChange={(event) => setQuery({ source: event.target.value })}>
            <option value="">any</option>
            {JOB_SOURCES.map((item) => (
              <option key={item}>{item}</option>
            ))}
          </select>
        </label>
      </div>
      <Problem text={page.error} />
      {page.data && <JobTable jobs={page.data.jobs} empty="No jobs match." />}
      <div className="pager">
        <span data-testid="job-total">
          {total === 0 ? 'none' : `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total.toLocaleString()}`}
        </span>
        <button type="button" disabled={offset === 0} onClick={() => setQuery({ offset: String(Math.max(0, offset - PAGE)) })}>
          Newer
        </button>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setQuery({ offset: String(offset + PAGE) })}>
          Older
        </button>
      </div>
    </Page>
  )
}
