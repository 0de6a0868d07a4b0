/** The master's structured log (pino), shared by Fastify and every other part. */
import { pino, type Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger

export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'haze' } })
}
