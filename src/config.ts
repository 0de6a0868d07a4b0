/**
 * Configuration: built-in defaults ← config file (JSON) ← environment ← command-line flags,
 * validated once at boot. Every default a user sees is in `DEFAULTS` below; environment
 * variables are read here and nowhere else.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Compile } from 'typebox/compile'
import { Type, type Static } from 'typebox'
import { checkContext, DEFAULT_CONTEXT, parseWorkerMode, RUNNER_NAME, type ContextConfig } from './domain/context.js'
import { splitRunOptions } from './domain/run-options.js'
import { parseBodyDuration, parseQueryDuration, type Duration } from './domain/duration.js'
import { coerceError } from './domain/errors.js'
import { isRole, ROLES } from './domain/roles.js'
import type { ApiToken } from './auth/tokens.js'

export interface HazeConfig {
  host: string
  port: number
  dataDir: string
  /** Python interpreter that has PySpark and the haze-worker package. */
  python: string
  /** Largest artifact accepted, in bytes. */
  uploadLimit: number
  /** How long reading a function's signature may take before it is abandoned. */
  functionInfoTimeout: Duration
  /** Cross-origin browser pages allowed to call the API (same-origin pages always are). */
  allowedOrigins: string[]
  logLevel: string
  /** URL workers use to reach the master; derived from host and port when absent. */
  publicUrl?: string | undefined
  /** Spark to start workers with; absent: $SPARK_HOME, else the installed PySpark's. */
  sparkHome?: string | undefined
  /** Largest result a job may return (bytes of JSON). */
  resultLimit: number
  /** Most of a job's own output kept in its log (bytes); the rest is counted and dropped. */
  jobLogLimit: number
  /** Most jobs waiting for a worker in one context; more are refused with 429. */
  queueLimit: number
  /** How long a terminal job is kept after it ended, with its log and result; Infinity: forever. */
  jobRetention: Duration
  /** Bytes of a worker's own output file kept on disk (rotated to `.1` at half). */
  workerOutputLimit: number
  /** How long a worker may take from spawn to ready. */
  workerStartTimeout: Duration
  /** Heartbeat interval on the worker link; three missed ones end the worker. */
  workerHeartbeat: Duration
  /** How long a worker has to exit after being asked, before SIGTERM and SIGKILL. */
  workerStopGrace: Duration
  /** How long a cancelled job's code may keep running before its worker is recycled. */
  cancelGrace: Duration
  /** How long shutdown waits for running jobs before failing them. */
  shutdownGrace: Duration
  /** The `default` context; every other context falls back on it. */
  contextDefaults: ContextConfig
  /** Silence on an event WebSocket after which `{"event":"keep-alive"}` is sent. */
  wsKeepAlive: Duration
  /** Bytes of events that may wait for one WebSocket client before it is closed as too slow. */
  wsBufferLimit: number
  mqtt: MqttConfig
  kafka: KafkaConfig
  metrics: MetricsConfig
  /** When set, the API, the event streams and the worker link are served over TLS only. */
  tls?: TlsConfig | undefined
  /** API tokens; none configured: the API is open to whoever reaches its address. */
  auth: AuthConfig
  /** Listen on a non-loopback address without API tokens (refused unless set). */
  allowUnauthenticated: boolean
  /** Commands of the operator's that start workers elsewhere, by name; a context picks one with `runner`. */
  runners: Record<string, RunnerConfig>
  /** Where jobs, functions, contexts and the audit trail are kept. */
  store: StoreConfig
  /** Where the config file was read from, if any. */
  configFile?: string | undefined
}

/**
 * The store: `sqlite:` (the embedded file `haze.db` in the data dir), `sqlite:PATH`, or a
 * `postgres://user@host:port/database` URL (src/store/factory.ts).
 */
