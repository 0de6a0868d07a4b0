/**
 * Jobs started by a message (MQTT, Kafka), in Mist's format:
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
import { errorFrame } from './frames.js'

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
