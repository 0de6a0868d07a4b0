/**
 * The master's structured log (pino), shared by Fastify and every other part: JSON lines for
 * machines (files, journald, log shippers), or pino-pretty's coloured lines for a person at a
 * terminal, through pino's own transport (a worker thread, so formatting never blocks jobs).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger

export interface LogOutput {
  /** Human-readable lines instead of JSON (`bin/haze start` on a terminal). */
  pretty?: boolean
  /** Colours in pretty lines; off when NO_COLOR is set. */
  colour?: boolean
  /** Write JSON lines here instead of stdout (tests read the log this way). */
  destination?: DestinationStream
}

export function createLogger(level: string, output: LogOutput = {}): Logger {
  const options = { level, base: { name: 'haze' } }
  if (output.destination) return pino(options, output.destination)
  if (!output.pretty) return pino(options)
  return pino({
    ...options,
    transport: {
      target: 'pino-pretty',
      options: { colorize: output.colour === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' },
    },
  })
}

/** How `haze start` logs: pretty on a terminal, JSON otherwise; HAZE_LOG_FORMAT=json|pretty decides instead. */
export function logOutputFor(env: NodeJS.ProcessEnv, terminal: boolean): LogOutput {
  const format = env.HAZE_LOG_FORMAT
  if (format !== undefined && format !== 'json' && format !== 'pretty') {
    throw new Error(`HAZE_LOG_FORMAT must be json or pretty; got ${JSON.stringify(format)}`)
  }
  return { pretty: format === undefined ? terminal : format === 'pretty', colour: terminal && !env.NO_COLOR }
}
