/**
 * WebSocket upgrades on the API's HTTP server, routed by path in one place: the worker link
 * and the event streams. An upgrade nothing serves is answered, never left hanging: 404 for
 * an unknown path, and whatever status a route refuses with, as problem details.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { coerceError, HazeError } from '../domain/errors.js'
import type { Logger } from '../logger.js'
import { redactUrl } from '../auth/tokens.js'
import { problem, statusOf, WWW_AUTHENTICATE } from './errors.js'

export interface UpgradeRoute {
  /**
   * True for a route that admits by a credential of its own (the worker link's one-time
   * token); every other upgrade needs what `admit` asks (an API token when there are tokens).
   */
  ownCredentials?: boolean
  /** Path parameters if the route serves this path, else undefined. */
  match(pathname: string): Record<string, string> | undefined
  /** Takes the socket over, or throws a HazeError to refuse the upgrade with its status. */
  handle(request: IncomingMessage, socket: Duplex, head: Buffer, params: Record<string, string>, url: URL): Promise<void> | void
}

export function routeUpgrades(
  server: Server,
  routes: readonly UpgradeRoute[],
  log: Logger,
  admit: (request: IncomingMessage, url: URL) => void,
): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(request.url ?? '/', 'http://upgrade.invalid')
    for (const route of routes) {
      const params = route.match(url.pathname)
      if (!params) continue
      Promise.resolve()
        .then(() => {
          if (!route.ownCredentials) admit(request, url)
          return route.handle(request, socket, head, params, url)
        })
        .catch((error: unknown) => {
          const thrown = coerceError(error)
          const status = thrown instanceof HazeError ? statusOf(thrown.code) : 500
          if (status >= 500) log.error({ err: thrown, url: redactUrl(request.url ?? '') }, 'a WebSocket upgrade failed')
          refuseUpgrade(socket, status, status >= 500 ? 'internal error; the Haze log has the details' : thrown.message)
        })
      return
    }
    refuseUpgrade(socket, 404, `no WebSocket at ${url.pathname}; the event streams are /v2/api/ws/all and /v2/api/ws/jobs/{id}`)
  })
}

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, detail: string): void {
  if (socket.destroyed) return
  const answer = problem(status, detail)
  const body = JSON.stringify(answer)
  socket.end(
    `HTTP/1.1 ${status} ${answer.title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      (status === 401 ? `WWW-Authenticate: ${WWW_AUTHENTICATE}\r\n` : '') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  )
}
