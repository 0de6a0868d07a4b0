/** The frame of every page: the header with the server's status and banners, the menu, the page. */
import { useEffect, useState, useSyncExternalStore, type FormEvent } from 'react'
import { api, ApiError, ok, type Status } from './api/client.js'
import { forgetToken, onTokenChange, setToken, tokenState } from './api/token.js'
import { useStreamState } from './lib/live.js'
import { Link, match, useLocation } from './lib/router.js'
import { Artifacts } from './pages/Artifacts.js'
import { ContextPage, Contexts } from './pages/Contexts.js'
import { FunctionPage, Functions } from './pages/Functions.js'
import { JobPage } from './pages/JobPage.js'
import { Jobs } from './pages/Jobs.js'
import { Overview } from './pages/Overview.js'
import { WorkerPage, Workers } from './pages/Workers.js'

const MENU = [
  ['/', 'Overview'],
  ['/functions', 'Functions'],
  ['/jobs', 'Jobs'],
  ['/workers', 'Workers'],
  ['/contexts', 'Contexts'],
  ['/artifacts', 'Artifacts'],
] as const

export function App() {
  const { path } = useLocation()
  const token = useToken()
  return (
    <div className="app">
      <Header path={path} />
      {/* A new token remounts the page, so it reads again what it was refused. */}
      <main key={token.token ?? ''}>{route(path)}</main>
      {token.needed !== undefined && <TokenPrompt reason={token.needed} retry={token.token !== undefined} />}
    </div>
  )
}

const useToken = () => useSyncExternalStore(onTokenChange, tokenState)

/** Asks for the API token when the server answered 401; it is kept for this tab's session. */
function TokenPrompt({ reason, retry }: { reason: string; retry: boolean }) {
  const [value, setValue] = useState('')
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (value.trim() !== '') setToken(value.trim())
  }
  return (
    <div className="overlay">
      <form className="dialog" onSubmit={submit} aria-labelledby="token-title">
        <h2 id="token-title">{retry ? 'This token was refused' : 'This Haze needs an API token'}</h2>
        <p className="muted">{reason}</p>
        <label>
          API token
          <input type="password" name="token" autoFocus autoComplete="off" value={value} onChange={(event) => setValue(event.target.value)} />
        </label>
        <p className="muted">Kept in this browser tab until it closes. Ask whoever runs this Haze for one.</p>
        <button type="submit" className="primary" disabled={value.trim() === ''}>
          Use this token
        </button>
      </form>
    </div>
  )
}

function route(path: string) {
  let params: Record<string, string> | undefined
  if (path === '/') return <Overview />
  if (path === '/functions') return <Functions />
  if ((params = match('/functions/:name', path))) return <FunctionPage key={params.name} name={params.name ?? ''} />
  if (path === '/jobs') return <Jobs />
  if ((params = match('/jobs/:id', path))) return <JobPage key={params.id} id={params.id ?? ''} />
  if (path === '/workers') return <Workers />
  if ((params = match('/workers/:id', path))) return <WorkerPage key={params.id} id={params.id ?? ''} />
  if (path === '/contexts') return <Contexts />
  if (path === '/contexts/new') return <ContextPage key="new" />
  if ((params = match('/contexts/:name', path))) return <ContextPage key={params.name} name={params.name ?? ''} />
  if (path === '/artifacts') return <Artifacts />
  return (
    <section className="page">
      <h1>Not found</h1>
      <p>
        Nothing at {path}. <Link to="/">Overview</Link>
      </p>
    </section>
  )
}

const STATUS_EVERY_MS = 10_000

function Header({ path }: { path: string }) {
  const stream = useStreamState()
  const token = useToken()
  const [status, setStatus] = useState<Status | undefined>(undefined)
  const [unreachable, setUnreachable] = useState<string | undefined>(undefined)
  useEffect(() => {
    let stopped = false
    const poll = () =>
      ok(api.GET('/v2/api/status')).then(
        (answer) => !stopped && (setStatus(answer), setUnreachable(undefined)),
        // Only a server that does not answer is unreachable; a 401 brings up the token prompt.
        (error: unknown) => !stopped && (error instanceof ApiError && error.status !== 0 ? setUnreachable(undefined) : setUnreachable((error as Error).message)),
      )
    void poll()
    const timer = setInterval(() => void poll(), STATUS_EVERY_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [token.token])
  const section = '/' + (path.split('/')[1] ?? '')
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          Haze
        </Link>
        <nav>
          {MENU.map(([to, label]) => (
            <Link key={to} to={to} className={section === to ? 'active' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <div className="server" title={status ? `Spark ${status.sparkVersion}, Python ${status.pythonVersion}, Java ${status.javaVersion.runtimeVersion}` : ''}>
          {status && (
            <>
              Haze {status.hazeVersion} · Spark {status.sparkVersion} · up since {status.started.replace('T', ' ').slice(0, 19)}
            </>
          )}
          <span className={`live live-${stream}`} data-testid="live-state">
            {stream === 'live' ? 'live' : stream === 'connecting' ? 'connecting…' : 'offline'}
          </span>
          {token.token !== undefined && (
            <button type="button" className="small" onClick={forgetToken} title="Forget the API token of this tab">
              Forget token
            </button>
          )}
        </div>
      </header>
      {unreachable && (
        <div className="banner" role="alert">
          The server cannot be reached: {unreachable}. Retrying every {STATUS_EVERY_MS / 1000} s.
        </div>
      )}
      {!unreachable && stream === 'down' && (
        <div className="banner" role="alert">
          The live event stream dropped; reconnecting. Lists may be out of date until it is back.
        </div>
      )}
    </>
  )
}
