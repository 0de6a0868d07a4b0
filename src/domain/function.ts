/**
 * Functions: deployed entry points in artifacts. `execute` describes their arguments in Mist's
 * ArgType encoding, as the info extractor read them from the real code.
 */
export type ArgType =
  | { type: 'MInt' | 'MDouble' | 'MString' | 'MBoolean' | 'MAny' }
  | { type: 'MList' | 'MOption'; args: [ArgType] }
  | { type: 'MMap'; args: [ArgType, ArgType] }
  | { type: 'MObj'; fields: Record<string, ArgType> }

export type FunctionLang = 'python' | 'java' | 'scala'

/** What a user supplies (Mist's FunctionConfig). */
export interface FunctionConfig {
  name: string
  path: string
  className: string
  defaultContext: string
}

/** What the info extractor learned from loading the function. */
export interface FunctionSignature {
  lang: FunctionLang
  execute: Record<string, ArgType>
  tags: string[]
  /** How the Spark object is handed to the function: `spark_session`, `spark_context`, … */
  contextKind: string
  /** Default values of arguments that have one (shown as MOption in `execute`, as Mist does). */
  defaults: Record<string, unknown>
  /**
   * Arguments with rules only the function's own code can check (Mist's `validated(...)`, JVM
   * functions): a job's arguments go to a JVM to be checked before the job exists.
   */
  rules?: string[] | undefined
}

/** A stored function: its config, and its signature unless it was created with `force`. */
export interface FunctionRecord extends FunctionConfig {
  signature?: FunctionSignature | undefined
  /** SHA-1 of the artifact the signature was read from; a different SHA means it must be read again. */
  artifactSha?: string | undefined
  createTime: number
  updateTime: number
}

/**
 * Mist's FunctionInfo, and the default values of its arguments (Haze's addition, for forms and
 * clients that fill them in). A function stored with `force` and never loaded reports no arguments.
 */
export interface FunctionInfoJson {
  name: string
  lang: FunctionLang
  execute: Record<string, ArgType>
  tags: string[]
  path: string
  className: string
  defaultContext: string
  defaults: Record<string, unknown>
}

export function functionInfoJson(record: FunctionRecord): FunctionInfoJson {
  return {
    name: record.name,
    lang: record.signature?.lang ?? langOfPath(record.path),
    execute: record.signature?.execute ?? {},
    tags: record.signature?.tags ?? [],
    path: record.path,
    className: record.className,
    defaultContext: record.defaultContext,
    defaults: record.signature?.defaults ?? {},
  }
}

export function langOfPath(path: string): FunctionLang {
  return path.toLowerCase().endsWith('.jar') ? 'java' : 'python'
}
