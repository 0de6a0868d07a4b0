/**
 * Wire shapes, as JSON Schema (TypeBox). They validate request bodies and generate the
 * OpenAPI document; responses with hand-written JSON (job details) are described here too.
 */
import { Type } from 'typebox'
import { BODY_DURATION_PATTERN, POSITIVE_SECONDS_PATTERN, QUERY_DURATION_PATTERN } from '../domain/duration.js'
import { JOB_SOURCES, JOB_STATUSES } from '../domain/job.js'
import { ARTIFACT_NAME_PATTERN, ENTITY_NAME_PATTERN } from '../domain/names.js'
import { DEFAULT_CONTEXT, MAX_CONN_FAILURES_LIMIT, MAX_JOBS_LIMIT, MAX_SPARE_WORKERS_LIMIT, MAX_WORKERS_LIMIT } from '../domain/context.js'

/*
 * Patterns and ranges here are exactly what the server accepts, so that the document can be
 * trusted by generators and fuzzers (test/api-contract.test.ts runs schemathesis against it).
 * They use ASCII classes only: Python reads `\d`, `\s` and `.` differently from JavaScript.
 */

const NAME_RULE = 'use 1 to 128 letters, digits, "_", ".", "@" or "-", starting with a letter or digit'

const entityName = (kind: 'function' | 'context', description: string) =>
  Type.String({
    pattern: ENTITY_NAME_PATTERN,
    description: `${description}: 1 to 128 letters, digits, "_", ".", "@" or "-", starting with a letter or digit, without ".."`,
    'x-refusal-pattern': `invalid ${kind} name {}: ${NAME_RULE}`,
  })

/** A context the API may write: any valid name but `default`, which comes from the config file. */
const writableContextName = Type.String({
  pattern: `^(?!${DEFAULT_CONTEXT}$)${ENTITY_NAME_PATTERN.slice(1)}`,
  description: `Context name: ${NAME_RULE}; "default" is written in the config file only`,
  'x-refusal-pattern': `invalid context name {}: ${NAME_RULE}; the "default" context cannot be written through the API (change contextDefaults in the config file)`,
})

export const ArtifactName = Type.String({
  pattern: ARTIFACT_NAME_PATTERN,
  description: 'A file name: no path separator, no "..", no leading "." or blank, no control character, at most 255 bytes',
  'x-refusal-pattern': 'invalid artifact name {}: use a file name without a path separator, "..", a leading "." or blank, or a control character',
})

/** Not blank (as `String.prototype.trim` sees it). */
const NOT_BLANK = '[^ \\t\\n\\v\\f\\r\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]'

/** Mist's query booleans: true|yes|on or false|no|off, in any case (mist-cli sends Python's `True`). */
export const QueryBoolean = (name: string, description: string) =>
  Type.String({
    pattern: '^(?:[Tt][Rr][Uu][Ee]|[Yy][Ee][Ss]|[Oo][Nn]|[Ff][Aa][Ll][Ss][Ee]|[Nn][Oo]|[Oo][Ff][Ff])$',
    description: `${description} (true|yes|on or false|no|off, any case)`,
    'x-refusal': `query parameter ${name} must be true or false; got {}`,
  })

/** A page size or offset, as the query parser accepts it. */
export const QueryCount = (name: string, description: string, maximum: number) =>
  Type.Integer({
    minimum: 0,
    maximum,
    description,
    'x-refusal': `query parameter ${name} must be a whole number from 0 to ${maximum}; got {}`,
  })

/** A query duration (`startTimeout`), as `parseQueryDuration` reads it. */
export const QueryDuration = (name: string, description: string) =>
  Type.String({
    pattern: QUERY_DURATION_PATTERN,
    description,
    'x-refusal': `${name} must be a duration such as "10s", "500ms", "5 minutes" or "Inf"; got {}`,
  })

/** A filter by name: given once, not empty. */
export const QueryFilter = (name: string, description: string) =>
  Type.String({ minLength: 1, description, 'x-refusal-minLength': `query parameter ${name} is empty; leave it out to match every job` })

export const Problem = Type.Object(
  {
    status: Type.Integer({ description: 'HTTP status code' }),
    title: Type.String({ description: 'Short name of the status' }),
    detail: Type.String({ description: 'What went wrong and what to do about it' }),
  },
  { $id: 'Problem', description: 'An error, as RFC 9457 problem details' },
)

export const ArgType = Type.Object(
  {
    type: Type.Union(
      ['MInt', 'MDouble', 'MString', 'MBoolean', 'MAny', 'MList', 'MOption', 'MMap', 'MObj'].map((t) => Type.Literal(t)),
    ),
    args: Type.Optional(Type.Array(Type.Unknown(), { description: 'Element types (MList, MOption) or key and value (MMap)' })),
    fields: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Field types (MObj)' })),
  },
  { $id: 'ArgType', description: "An argument's type in Mist's encoding" },
)

