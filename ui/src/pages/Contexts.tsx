/**
 * Contexts: the list, and one context's form to create or edit it, checked as you type by the
 * server's own rules (src/domain/context.ts), so the messages are the ones the API would give.
 */
import { useEffect, useState, type FormEvent } from 'react'
import { DEFAULT_CONTEXT, resolveContext, type ContextConfig as Resolved, type ContextRequest } from '../../../src/domain/context.js'
import { parseBodyDuration } from '../../../src/domain/duration.js'
import { api, ok, type ContextConfig } from '../api/client.js'
import { Page, Problem } from '../components/common.js'
import { useLive } from '../lib/live.js'
import { Link, navigate, path } from '../lib/router.js'
import { useLoad } from '../lib/use.js'

export function Contexts() {
  const list = useLoad(() => ok(api.GET('/v2/api/contexts')), [])
  useLive((frame) => frame.event.startsWith('context-') && list.reload(), list.reload)
  return (
    <Page title="Contexts" actions={<Link to="/contexts/new" className="button primary">New context</Link>}>
      <Problem text={list.error} />
      {list.data && (
        <table className="list" data-testid="contexts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Mode</th>
              <th>Max jobs</th>
              <th>Precreated</th>
              <th>Idle workers live</th>
              <th>Spark master</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((context) => (
              <tr key={context.name} data-context={context.name}>
                <td>
                  <Link to={path.context(context.name)}>{context.name}</Link>
                </td>
                <td>{context.workerMode}</td>
                <td>{context.maxJobs}</td>
                <td>{context.precreated ? 'yes' : 'no'}</td>
                <td>{context.downtime}</td>
                <td className="mono">{context.sparkConf['spark.master'] ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  )
}

interface Draft {
  name: string
  workerMode: string
  maxJobs: string
  precreated: boolean
  downtime: string
  streamingDuration: string
  maxConnFailures: string
  spareWorkers: string
  maxWorkers: string
  runOptions: string
  /** `key=value` lines. */
  sparkConf: string
}

const draftOf = (context: ContextConfig): Draft => ({
  name: context.name,
  workerMode: context.workerMode,
  maxJobs: String(context.maxJobs),
  precreated: context.precreated,
  downtime: context.downtime,
  streamingDuration: context.streamingDuration,
  maxConnFailures: String(context.maxConnFailures),
  spareWorkers: String(context.spareWorkers ?? 0),
  maxWorkers: String(context.maxWorkers ?? 1),
  runOptions: context.runOptions,
  sparkConf: Object.entries(context.sparkConf)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n'),
})

const resolvedOf = (context: ContextConfig): Resolved => ({
  ...context,
  // Omitted from the wire when 0 and 1 (Mist's nine fields otherwise).
  spareWorkers: context.spareWorkers ?? 0,
  maxWorkers: context.maxWorkers ?? 1,
  downtime: parseBodyDuration('downtime', context.downtime),
  streamingDuration: parseBodyDuration('streamingDuration', context.streamingDuration),
})

/** The request a draft makes, and what is wrong with it (the first problem), as the server would say. */
function check(draft: Draft, defaults: ContextConfig | undefined): { request?: ContextRequest; problem?: string } {
  const whole = (field: string, text: string) => {
    if (!/^\s*-?\d+\s*$/.test(text)) throw new Error(`${field} must be a whole number; got ${JSON.stringify(text)}`)
    return Number(text)
  }
  try {
    const sparkConf: Record<string, string> = {}
    for (const line of draft.sparkConf.split('\n')) {
      if (line.trim() === '') continue
      const at = line.indexOf('=')
      if (at < 0) throw new Error(`sparkConf line ${JSON.stringify(line)} must be key=value`)
      sparkConf[line.slice(0, at).trim()] = line.slice(at + 1).trim()
    }
    const request: ContextRequest = {
      name: draft.name,
      workerMode: draft.workerMode,
      maxJobs: whole('maxJobs', draft.maxJobs),
      precreated: draft.precreated,
      downtime: draft.downtime.trim(),
      streamingDuration: draft.streamingDuration.trim(),
      maxConnFailures: whole('maxConnFailures', draft.maxConnFailures),
      spareWorkers: whole('spareWorkers', draft.spareWorkers),
      maxWorkers: whole('maxWorkers', draft.maxWorkers),
      runOptions: draft.runOptions,
      sparkConf,
    }
    if (defaults) resolveContext(request, resolvedOf(defaults))
    return { request }
  } catch (error) {
    return { problem: (error as Error).message }
  }
}

export function ContextPage({ name }: { name?: string }) {
  const creating = name === undefined
  const defaults = useLoad(() => ok(api.GET('/v2/api/contexts/{id}', { params: { path: { id: DEFAULT_CONTEXT } } })), [])
  const existing = useLoad(async () => (creating ? undefined : ok(api.GET('/v2/api/contexts/{id}', { params: { path: { id: name } } }))), [name])
  const [draft, setDraft] = useState<Draft | undefined>(undefined)
  const [serverProblem, setServerProblem] = useState<string | undefined>(undefined)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    // A new context starts from the default's settings; an edit waits for its own.
    const base = creating ? defaults.data : existing.data
    if (base && !draft) setDraft({ ...draftOf(base), name: creating ? '' : base.name })
  }, [existing.data, defaults.data, draft, creating])

  if (existing.error || defaults.error) return <Page title="Context"><Problem text={existing.error ?? defaults.error} /></Page>
  if (!draft) return <Page title="Context"><p className="muted">Loading…</p></Page>
  const { request, problem } = check(draft, defaults.data)
  const set = (change: Partial<Draft>) => {
    setSaved(false)
    setDraft({ ...draft, ...change })
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!request) return
    setServerProblem(undefined)
    const call = creating ? api.POST('/v2/api/contexts', { body: request as never }) : api.PUT('/v2/api/contexts/{id}', { params: { path: { id: name } }, body: request as never })
    ok(call).then(
      () => (creating ? navigate(path.context(request.name)) : setSaved(true)),
      (error: unknown) => setServerProblem((error as Error).message),
    )
  }
  const remove = () => {
    if (!name || !confirm(`Delete context ${name}?`)) return
    ok(api.DELETE('/v2/api/contexts/{id}', { params: { path: { id: name } } })).then(() => navigate('/contexts'), (error: unknown) => setServerProblem((error as Error).message))
  }
  const text = (field: keyof Draft, label: string, hint?: string) => (
    <label>
      {label}
      <input name={field} value={String(draft[field])} onChange={(event) => set({ [field]: event.target.value })} />
      {hint && <small className="muted">{hint}</small>}
    </label>
  )
  return (
    <Page
      title={creating ? 'New context' : <>Context {name}</>}
      actions={!creating && name !== DEFAULT_CONTEXT && <button type="button" className="danger" onClick={remove}>Delete</button>}
    >
      <form className="context-form" onSubmit={submit} noValidate>
        {creating && text('name', 'Name')}
        <label>
          Worker mode
          <select name="workerMode" value={draft.workerMode} onChange={(event) => set({ workerMode: event.target.value })}>
            <option>shared</option>
            <option>exclusive</option>
          </select>
        </label>
        {text('maxJobs', 'Max jobs at once')}
        <label className="inline">
          <input type="checkbox" name="precreated" checked={draft.precreated} onChange={(event) => set({ precreated: event.target.checked })} /> Precreated (a warm worker from start-up)
        </label>
        {text('downtime', 'Idle workers live', '"Inf" or seconds such as "3600s"')}
        {text('streamingDuration', 'Streaming batch interval', 'seconds, such as "1s"')}
        {text('maxConnFailures', 'Worker start failures before the context is broken')}
        {text('spareWorkers', 'Spare workers', 'fresh workers started ahead of jobs, so a job need not wait for one to start')}
        {text('maxWorkers', 'Max workers (shared)', 'shared workers at once, spares included')}
        {text('runOptions', 'Extra spark-submit arguments')}
        <label>
          Spark settings <small className="muted">one key=value per line</small>
          <textarea name="sparkConf" className="mono" rows={5} value={draft.sparkConf} onChange={(event) => set({ sparkConf: event.target.value })} />
        </label>
        {problem && (
          <p className="problem" role="alert" data-testid="context-problem">
            {problem}
          </p>
        )}
        <Problem text={serverProblem} />
        <button type="submit" className="primary" disabled={!request}>
          {creating ? 'Create' : 'Save'}
        </button>
        {saved && <span className="ok">Saved.</span>}
      </form>
    </Page>
  )
}
