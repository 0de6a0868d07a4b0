/**
 * Exit codes scripts can rely on, and the one error type the commands throw. Every failure
 * ends as one line on stderr and one of these codes; nothing else decides an exit code.
 */

export const EXIT = {
  ok: 0,
  /** The job failed or was cancelled. */
  jobFailed: 1,
  /** Bad usage: unknown command or option, a malformed value, a file that cannot be read. */
  usage: 2,
  /** The server refused the request (4xx/5xx); the message carries its `detail`. */
  refused: 3,
  /** The server cannot be reached at all. */
  unreachable: 4,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export const usageError = (message: string): CliError => new CliError(EXIT.usage, message)

/** The server answered, and said no: its status code and its own words. */
export class RefusedError extends CliError {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(EXIT.refused, `${detail} (HTTP ${status})`)
  }
}
