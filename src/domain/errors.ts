/**
 * The one closed set of failure kinds Haze reports. `http/errors.ts` maps each to a status code;
 * nothing else in the code base decides a status.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal'

export class HazeError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HazeError'
    this.code = code
  }
}

export const badRequest = (message: string, cause?: unknown): HazeError =>
  new HazeError('bad_request', message, { cause })
export const forbidden = (message: string): HazeError => new HazeError('forbidden', message)
export const notFound = (message: string): HazeError => new HazeError('not_found', message)
export const conflict = (message: string): HazeError => new HazeError('conflict', message)

/** Turns anything thrown into an Error, so callers can rely on `.message`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  return new Error(typeof thrown === 'string' ? thrown : `non-error thrown: ${String(thrown)}`)
}