export interface StoreConfig {
  url: string
  /** Connections to PostgreSQL (unused by SQLite). */
  poolSize: number
  /** PostgreSQL's password when the URL has none (HAZE_STORE_PASSWORD); never logged. */
  password?: string | undefined
}

/**
 * A manual runner (Mist's `mist.workers.runner = manual`): a start command run, without a shell,
 * with the worker's settings in its environment, and an optional stop command.
 */
export interface RunnerConfig {
  start: string[]
  stop?: string[] | undefined
  /**
   * The start command hands the worker to something else and exits (`sbatch`, `kubectl
   * apply`): its exit 0 is not the worker's end, the worker's link is. Otherwise the command
   * is the worker, and its exit ends it.
   */
  detached: boolean
}

export interface AuthConfig {
  /** Token values loaded (from `token` or `tokenFile`); never logged. */
  tokens: ApiToken[]
}

export interface MetricsConfig {
  /**
   * GET /metrics without an API token (a scraper on a trusted network); false: it needs a
   * token like every other route.
   */
  public: boolean
}

/** Mist's `mist.mqtt.*`: jobs started by messages on one topic, every event published on another. */
export interface MqttConfig {
  on: boolean
  host: string
  port: number
  subscribeTopic: string
  publishTopic: string
  username?: string | undefined
  password?: string | undefined
  /** Also the broker's session name: messages sent while Haze is away wait for it there. */
  clientId: string
}

/** Mist's `mist.kafka.*`, with a list of brokers and a consumer group that survives restarts. */
export interface KafkaConfig {
  on: boolean
  brokers: string[]
  subscribeTopic: string
  publishTopic: string
  /** Offsets are committed after a message's job is recorded, so a restart resumes where it stopped. */
  groupId: string
  clientId: string
  /** SASL credentials (PLAIN or SCRAM), when the brokers require them. */
  username?: string | undefined
  password?: string | undefined
  saslMechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
  /** Connect over TLS, checked against the system's CAs (managed Kafka services require it). */
  tls: boolean
}

/** PEM files, absolute paths. Read at start-up (src/http/tls.ts), so an unreadable one stops Haze there. */
export interface TlsConfig {
  /** The master's certificate, optionally followed by its intermediate CAs. */
  cert: string
  key: string
  /** The CA workers verify the master's certificate with; absent: the certificate itself. */
  ca?: string | undefined
}

/** The folder holding package.json: the root of a Haze checkout or install. */
export const HAZE_HOME = findHome(dirname(fileURLToPath(import.meta.url)))

const DEFAULTS = {
  host: '127.0.0.1',
  port: 2004,
  dataDir: './data',
  python: join(HAZE_HOME, '.venv', 'bin', 'python'),
  uploadLimit: '250MiB',
  functionInfoTimeout: '30s',
  allowedOrigins: [] as string[],
  logLevel: 'info',
  resultLimit: '10MiB',
  jobLogLimit: '64MiB',
  queueLimit: 10_000,
  jobRetention: 'Inf',
  workerOutputLimit: '64MiB',
  workerStartTimeout: '120s',
  workerHeartbeat: '2s',
  workerStopGrace: '10s',
  cancelGrace: '10s',
  shutdownGrace: '10s',
  wsKeepAlive: '60s',
  wsBufferLimit: '4MiB',
  mqtt: { on: false, host: '127.0.0.1', port: 1883, subscribeTopic: 'haze-in', publishTopic: 'haze-out', clientId: 'haze' },
  kafka: {
    on: false,
    brokers: ['127.0.0.1:9092'],
    subscribeTopic: 'haze-in',
    publishTopic: 'haze-out',
    groupId: 'haze',
    clientId: 'haze',
    saslMechanism: 'PLAIN' as const,
    tls: false,
  },
  metrics: { public: false },
  store: { url: 'sqlite:', poolSize: 10 },
  contextDefaults: {
    sparkConf: { 'spark.master': 'local[*]' },
    downtime: '3600s',
    maxJobs: 1,
    precreated: false,
    runOptions: '',
    workerMode: 'exclusive',
    streamingDuration: '1s',
    maxConnFailures: 5,
    spareWorkers: 0,
    maxWorkers: 1,
  },
}

