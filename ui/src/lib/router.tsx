/**
 * Pages by path, with the browser's history: /ui/jobs/<id> is a real URL that reloads to the
 * same page. Small on purpose: the UI has a dozen routes and no nested layouts.
 */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react'

export const BASE = '/ui'

const listeners = new Set<() => void>()
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()))

/** Goes to a page of the UI (`/jobs/abc`, with or without the /ui prefix). */
export function navigate(to: string, replace = false): void {
  const url = to.startsWith(BASE) ? to : `${BASE}${to}`
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  listeners.forEach((listener) => listener())
  if (!replace) window.scrollTo(0, 0)
}

/** The current path inside the UI (`/jobs/abc`) and its query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0)
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1)
    listeners.add(listener)
    return () => void listeners.delete(listener)
  }, [])
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || '/' : location.pathname
  return { path: path.length > 1 ? path.replace(/\/$/, '') : path, query: new URLSearchParams(location.search) }
}

/** Matches `/jobs/:id` against a path; the answer holds the decoded parameters. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/')
  const got = path.split('/')
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (const [index, part] of want.entries()) {
    const actual = got[index] ?? ''
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(actual)
    else if (part !== actual) return undefined
  }
  return params
}

/** A link inside the UI: a real href (open in a new tab works), history navigation on click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const href = `${BASE}${to}`
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(to)
  }
  return <a href={href} onClick={onClick} {...rest} />
}

export const path = {
  job: (id: string) => `/jobs/${encodeURIComponent(id)}`,
  fn: (name: string) => `/functions/${encodeURIComponent(name)}`,
  worker: (id: string) => `/workers/${encodeURIComponent(id)}`,
  context: (name: string) => `/contexts/${encodeURIComponent(name)}`,
}