export const FunctionConfigBody = Type.Object(
  {
    name: entityName('function', 'Function name, unique'),
    path: Type.String({ pattern: NOT_BLANK, description: 'Name of the artifact holding the function', 'x-refusal-pattern': 'path must name an artifact' }),
    className: Type.String({
      pattern: NOT_BLANK,
      description: 'Python: the function name, or a dotted path inside a package',
      'x-refusal-pattern': 'className must name a function in the artifact',
    }),
    defaultContext: entityName('context', 'Context its jobs run in unless the run names another'),
  },
  { $id: 'FunctionConfig', description: 'A function to deploy; other fields are ignored' },
)

export const FunctionInfo = Type.Object(
  {
    name: Type.String(),
    lang: Type.String({ description: 'python, java or scala' }),
    execute: Type.Record(Type.String(), Type.Unknown(), { description: 'Argument name → ArgType, in declaration order' }),
    tags: Type.Array(Type.String(), { description: 'sql, hive, streaming' }),
    path: Type.String(),
    className: Type.String(),
    defaultContext: Type.String(),
    defaults: Type.Record(Type.String(), Type.Unknown(), {
      description: 'Haze: the default value of each argument that has one (such arguments are MOption in execute, as in Mist)',
    }),
  },
  { $id: 'FunctionInfo' },
)

/** Spark settings keys: not empty, no blank (the blanks JavaScript's `\\s` matches, spelled out). */
const SparkConfKey = Type.String({
  pattern: '^[^\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+$',
  'x-refusal': 'a sparkConf key must be non-empty without blanks; got {}',
})

/** Refusals of a whole number of at least 1, in the words of `checkContext`. */
const count = (name: string, maximum: number) => ({
  'x-refusal-minimum': `${name} must be a whole number of at least 1; got {}`,
  'x-refusal-maximum': `${name} must be a whole number of at least 1 and at most ${maximum}; got {}`,
})

const Nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]))

const durationText = 'Duration: "Inf" or whole seconds such as "3600s"'

export const ContextBody = Type.Object(
  {
    name: writableContextName,
    sparkConf: Nullable(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        propertyNames: SparkConfKey,
        description: 'Spark settings, passed to spark-submit as --conf pairs (replaces the default set)',
      }),
    ),
    downtime: Nullable(
      Type.String({
        pattern: BODY_DURATION_PATTERN,
        description: `How long idle workers live. ${durationText}`,
        'x-refusal': 'downtime must be "Inf" or a whole number of seconds such as "3600s"; got {}',
      }),
    ),
    maxJobs: Nullable(
      Type.Integer({ minimum: 1, maximum: MAX_JOBS_LIMIT, description: 'Jobs of this context that may run at once', ...count('maxJobs', MAX_JOBS_LIMIT) }),
    ),
    precreated: Nullable(Type.Boolean({ description: 'Keep a shared worker warm from start-up' })),
    // Checked by checkRunOptions, against spark-submit's own options: more than a pattern says.
    runOptions: Nullable(
      Type.String({
        description:
          'Extra spark-submit options, split at blanks without a shell; quotes keep a run together and must be closed; ' +
          'options Haze sets itself (--class, --master, --name …) and anything that is not an option are refused',
      }),
    ),
    // A pattern, not an enum: the typed clients keep reading it as a string.
    workerMode: Nullable(
      Type.String({ pattern: '^(?:shared|exclusive)$', description: 'shared or exclusive', 'x-refusal': 'workerMode must be "shared" or "exclusive"; got {}' }),
    ),
    streamingDuration: Nullable(
      Type.String({
        pattern: POSITIVE_SECONDS_PATTERN,
        description: 'Batch interval of streaming functions: whole seconds, at least "1s"',
        'x-refusal': 'streamingDuration must be a finite number of seconds, at least "1s"; got {}',
      }),
    ),
    maxConnFailures: Nullable(
      Type.Integer({
        minimum: 1,
        maximum: MAX_CONN_FAILURES_LIMIT,
        description: 'Consecutive worker start failures that mark the context broken',
        ...count('maxConnFailures', MAX_CONN_FAILURES_LIMIT),
      }),
    ),
    spareWorkers: Nullable(
      Type.Integer({
        minimum: 0,
        maximum: MAX_SPARE_WORKERS_LIMIT,
        description:
          'Haze: idle workers that have never run a job, kept started ahead of demand (default 0). Exclusive: a job takes one ' +
          '(and its driver still stops after the job) and a replacement starts at once; workers ≤ maxJobs + spareWorkers. ' +
          'Shared: they take the jobs the busy workers have no room for; at most maxWorkers, spares included. ' +
          'A spare that fails to start counts toward maxConnFailures',
        'x-refusal-minimum': 'spareWorkers must be a whole number of at least 0; got {}',
        'x-refusal-maximum': `spareWorkers must be a whole number of at least 0 and at most ${MAX_SPARE_WORKERS_LIMIT}; got {}`,
      }),
    ),
    maxWorkers: Nullable(
      Type.Integer({
        minimum: 1,
        maximum: MAX_WORKERS_LIMIT,
        description:
          'Haze: most workers of a shared context at once, each running up to maxJobs jobs (default 1, as in Mist); ' +
          'a further one starts when the others have no room, or ahead of demand as a spare. Exclusive contexts ignore it',
        ...count('maxWorkers', MAX_WORKERS_LIMIT),
      }),
    ),
    runner: Nullable(
      Type.String({ description: "Haze: a runner of the config file that starts this context's workers; absent: spark-submit on the master's machine" }),
    ),
  },
  { $id: 'ContextRequest', description: 'Only name is required; absent or null fields come from the default context' },
)

