/**
 * The worker link's messages, as TypeScript types, checked at run time against the one schema
 * file both sides are tested with (protocol/worker-link.schema.json).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { HAZE_HOME } from '../config.js'
import type { FunctionLang } from '../domain/function.js'
import type { LogLevel } from '../logs/job-logs.js'

export const LINK_PATH = '/internal/workers/link'

/** The Spark objects a function may ask for; the schema's `run.contextKind` must list exactly these (checked below). */
export const CONTEXT_KINDS = ['spark_session', 'spark_context', 'sql_context', 'hive_session', 'hive_context', 'streaming_context'] as const

export type ContextKind = (typeof CONTEXT_KINDS)[number]

export const isContextKind = (text: string): text is ContextKind => (CONTEXT_KINDS as readonly string[]).includes(text)

/** The languages a worker is written in; the schema's `hello.lang` must list exactly these (checked below). */
export const WORKER_LANGS = ['python', 'jvm'] as const

export type WorkerLang = (typeof WORKER_LANGS)[number]

/** The kind of worker that runs a function of `lang`: a context serving both has one of each. */
export const workerLangFor = (lang: FunctionLang): WorkerLang => (lang === 'python' ? 'python' : 'jvm')

/** A result over `resultLimit`, stored on the master through `run.resultUrl` (src/results/). */
export interface ResultFile {
  size: number
  format: ResultFormat
}

/** json: one JSON document; jsonl: a DataFrame's rows, one object per line. */
export type ResultFormat = 'json' | 'jsonl'

export type WorkerMessage =
  | { type: 'hello'; workerId: string; token: string; pid: number; lang: WorkerLang; protocolVersion: number; versions: Record<string, string> & { worker: string } }
  | { type: 'ready'; sparkVersion: string; applicationId: string; sparkUi?: string }
  | { type: 'job-file-downloading'; jobId: string; time: number }
  | { type: 'started'; jobId: string; time: number }
  | { type: 'log'; jobId: string; lines: { level: LogLevel; time: number; source: string; message: string }[] }
  | ({ type: 'finished'; jobId: string; time: number } & ({ resultJson: string } | { resultFile: ResultFile }))
  | { type: 'failed'; jobId: string; time: number; message: string; traceback?: string; cancelled: boolean }
  | { type: 'heartbeat'; time: number; runningJobs?: string[] }
  | { type: 'jvm-frozen'; time: number; silentMs: number }

export type MasterMessage =
  | {
      type: 'run'
      jobId: string
      artifact: { name: string; sha1: string; url: string }
      className: string
      argumentsJson: string
      contextKind: ContextKind
      streamingDuration: number
      resultLimit: number
      resultUrl: string
      lang: FunctionLang
    }
  | { type: 'cancel'; jobId: string }
  | { type: 'shutdown' }
  | { type: 'heartbeat'; time: number }

export const SCHEMA_FILE = join(HAZE_HOME, 'protocol', 'worker-link.schema.json')

const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as {
  $defs?: {
    run?: { properties?: { contextKind?: { enum?: unknown } } }
    hello?: { properties?: { lang?: { enum?: unknown }; protocolVersion?: { const?: unknown } } }
  }
}
const ajv = new Ajv2020({ allErrors: false, strict: false })
const validate = ajv.compile(schema)

// The schema file is the contract; the list above is its TypeScript spelling. Differing, the
// master would accept functions the workers refuse (or the reverse): refuse to start instead.
const schemaKinds = schema.$defs?.run?.properties?.contextKind?.enum
if (JSON.stringify(schemaKinds) !== JSON.stringify(CONTEXT_KINDS)) {
  throw new Error(`${SCHEMA_FILE}: run.contextKind lists ${JSON.stringify(schemaKinds)}, but the master knows ${JSON.stringify(CONTEXT_KINDS)}`)
}

const schemaLangs = schema.$defs?.hello?.properties?.lang?.enum
if (JSON.stringify(schemaLangs) !== JSON.stringify(WORKER_LANGS)) {
  throw new Error(`${SCHEMA_FILE}: hello.lang lists ${JSON.stringify(schemaLangs)}, but the master knows ${JSON.stringify(WORKER_LANGS)}`)
}

/** The link's version, the schema's `hello.protocolVersion`: a worker saying another is refused. */
export const PROTOCOL_VERSION: number = (() => {
  const version = schema.$defs?.hello?.properties?.protocolVersion?.const
  if (typeof version !== 'number') throw new Error(`${SCHEMA_FILE}: hello.protocolVersion has no const version`)
  return version
})()

/**
 * Why a hello cannot be admitted for a worker launched as `expected`, or undefined: read before
 * the schema check, so a worker of another Haze version is told what differs, not that its
 * hello is malformed.
 */
export function helloMismatch(hello: Record<string, unknown>, expected: WorkerLang): string | undefined {
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    return `it speaks worker-link protocol version ${JSON.stringify(hello.protocolVersion ?? null)}, this master version ${PROTOCOL_VERSION}; run workers of the master's own Haze version (scripts/setup.sh builds them)`
  }
  if (hello.lang !== expected) {
    return `it says it is a ${JSON.stringify(hello.lang ?? null)} worker, but a ${expected} worker was launched; check the context's runner command`
  }
  return undefined
}

/** The text of a WebSocket frame, whichever buffer form `ws` delivered it in. */
export function frameText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}

/** Parses and checks one frame; throws with the schema's complaint if it is not a message. */
export function parseMessage(text: string): WorkerMessage {
  const value: unknown = JSON.parse(text)
  if (!validate(value)) {
    const error = validate.errors?.[0]
    throw new Error(`not a worker-link message: ${error?.instancePath ?? ''} ${error?.message ?? ''}`.trim())
  }
  const message = value as WorkerMessage | MasterMessage
  if (['run', 'cancel', 'shutdown'].includes(message.type)) throw new Error(`a worker may not send ${message.type}`)
  return message as WorkerMessage
}

/** True if a master message fits the schema (used by tests and as a guard while developing). */
export function isValidMasterMessage(message: MasterMessage): boolean {
  return validate(message) === true
}