const ContextDefaultsFile = Type.Object(
  {
    sparkConf: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
    downtime: Type.Optional(Type.String()),
    maxJobs: Type.Optional(Type.Integer()),
    precreated: Type.Optional(Type.Boolean()),
    runOptions: Type.Optional(Type.String()),
    workerMode: Type.Optional(Type.String()),
    streamingDuration: Type.Optional(Type.String()),
    maxConnFailures: Type.Optional(Type.Integer()),
    spareWorkers: Type.Optional(Type.Integer()),
    maxWorkers: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
)

const MqttFile = Type.Object(
  {
    on: Type.Optional(Type.Boolean()),
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    subscribeTopic: Type.Optional(Type.String({ minLength: 1 })),
    publishTopic: Type.Optional(Type.String({ minLength: 1 })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    clientId: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)

const KafkaFile = Type.Object(
  {
    on: Type.Optional(Type.Boolean()),
    brokers: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    subscribeTopic: Type.Optional(Type.String({ minLength: 1 })),
    publishTopic: Type.Optional(Type.String({ minLength: 1 })),
    groupId: Type.Optional(Type.String({ minLength: 1 })),
    clientId: Type.Optional(Type.String({ minLength: 1 })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    saslMechanism: Type.Optional(Type.Union([Type.Literal('PLAIN'), Type.Literal('SCRAM-SHA-256'), Type.Literal('SCRAM-SHA-512')])),
    tls: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

const TlsFile = Type.Object(
  {
    cert: Type.String({ minLength: 1 }),
    key: Type.String({ minLength: 1 }),
    ca: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)

const TokenFile = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$' }),
    role: Type.String(),
    token: Type.Optional(Type.String()),
    tokenFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)

const AuthFile = Type.Object(
  { tokens: Type.Optional(Type.Array(TokenFile)) },
  { additionalProperties: false },
)

const MetricsFile = Type.Object({ public: Type.Optional(Type.Boolean()) }, { additionalProperties: false })

const StoreFile = Type.Object(
  {
    url: Type.Optional(Type.String({ pattern: '^(sqlite:|postgres://|postgresql://)' })),
    poolSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
)

const ConfigFile = Type.Object(
  {
    host: Type.Optional(Type.String()),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    dataDir: Type.Optional(Type.String()),
    python: Type.Optional(Type.String()),
    uploadLimit: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 1 })])),
    functionInfoTimeout: Type.Optional(Type.String()),
    allowedOrigins: Type.Optional(Type.Array(Type.String())),
    logLevel: Type.Optional(Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)))),
    publicUrl: Type.Optional(Type.String()),
    sparkHome: Type.Optional(Type.String()),
    resultLimit: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 1 })])),
    jobLogLimit: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 1 })])),
    queueLimit: Type.Optional(Type.Integer({ minimum: 1 })),
    jobRetention: Type.Optional(Type.String()),
    workerOutputLimit: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 1 })])),
    workerStartTimeout: Type.Optional(Type.String()),
    workerHeartbeat: Type.Optional(Type.String()),
    workerStopGrace: Type.Optional(Type.String()),
    cancelGrace: Type.Optional(Type.String()),
    shutdownGrace: Type.Optional(Type.String()),
    contextDefaults: Type.Optional(ContextDefaultsFile),
    wsKeepAlive: Type.Optional(Type.String()),
    wsBufferLimit: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 1 })])),
    mqtt: Type.Optional(MqttFile),
    kafka: Type.Optional(KafkaFile),
    metrics: Type.Optional(MetricsFile),
    auth: Type.Optional(AuthFile),
    allowUnauthenticated: Type.Optional(Type.Boolean()),
    runners: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          { start: Type.String({ minLength: 1 }), stop: Type.Optional(Type.String({ minLength: 1 })), detached: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
      ),
    ),
    tls: Type.Optional(TlsFile),
    store: Type.Optional(StoreFile),
  },
  { additionalProperties: false },
)
type ConfigFile = Static<typeof ConfigFile>
const checkConfigFile = Compile(ConfigFile)

