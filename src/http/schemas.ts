/**
 * Wire shapes, as JSON Schema (TypeBox). They validate request bodies and generate the
 * OpenAPI document; responses with hand-written JSON (job details) are described here too.
 */
import { Type } from 'typebox'
import { JOB_SOURCES, JOB_STATUSES } from '../domain/job.js'

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
    name: Type.String({ description: 'Function name, unique' }),
    path: Type.String({ description: 'Name of the artifact holding the function' }),
    className: Type.String({ description: 'Python: the function name, or a dotted path inside a package' }),
    defaultContext: Type.String({ description: 'Context its jobs run in unless the run names another' }),
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

const Nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]))

const durationText = 'Duration: "Inf" or whole seconds such as "3600s"'

export const ContextBody = Type.Object(
  {
    name: Type.String({ description: 'Context name' }),
    sparkConf: Nullable(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        description: 'Spark settings, passed to spark-submit as --conf pairs (replaces the default set)',
      }),
    ),
    downtime: Nullable(Type.String({ description: `How long idle workers live. ${durationText}` })),
    maxJobs: Nullable(Type.Integer({ description: 'Jobs of this context that may run at once' })),
    precreated: Nullable(Type.Boolean({ description: 'Keep a shared worker warm from start-up' })),
    runOptions: Nullable(Type.String({ description: 'Extra spark-submit arguments, split without a shell' })),
    workerMode: Nullable(Type.String({ description: 'shared or exclusive' })),
    streamingDuration: Nullable(Type.String({ description: `Batch interval of streaming functions. ${durationText}` })),
    maxConnFailures: Nullable(Type.Integer({ description: 'Consecutive worker start failures that mark the context broken' })),
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
  limit: Type.Optional(Type.String({ description: 'Page size, default 25' })),
  offset: Type.Optional(Type.String({ description: 'Jobs to skip, default 0' })),
  status: Type.Optional(
    Type.Array(Type.String(), { description: `Repeat for several: ${JOB_STATUSES.join(', ')}` }),
  ),
  paginate: Type.Optional(Type.String({ description: 'true: answer {"jobs": [...], "total": N} with the full total' })),
  function: Type.Optional(Type.String({ description: 'Haze: only jobs of this function' })),
  context: Type.Optional(Type.String({ description: 'Haze: only jobs run in this context' })),
  source: Type.Optional(Type.String({ description: `Haze: only jobs started from this source: ${JOB_SOURCES.join(', ')}` })),
})

export const JobList = Type.Union(
  [Type.Array(JobDetails), Type.Object({ jobs: Type.Array(JobDetails), total: Type.Integer() })],
  { description: 'Newest first' },
)

export const NameParams = Type.Object({ name: Type.String() })
export const IdParams = Type.Object({ id: Type.String() })
export const ForceQuery = Type.Object({
  force: Type.Optional(Type.String({ description: 'true|yes|on or false|no|off' })),
})

export const errorResponses = {
  400: Problem,
  404: Problem,
}
