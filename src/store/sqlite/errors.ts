/**
 * Which SQLite failures are passing states of the file's surroundings — a full disk, a lock
 * another process holds past busy_timeout, an I/O error — and how they reach a client: a 503
 * saying what is wrong and that Haze goes on by itself once it is fixed, never the driver's
 * stack trace. SQLite rolls such a statement back whole, so nothing half-written is left.
 */
import { coerceError, HazeError } from '../../domain/errors.js'

/** Milliseconds a write waits for another connection's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000

const codeOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : ''

/** What went wrong, in words, for a failure the file may recover from; undefined for any other. */
function passingFault(error: unknown): string | undefined {
  const code = codeOf(error)
  if (code === 'SQLITE_FULL') return 'the disk is full'
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `another process has held a lock on it for more than ${BUSY_TIMEOUT_MS / 1000} seconds`
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    return `it cannot be read or written (${code}: ${error instanceof Error ? error.message : ''})`
  }
  return undefined
}

/** The error a client sees for `error`: a 503 for a passing fault, `error` itself otherwise. */
export function storeFault(file: string, error: unknown): Error {
  const what = passingFault(error)
  if (what === undefined) return coerceError(error)
  return new HazeError(
    'unavailable',
    `the job store (SQLite at ${file}) cannot be used: ${what}; Haze goes on by itself once that is fixed, so try again in a moment`,
    { cause: error },
  )
}

/**
 * `store` with every method's failure passed through `storeFault`. The stores' methods are
 * synchronous SQLite calls behind promises; a throw before the promise is made is caught too.
 */
export function withStoreFaults<T extends object>(store: T, file: string): T {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        try {
          const result: unknown = value.apply(target, args)
          return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(storeFault(file, error))) : result
        } catch (error) {
          throw storeFault(file, error)
        }
      }
    },
  })
}