/** Flags as given on the command line; absent ones are undefined. */
export interface ConfigFlags {
  host?: string | undefined
  port?: string | undefined
  dataDir?: string | undefined
  config?: string | undefined
  python?: string | undefined
  allowUnauthenticated?: boolean | undefined
}

/**
 * Layers the sources and validates the result. Throws an Error whose message names the source
 * and the setting at fault.
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): HazeConfig {
  const configFile = flags.config ?? env.HAZE_CONFIG
  const file = configFile === undefined ? {} : readConfigFile(configFile)
  const fileDir = configFile === undefined ? process.cwd() : dirname(resolve(configFile))
  const fromFile = (path: string | undefined): string | undefined =>
    path === undefined ? undefined : isAbsolute(path) ? path : resolve(fileDir, path)

  const portText = flags.port ?? env.HAZE_PORT
  const port = portText === undefined ? (file.port ?? DEFAULTS.port) : parsePort(portText)
  const defaults = { ...DEFAULTS.contextDefaults, ...file.contextDefaults }
  try {
    const contextDefaults: ContextConfig = {
      name: DEFAULT_CONTEXT,
      sparkConf: Object.fromEntries(Object.entries(defaults.sparkConf).map(([k, v]) => [k, String(v)])),
      downtime: parseBodyDuration('contextDefaults.downtime', defaults.downtime),
      maxJobs: defaults.maxJobs,
      precreated: defaults.precreated,
      runOptions: defaults.runOptions,
      workerMode: parseWorkerMode(defaults.workerMode),
      streamingDuration: parseBodyDuration('contextDefaults.streamingDuration', defaults.streamingDuration),
      maxConnFailures: defaults.maxConnFailures,
      spareWorkers: defaults.spareWorkers,
      maxWorkers: defaults.maxWorkers,
    }
    checkContext(contextDefaults)
    if (file.tls && file.publicUrl !== undefined && !/^https:\/\//i.test(file.publicUrl)) {
      throw new Error(`publicUrl must be an https:// URL when tls is set (the port speaks only TLS); got ${JSON.stringify(file.publicUrl)}`)
    }
    return {
      host: flags.host ?? env.HAZE_HOST ?? file.host ?? DEFAULTS.host,
      port,
      dataDir: resolve(flags.dataDir ?? env.HAZE_DATA_DIR ?? fromFile(file.dataDir) ?? DEFAULTS.dataDir),
      python: flags.python ?? env.HAZE_PYTHON ?? fromFile(file.python) ?? DEFAULTS.python,
      uploadLimit: parseSize('uploadLimit', file.uploadLimit ?? DEFAULTS.uploadLimit),
      functionInfoTimeout: parseQueryDuration('functionInfoTimeout', file.functionInfoTimeout ?? DEFAULTS.functionInfoTimeout),
      allowedOrigins: file.allowedOrigins ?? DEFAULTS.allowedOrigins,
      logLevel: env.HAZE_LOG_LEVEL ?? file.logLevel ?? DEFAULTS.logLevel,
      publicUrl: file.publicUrl,
      sparkHome: fromFile(file.sparkHome),
      resultLimit: parseSize('resultLimit', file.resultLimit ?? DEFAULTS.resultLimit),
      jobLogLimit: parseSize('jobLogLimit', file.jobLogLimit ?? DEFAULTS.jobLogLimit),
      queueLimit: file.queueLimit ?? DEFAULTS.queueLimit,
      jobRetention: retention('jobRetention', file.jobRetention ?? DEFAULTS.jobRetention),
      workerOutputLimit: parseSize('workerOutputLimit', file.workerOutputLimit ?? DEFAULTS.workerOutputLimit),
      workerStartTimeout: finite('workerStartTimeout', file.workerStartTimeout ?? DEFAULTS.workerStartTimeout),
      workerHeartbeat: finite('workerHeartbeat', file.workerHeartbeat ?? DEFAULTS.workerHeartbeat),
      workerStopGrace: finite('workerStopGrace', file.workerStopGrace ?? DEFAULTS.workerStopGrace),
      cancelGrace: finite('cancelGrace', file.cancelGrace ?? DEFAULTS.cancelGrace),
      shutdownGrace: finite('shutdownGrace', file.shutdownGrace ?? DEFAULTS.shutdownGrace),
      contextDefaults,
      wsKeepAlive: finite('wsKeepAlive', file.wsKeepAlive ?? DEFAULTS.wsKeepAlive),
      wsBufferLimit: parseSize('wsBufferLimit', file.wsBufferLimit ?? DEFAULTS.wsBufferLimit),
      // Credentials may come from the environment, so they need not sit in the config file.
      mqtt: {
        ...DEFAULTS.mqtt,
        ...file.mqtt,
        username: env.HAZE_MQTT_USERNAME ?? file.mqtt?.username,
        password: env.HAZE_MQTT_PASSWORD ?? file.mqtt?.password,
      },
      kafka: {
        ...DEFAULTS.kafka,
        ...file.kafka,
        username: env.HAZE_KAFKA_USERNAME ?? file.kafka?.username,
        password: env.HAZE_KAFKA_PASSWORD ?? file.kafka?.password,
      },
      metrics: { ...DEFAULTS.metrics, ...file.metrics },
      tls: file.tls && {
        cert: resolve(fileDir, file.tls.cert),
        key: resolve(fileDir, file.tls.key),
        ca: fromFile(file.tls.ca),
      },
      auth: { tokens: loadTokens(file.auth?.tokens ?? [], fromFile) },
      allowUnauthenticated: flags.allowUnauthenticated ?? file.allowUnauthenticated ?? false,
      runners: loadRunners(file.runners ?? {}),
      store: {
        url: storeUrl(env.HAZE_STORE_URL ?? file.store?.url ?? DEFAULTS.store.url, fromFile),
        poolSize: file.store?.poolSize ?? DEFAULTS.store.poolSize,
        password: env.HAZE_STORE_PASSWORD,
      },
      configFile: configFile === undefined ? undefined : resolve(configFile),
    }
  } catch (error) {
    throw new Error(`invalid configuration: ${coerceError(error).message}`, { cause: error })
  }
}

function readConfigFile(path: string): ConfigFile {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new Error(`cannot read config file ${path}: ${coerceError(error).message}`, { cause: error })
  }
  if (!checkConfigFile.Check(parsed)) {
    const problems = [...checkConfigFile.Errors(parsed)].map((e) => `${e.instancePath || '/'} ${e.message}`)
    throw new Error(`config file ${path} is invalid: ${problems.join('; ')}`)
  }
  return parsed
}

function loadRunners(entries: Record<string, { start: string; stop?: string | undefined; detached?: boolean | undefined }>): Record<string, RunnerConfig> {
  return Object.fromEntries(
    Object.entries(entries).map(([name, entry]) => {
      if (!RUNNER_NAME.test(name)) throw new Error(`runners: ${JSON.stringify(name)} is not a runner name (letters, digits, "_", "-", ".")`)
      const command = (field: 'start' | 'stop', text: string) => {
        const tokens = splitRunOptions(text)
        if (tokens.length === 0 || tokens[0] === '') throw new Error(`runners.${name}.${field} must name a command`)
        return tokens
      }
      return [name, { start: command('start', entry.start), stop: entry.stop === undefined ? undefined : command('stop', entry.stop), detached: entry.detached ?? false }]
    }),
  )
}

/** Shortest token accepted: a guessable secret is no lock. */
const MIN_TOKEN_LENGTH = 16

