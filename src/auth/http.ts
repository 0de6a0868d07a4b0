/**
 * Access control on the HTTP API and its WebSocket upgrades: every request is admitted by the
 * gate before its body is read, and the admission (the rule, the caller) rides on the request
 * for the audit trail and for `startedBy`.
 */
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Admission, Gate } from './gate.js'
import { bearerToken } from './tokens.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every request that passed the gate. */
    admission?: Admission
  }
}

export function guardApi(app: FastifyInstance, gate: Gate): void {
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]
    request.admission = gate.admit(request.method, request.routeOptions.url, bearerToken(request.headers.authorization), path)
  })
}

/**
 * Admits a WebSocket upgrade to the event streams, or throws the refusal. Browsers cannot set
 * headers on a WebSocket, so the token may also come as `?token=`.
 */
export function admitUpgrade(gate: Gate, request: IncomingMessage, url: URL): Admission {
  const presented = bearerToken(request.headers.authorization) ?? url.searchParams.get('token') ?? undefined
  return gate.admit('GET', undefined, presented, url.pathname)
}
