/** Small pieces every page uses. */
import type { ReactNode } from 'react'
import type { JobStatus } from '../api/client.js'

export function Problem({ text }: { text: string | undefined }) {
  if (!text) return null
  return (
    <p className="problem" role="alert">
      {text}
    </p>
  )
}

export function StatusBadge({ status }: { status: JobStatus }) {
  return <span className={`badge status-${status}`}>{status}</span>
}

export function Page({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="page">
      <header className="page-head">
        <h1>{title}</h1>
        {actions && <div className="actions">{actions}</div>}
      </header>
      {children}
    </section>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

/** Pretty JSON of a text kept exact (big integers stay as sent), with copy and download. */
export function JsonView({ text, name }: { text: string; name: string }) {
  const copy = () => void navigator.clipboard?.writeText(text)
  const href = `data:application/json;charset=utf-8,${encodeURIComponent(text)}`
  return (
    <div className="json">
      <div className="json-tools">
        <button type="button" onClick={copy}>
          Copy
        </button>
        <a className="button" href={href} download={`${name}.json`}>
          Download
        </a>
      </div>
      <pre data-testid="json">{text}</pre>
    </div>
  )
}