/** Checks the configured tokens and reads `tokenFile`s. Messages name tokens, never their values. */
function loadTokens(entries: readonly Static<typeof TokenFile>[], fromFile: (path: string) => string | undefined): ApiToken[] {
  const names = new Set<string>()
  const values = new Set<string>()
  return entries.map((entry, index) => {
    const label = `auth.tokens[${index}] (${JSON.stringify(entry.name)})`
    if (!isRole(entry.role)) throw new Error(`${label}: role must be one of ${ROLES.join(', ')}; got ${JSON.stringify(entry.role)}`)
    if (names.has(entry.name)) throw new Error(`${label}: another token has the same name; names appear in logs and job records, so they must be unique`)
    names.add(entry.name)
    if ((entry.token === undefined) === (entry.tokenFile === undefined)) {
      throw new Error(`${label}: give exactly one of token and tokenFile`)
    }
    let token = entry.token
    if (entry.tokenFile !== undefined) {
      const path = fromFile(entry.tokenFile) ?? entry.tokenFile
      try {
        token = readFileSync(path, 'utf8').trim()
      } catch (error) {
        throw new Error(`${label}: cannot read tokenFile ${path}: ${coerceError(error).message}`, { cause: error })
      }
    }
    if (token === undefined || token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
      throw new Error(`${label}: a token must be at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. the output of \`openssl rand -hex 32\`)`)
    }
    if (values.has(token)) throw new Error(`${label}: another token has the same value`)
    values.add(token)
    return { name: entry.name, role: entry.role, token }
  })
}