export const ContextReplaceBody = Type.Partial(ContextBody, { $id: 'ContextReplaceRequest' })

export const ContextConfig = Type.Object(
  {
    name: Type.String(),
    sparkConf: Type.Record(Type.String(), Type.String()),
    downtime: Type.String({ description: durationText }),
    maxJobs: Type.Integer(),
    precreated: Type.Boolean(),
    runOptions: Type.String(),
    workerMode: Type.Union([Type.Literal('shared'), Type.Literal('exclusive')]),
    streamingDuration: Type.String({ description: durationText }),
    maxConnFailures: Type.Integer(),
    spareWorkers: Type.Optional(Type.Integer({ description: 'Haze: idle workers kept started ahead of demand; absent: 0' })),
    maxWorkers: Type.Optional(Type.Integer({ description: 'Haze: most workers of a shared context at once; absent: 1' })),
    runner: Type.Optional(Type.String({ description: 'Haze: the runner that starts its workers; absent: spark-submit' })),
  },
  { $id: 'ContextConfig' },
)

export const JobDetails = Type.Object(
  {
    jobId: Type.String(),
    function: Type.String(),
    context: Type.String(),
    params: Type.Object({
      filePath: Type.String(),
      className: Type.String(),
      arguments: Type.Record(Type.String(), Type.Unknown()),
      action: Type.String(),
    }),
    externalId: Type.Optional(Type.String()),
    source: Type.String({ description: 'Http, Async Kafka, Async Mqtt, WebSocket or Cli' }),
    status: Type.Union(JOB_STATUSES.map((s) => Type.Literal(s))),
    createTime: Type.Integer({ description: 'Epoch milliseconds' }),
    startTime: Type.Optional(Type.Integer()),
    endTime: Type.Optional(Type.Integer()),
    workerId: Type.Optional(Type.String()),
    jobResult: Type.Optional(Type.Unknown({ description: 'The result when finished; the error text when failed' })),
    startedBy: Type.Optional(Type.String({ description: 'Haze: the name of the API token that started the job' })),
  },
  { description: 'A job (Mist JobDetails)' },
)

export const JobListQuery = Type.Object({
  limit: Type.Optional(QueryCount('limit', 'Page size, default 25', 10_000)),
  offset: Type.Optional(QueryCount('offset', 'Jobs to skip, default 0', 1_000_000_000)),
  status: Type.Optional(
    Type.Array(
      Type.Union(
        JOB_STATUSES.map((s) => Type.Literal(s)),
        { 'x-refusal': `unknown status {}; expected some of ${JOB_STATUSES.join(', ')} (repeat status= for several)` },
      ),
      { description: 'Repeat for several' },
    ),
  ),
  paginate: Type.Optional(QueryBoolean('paginate', 'true: answer {"jobs": [...], "total": N} with the full total')),
  function: Type.Optional(QueryFilter('function', 'Haze: only jobs of this function')),
  context: Type.Optional(QueryFilter('context', 'Haze: only jobs run in this context')),
  source: Type.Optional(
    Type.Union(
      JOB_SOURCES.map((s) => Type.Literal(s)),
      { description: 'Haze: only jobs started from this source', 'x-refusal': `unknown source {}; expected one of ${JOB_SOURCES.join(', ')}` },
    ),
  ),
})

export const JobList = Type.Union(
  [Type.Array(JobDetails), Type.Object({ jobs: Type.Array(JobDetails), total: Type.Integer() })],
  { description: 'Newest first' },
)

export const NameParams = Type.Object({ name: ArtifactName })
/** Jobs and workers: ids the server made; anything else is simply not found. */
export const IdParams = Type.Object({ id: Type.String() })
export const FunctionParams = Type.Object({ id: entityName('function', 'Function name') })
export const ContextParams = Type.Object({ id: entityName('context', 'Context name') })
export const WritableContextParams = Type.Object({ id: writableContextName })
export const ForceQuery = Type.Object({
  force: Type.Optional(QueryBoolean('force', 'true: replace what exists')),
})
