/** Functions: a searchable list, and a function's page with its generated run form and recent jobs. */
import { useMemo, useState, type FormEvent } from 'react'
import type { ArgType } from '../../../src/domain/function.js'
import { api, ok, startJob, type FunctionInfo } from '../api/client.js'
import { ArgumentInputs } from '../components/ArgumentForm.js'
import { Empty, Page, Problem } from '../components/common.js'
import { JobTable } from '../components/JobTable.js'
import { fieldsOf, initialDrafts, requestOf, type Draft } from '../lib/form.js'
import { applyFrame, useThrottle } from '../lib/jobs.js'
import { useLive } from '../lib/live.js'
import { Link, navigate, path } from '../lib/router.js'
import { useLoad } from '../lib/use.js'
import { loadJobs } from './Jobs.js'

export function Functions() {
  const list = useLoad(() => ok(api.GET('/v2/api/functions')), [])
  const [search, setSearch] = useState('')
  const [deploying, setDeploying] = useState(false)
  const shown = (list.data ?? []).filter((fn) => `${fn.name} ${fn.path} ${fn.className} ${fn.tags.join(' ')}`.toLowerCase().includes(search.toLowerCase()))
  return (
    <Page
      title="Functions"
      actions={
        <>
          <input type="search" placeholder="Search" value={search} onChange={(event) => setSearch(event.target.value)} aria-label="Search functions" />
          <button type="button" className="primary" onClick={() => setDeploying(!deploying)}>
            Deploy a function
          </button>
        </>
      }
    >
      {deploying && <DeployForm />}
      <Problem text={list.error} />
      {list.data && shown.length === 0 && <Empty>{list.data.length === 0 ? 'No functions yet: upload an artifact, then deploy one with POST /v2/api/functions.' : 'None match.'}</Empty>}
      {shown.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Arguments</th>
              <th>Artifact</th>
              <th>Default context</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((fn) => (
              <tr key={fn.name}>
                <td>
                  <Link to={path.fn(fn.name)}>{fn.name}</Link>
                </td>
                <td className="muted">{Object.keys(fn.execute).join(', ') || '–'}</td>
                <td>
                  {fn.path} <span className="muted">{fn.className}</span>
                </td>
                <td>{fn.defaultContext}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  )
}

/** Deploys a function from an uploaded artifact; Haze loads it to read its arguments. */
function DeployForm() {
  // Without details=true the answer is the names.
  const artifacts = useLoad(() => ok(api.GET('/v2/api/artifacts')) as Promise<string[]>, [])
  const contexts = useLoad(() => ok(api.GET('/v2/api/contexts')), [])
  const [config, setConfig] = useState({ name: '', path: '', className: '', defaultContext: 'default' })
  const [problem, setProblem] = useState<string | undefined>(undefined)
  const [sending, setSending] = useState(false)
  const chosen = { ...config, path: config.path || artifacts.data?.[0] || '' }
  const set = (change: Partial<typeof config>) => setConfig({ ...config, ...change })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setProblem(undefined)
    setSending(true)
    ok(api.POST('/v2/api/functions', { body: chosen }))
      .then(() => navigate(path.fn(chosen.name)), (error: unknown) => setProblem((error as Error).message))
      .finally(() => setSending(false))
  }
  return (
    <form className="deploy" onSubmit={submit} noValidate>
      <label>
        Name <input name="name" value={config.name} onChange={(event) => set({ name: event.target.value })} />
      </label>
      <label>
        Artifact{' '}
        <select name="path" value={chosen.path} onChange={(event) => set({ path: event.target.value })}>
          {(artifacts.data ?? []).map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
      <label>
        Function <input name="className" value={config.className} placeholder="e.g. estimate_pi or pkg.module.fn" onChange={(event) => set({ className: event.target.value })} />
      </label>
      <label>
        Default context{' '}
        <select name="defaultContext" value={config.defaultContext} onChange={(event) => set({ defaultContext: event.target.value })}>
          {(contexts.data ?? [{ name: 'default' }]).map((context) => (
            <option key={context.name}>{context.name}</option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={sending}>
        {sending ? 'Loading the function…' : 'Deploy'}
      </button>
      <Problem text={problem} />
    </form>
  )
}

export function FunctionPage({ name }: { name: string }) {
  const fn = useLoad(() => ok(api.GET('/v2/api/functions/{id}', { params: { path: { id: name } } })), [name])
  const contexts = useLoad(() => ok(api.GET('/v2/api/contexts')), [])
  const recent = useLoad(() => loadJobs({ statuses: [], fn: name, limit: 10 }), [name])
  const reload = useThrottle(recent.reload, 1000)
  useLive((frame) => {
    if (frame.event === 'initialized') reload()
    else if (frame.id) recent.set((data) => data && { ...data, jobs: data.jobs.map((job) => applyFrame(job, frame)) })
  }, recent.reload)
  return (
    <Page title={<>Function {name}</>}>
      <Problem text={fn.error} />
      {fn.data && (
        <>
          <dl className="facts">
            <dt>Artifact</dt>
            <dd>
              {fn.data.path} <span className="muted">{fn.data.className}</span>
            </dd>
            <dt>Language</dt>
            <dd>{fn.data.lang}</dd>
            <dt>Tags</dt>
            <dd>{fn.data.tags.join(', ') || '–'}</dd>
          </dl>
          <RunForm key={fn.data.name} fn={fn.data} contexts={(contexts.data ?? []).map((context) => context.name)} />
        </>
      )}
      <h2>Recent jobs</h2>
      <Problem text={recent.error} />
      {recent.data && <JobTable jobs={recent.data.jobs} empty="This function has not run yet." />}
      {recent.data && recent.data.total > recent.data.jobs.length && <Link to={`/jobs?function=${encodeURIComponent(name)}`}>All {recent.data.total} jobs</Link>}
    </Page>
  )
}

function RunForm({ fn, contexts }: { fn: FunctionInfo; contexts: string[] }) {
  const execute = fn.execute as Record<string, ArgType>
  const fields = useMemo(() => fieldsOf(execute, fn.defaults), [fn])
  const [drafts, setDrafts] = useState<Record<string, Draft>>(() => initialDrafts(fields, fn.defaults))
  const [problems, setProblems] = useState<Record<string, string[]>>({})
  const [context, setContext] = useState(fn.defaultContext)
  const [performTimeout, setPerformTimeout] = useState('')
  const [startTimeout, setStartTimeout] = useState('')
  const [sending, setSending] = useState(false)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const outcome = requestOf(fields, drafts, execute)
    if (!outcome.ok) return setProblems(outcome.problems)
    setProblems({})
    const query = new URLSearchParams({ context })
    if (performTimeout.trim()) query.set('performTimeout', performTimeout.trim())
    if (startTimeout.trim()) query.set('startTimeout', startTimeout.trim())
    setSending(true)
    startJob(fn.name, query, outcome.body)
      .then((id) => navigate(path.job(id)))
      .catch((thrown: unknown) => setProblems({ '': [(thrown as Error).message] }))
      .finally(() => setSending(false))
  }

  return (
    <form className="run" onSubmit={submit} noValidate>
      <h2>Run</h2>
      <ArgumentInputs fields={fields} drafts={drafts} problems={problems} onChange={(name, draft) => setDrafts((before) => ({ ...before, [name]: draft }))} />
      <div className="run-settings">
        <label>
          Context{' '}
          <select value={context} onChange={(event) => setContext(event.target.value)}>
            {[...new Set([fn.defaultContext, ...contexts])].map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Run timeout <input value={performTimeout} placeholder="e.g. 5min" onChange={(event) => setPerformTimeout(event.target.value)} size={8} />
        </label>
        <label>
          Start timeout <input value={startTimeout} placeholder="e.g. 60s" onChange={(event) => setStartTimeout(event.target.value)} size={8} />
        </label>
      </div>
      {(problems[''] ?? []).map((problem) => (
        <p key={problem} className="problem" role="alert">
          {problem}
        </p>
      ))}
      <button type="submit" className="primary" disabled={sending}>
        {sending ? 'Starting…' : 'Run'}
      </button>
    </form>
  )
}
