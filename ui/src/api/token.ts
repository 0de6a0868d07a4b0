/**
 * The API token, when the server asks for one: kept in sessionStorage (for this tab's session,
 * gone when it closes), sent as `Authorization: Bearer` on every request and as `?token=` on
 * WebSockets, which browsers cannot give headers. A 401 from the server marks the token as
 * needed, and the app then asks for one.
 */
const KEY = 'haze.token'

interface TokenState {
  token: string | undefined
  /** Set by a 401: the server's words (no token yet, or the one given is wrong). */
  needed: string | undefined
}

let state: TokenState = { token: read(), needed: undefined }
const listeners = new Set<() => void>()

function read(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined
  } catch {
    return undefined
  }
}

function update(next: TokenState): void {
  state = next
  listeners.forEach((listener) => listener())
}

export const tokenState = (): TokenState => state

export function onTokenChange(listener: () => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token)
  update({ token, needed: undefined })
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY)
  update({ token: undefined, needed: undefined })
}

/** Called with the detail of every 401 answer. */
export function tokenRefused(detail: string): void {
  if (state.needed !== detail) update({ ...state, needed: detail })
}

/** Headers that carry the token, if there is one. */
export function authHeaders(): Record<string, string> {
  return state.token === undefined ? {} : { authorization: `Bearer ${state.token}` }
}

/** `path` with the token as a query parameter, for a WebSocket URL. */
export function withToken(path: string): string {
  if (state.token === undefined) return path
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(state.token)}`
}

/** fetch with the token; a 401 asks for one. */
export async function authFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...authHeaders() } })
  if (response.status === 401) tokenRefused(await detailOf(response.clone()))
  return response
}

async function detailOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown }
    if (typeof body.detail === 'string') return body.detail
  } catch {
    // not problem details
  }
  return 'this server requires an API token'
}

/** Saves what `path` answers as a file named `name` (a link cannot send the token). */
export async function download(path: string, name: string): Promise<void> {
  const response = await authFetch(path)
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`)
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