/** A `sqlite:PATH` relative to the config file becomes absolute; other URLs are checked and kept. */
function storeUrl(url: string, fromFile: (path: string) => string | undefined): string {
  if (url.startsWith('sqlite:')) return url === 'sqlite:' ? url : `sqlite:${fromFile(url.slice('sqlite:'.length))}`
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`store.url must be sqlite:, sqlite:PATH or postgres://user@host:port/database; got ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))}`)
  try {
    new URL(url)
  } catch {
    throw new Error('store.url is not a valid postgres:// URL (user@host:port/database; escape special characters in the password)')
  }
  return url
}

function finite(field: string, text: string): Duration {
  const duration = parseQueryDuration(field, text)
  if (!Number.isFinite(duration) || duration <= 0) throw new Error(`${field} must be a finite, positive duration; got ${JSON.stringify(text)}`)
  return duration
}

/** A positive duration, or "Inf" (keep forever). */
function retention(field: string, text: string): Duration {
  const duration = parseQueryDuration(field, text)
  if (!(duration >= 1000)) throw new Error(`${field} must be "Inf" (keep forever) or a duration of at least a second, such as "30d"; got ${JSON.stringify(text)}`)
  return duration
}

function parsePort(text: string): number {
  const port = Number(text)
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`invalid port ${JSON.stringify(text)}: expected 0 to 65535`)
  return port
}

const SIZE_UNITS: Record<string, number> = { b: 1, kib: 1024, kb: 1000, mib: 1024 ** 2, mb: 1000 ** 2, gib: 1024 ** 3, gb: 1000 ** 3 }

/** "250MiB", "10 MB", "512" (bytes) or a number of bytes. */
export function parseSize(field: string, value: string | number): number {
  if (typeof value === 'number') return value
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim())
  const factor = SIZE_UNITS[(match?.[2] || 'b').toLowerCase()]
  if (!match?.[1] || factor === undefined) {
    throw new Error(`${field} must be a size such as "250MiB", "10MB" or a number of bytes; got ${JSON.stringify(value)}`)
  }
  return Math.floor(Number(match[1]) * factor)
}

function findHome(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return start
  }
}
