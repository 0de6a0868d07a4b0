/**
 * Which PostgreSQL failures are worth another try, and how the rest reach a client: as a 503
 * saying the store is unreachable, never as a driver's stack trace.
 */
import { HazeError } from '../../domain/errors.js'

/** The statement was rolled back whole: running it again is always safe. */
const ROLLED_BACK = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
])

/** The server or the connection went away (or is not there yet). */
const CONNECTION_CODES = new Set([
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
  '57P01', '57P02', '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now (starting up)
  '53300', // too_many_connections
])
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined

export const isRolledBack = (error: unknown): boolean => ROLLED_BACK.has(codeOf(error) ?? '')

/** A lost or refused connection: the store may come back, and Haze reconnects by itself. */
export function isConnectionError(error: unknown): boolean {
  const code = codeOf(error)
  if (code !== undefined && (CONNECTION_CODES.has(code) || SOCKET_CODES.has(code))) return true
  const message = error instanceof Error ? error.message : ''
  // node-postgres reports these without a code; a database closed to connections (55000) is
  // one being restored or moved, which comes back like a restarted server.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|is not currently accepting connections/i.test(message)
}

export const isTransient = (error: unknown): boolean => isRolledBack(error) || isConnectionError(error)

/** The 503 a client gets once retries are spent. */
export function storeUnavailable(where: string, error: unknown): HazeError {
  const why = error instanceof Error ? error.message : String(error)
  return new HazeError(
    'unavailable',
    `the job store (PostgreSQL at ${where}) cannot be reached: ${why}; Haze reconnects by itself when it is back, so try again in a moment`,
    { cause: error },
  )
}
