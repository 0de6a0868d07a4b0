/**
 * What the message interfaces (MQTT, Kafka) share. Jobs are started by a message in Mist's format:
 *   {"functionId": "pi", "parameters": {"samples": 10}, "externalId": "x", "runSettings": {"contextId": "ctx"}}
 * Only `functionId` is required; `parameters` defaults to {}. Mist dropped a bad message
 * silently; Haze answers each with an `error` event on the publish topic, with the reason and
 * the message's `externalId` when it has one.
 */
import { isLosslessNumber, parse, stringify } from 'lossless-json'
import { badRequest, coerceError, HazeError } from '../domain/errors.js'
import type { JobSource } from '../domain/job.js'
import type { SubmitRequest } from '../execution/executor.js'
import type { JobRun } from '../execution/job-run.js'
import type { Logger } from '../logger.js'
import type { EventBus } from './bus.js'
import { errorFrame, jobEventFrame, logsFrame } from './frames.js'

/** A message interface, as the server drives it. */
export interface AsyncInterface {
  /** Connects in the background: Haze serves even while the broker is away. */
  start(): void
  /** Starts no more jobs from messages (shutdown has begun); events still go out. */
  stopIntake(): void
  /** Stops: gives waiting events `grace` ms to reach the broker, then disconnects. */
  close(grace: number): Promise<void>
}

/** Reconnection backoff of both interfaces: 0.5 s, doubling, at most 30 s. */
export const FIRST_RETRY_MS = 500
export const LAST_RETRY_MS = 30_000
/** Events that may wait for an absent broker; past it new ones are dropped, and counted. */
export const MAX_WAITING = 100_000

/** Waits for `promise`, or `ms` at most (a shutdown's grace for events still on their way). */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

/** Every event of every job, as Mist's frames (the same as on WebSocket); the answer stops it. */
export function followJobs(bus: EventBus, publish: (frame: string) => void): () => void {
  const off = [bus.on('job:event', (event) => publish(jobEventFrame(event))), bus.on('job:logs', (event) => publish(logsFrame(event)))]
  return () => off.forEach((stop) => stop())
}

/**
 * Starts a message's job, or publishes why it cannot start; true once the message is dealt
 * with (so it may be acknowledged), false when it must be delivered again later.
 */
export async function takeMessage(
  executor: JobSubmitter,
  message: string,
  source: JobSource,
  publish: (frame: string) => void,
  log: Logger,
): Promise<boolean> {
  const outcome = await startAsyncJob(executor, message, source)
  if (outcome.accepted) return true
  if (outcome.retry) return false
  log.info({ error: outcome.errorFrame }, 'a message did not start a job')
  publish(outcome.errorFrame)
  return true
}

/** What an async adapter needs of the executor. */
export interface JobSubmitter {
  submit(request: SubmitRequest): Promise<JobRun>
}

export type AsyncOutcome =
  | { accepted: true; jobId: string }
  /** `retry`: Haze cannot take jobs now (shutting down); the message should be delivered again later. */
  | { accepted: false; retry: boolean; errorFrame: string }

/** Reads a message and starts its job. Never throws. */
export async function startAsyncJob(executor: JobSubmitter, message: string, source: JobSource): Promise<AsyncOutcome> {
  const read = readAsyncRequest(message)
  try {
    if ('problem' in read) throw badRequest(read.problem)
    const run = await executor.submit({ ...read.request, source })
    return { accepted: true, jobId: run.record.jobId }
  } catch (error) {
    const thrown = coerceError(error)
    const retry = thrown instanceof HazeError && thrown.code === 'unavailable'
    const known = thrown instanceof HazeError && thrown.code !== 'internal'
    const reason = known ? thrown.message : 'internal error; the Haze log has the details'
    return { accepted: false, retry, errorFrame: errorFrame(`the message did not start a job: ${reason}`, read.externalId) }
  }
}

type Parsed = { [key: string]: unknown }
type AsyncRequest = Pick<SubmitRequest, 'functionName' | 'argumentsText' | 'externalId' | 'context'>

/** Mist's run request, or what is wrong with it; the externalId is read whenever it can be. */
export function readAsyncRequest(message: string): { request: AsyncRequest; externalId?: string | undefined } | { problem: string; externalId?: string | undefined } {
  let value: unknown
  try {
    // Lossless: the parameters are forwarded as text, so a big integer stays exact.
    value = parse(message)
  } catch (error) {
    return { problem: `it is not JSON (${coerceError(error).message})` }
  }
  if (!isObject(value)) return { problem: 'it must be a JSON object such as {"functionId": "pi", "parameters": {}}' }
  const externalId = typeof value.externalId === 'string' ? value.externalId : undefined
  const refuse = (problem: string) => ({ problem, externalId })
  if (value.externalId !== undefined && value.externalId !== null && externalId === undefined) return refuse('externalId must be a string')
  if ('fakeName' in value) return refuse('it is a Mist dev-run request (fakeName); Haze runs deployed functions only: send functionId')
  const functionName = value.functionId
  if (typeof functionName !== 'string' || functionName === '') return refuse('functionId is required: the name of a deployed function')
  const parameters = value.parameters ?? {}
  if (!isObject(parameters)) return refuse('parameters must be a JSON object of argument name → value')
  const runSettings = value.runSettings ?? {}
  if (!isObject(runSettings)) return refuse('runSettings must be a JSON object such as {"contextId": "name"}')
  const context = runSettings.contextId
  if (context !== undefined && context !== null && typeof context !== 'string') return refuse('runSettings.contextId must be a string')
  return {
    request: { functionName, argumentsText: stringify(parameters) ?? '{}', externalId, context: context ?? undefined },
    externalId,
  }
}

function isObject(value: unknown): value is Parsed {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value)
}
