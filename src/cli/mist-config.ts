/**
 * Reads a deployment the way mist-cli did: Mist's HOCON `.conf` files unchanged (and the same
 * models in YAML), each `model = Artifact | Context | Function` with a `name` (default: the
 * folder the file is in), a `version` (artifacts) and a `data` block. Turns them into what the
 * API takes: artifacts uploaded as `<name>_<version><ext>`, contexts with Mist's kebab-case keys
 * as the API's camelCase fields, functions with `class-name`, `path` and `context`.
 * Nothing here talks to the server.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path'
import parseHocon from '@pushcorn/hocon-parser'
import { parseAllDocuments } from 'yaml'
import { formatBodyDuration, parseQueryDuration } from '../domain/duration.js'
import { usageError } from './errors.js'

export interface ArtifactDeployment {
  model: 'Artifact'
  name: string
  /** The name it is stored under: `<name>_<version><ext>`, as mist-cli uploads it. */
  key: string
  /** The local file, absolute. */
  file: string
  source: string
}

/** A context as the API's create body takes it (camelCase, durations as "<n>s" or "Inf"). */
export interface ContextSettings {
  sparkConf?: Record<string, string>
  downtime?: string
  maxJobs?: number
  precreated?: boolean
  runOptions?: string
  workerMode?: string
  streamingDuration?: string
  maxConnFailures?: number
  /** Haze's own (Mist had no such keys): `spare-workers`, `max-workers`. */
  spareWorkers?: number
  maxWorkers?: number
}

export interface ContextDeployment {
  model: 'Context'
  name: string
  settings: ContextSettings
  source: string
}

export interface FunctionDeployment {
  model: 'Function'
  name: string
  path: string
  className: string
  defaultContext: string
  source: string
}

export type Deployment = ArtifactDeployment | ContextDeployment | FunctionDeployment

export interface DeploymentSet {
  /** In Mist's order: artifacts, then contexts, then functions; each by Mist's file order. */
  deployments: Deployment[]
  /** Things that were ignored or guessed, for the user to read before anything changes. */
  warnings: string[]
}

const MODEL_ORDER = { Artifact: 0, Context: 1, Function: 2 } as const
const CONFIG_EXTENSIONS = new Set(['.conf', '.yaml', '.yml'])

/** Mist's context keys (and their camelCase spelling, which mist-cli also sent) → API field. */
const CONTEXT_KEYS: Record<string, keyof ContextSettings> = {
  'spark-conf': 'sparkConf',
  'worker-mode': 'workerMode',
  'max-jobs': 'maxJobs',
  downtime: 'downtime',
  precreated: 'precreated',
  'run-options': 'runOptions',
  'streaming-duration': 'streamingDuration',
  'max-conn-failures': 'maxConnFailures',
  // Haze's own settings, spelled the way Mist spelled its keys so one file reads evenly.
  'spare-workers': 'spareWorkers',
  'max-workers': 'maxWorkers',
}

/** Reads a file, or every `.conf`/`.yaml`/`.yml` file under a directory (recursively, as mist-cli). */
export async function readDeployments(target: string, cwd = process.cwd()): Promise<DeploymentSet> {
  const path = resolve(cwd, target)
  if (!existsSync(path)) throw usageError(`${target}: no such file or directory`)
  const files = statSync(path).isDirectory() ? configFiles(path) : [path]
  if (files.length === 0) throw usageError(`${target} holds no .conf, .yaml or .yml files`)
  const warnings: string[] = []
  const found: Array<{ deployment: Deployment; order: number; file: string }> = []
  for (const file of files) {
    const near = relative(cwd, file)
    const shown = near === '' || near.startsWith('..') ? file : near
    for (const raw of await parseFile(file, shown)) {
      found.push({ deployment: toDeployment(raw, file, shown, cwd, warnings), order: mistOrder(file), file })
    }
  }
  found.sort(
    (a, b) =>
      MODEL_ORDER[a.deployment.model] - MODEL_ORDER[b.deployment.model] || a.order - b.order || a.file.localeCompare(b.file),
  )
  const deployments = found.map((entry) => entry.deployment)
  for (const model of ['Artifact', 'Context', 'Function'] as const) {
    const names = deployments.filter((item) => item.model === model).map((item) => (item.model === 'Artifact' ? item.key : item.name))
    const twice = names.find((name, index) => names.indexOf(name) !== index)
    if (twice !== undefined) throw usageError(`${model.toLowerCase()} ${JSON.stringify(twice)} is defined twice in ${target}`)
  }
  return { deployments, warnings }
}

function configFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && CONFIG_EXTENSIONS.has(extname(entry.name).toLowerCase()))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

/** mist-cli orders files by their first two characters as a number (`00artifact.conf`), else last. */
function mistOrder(file: string): number {
  const prefix = basename(file).slice(0, 2)
  return /^\d\d$/.test(prefix) ? Number(prefix) : 1000
}

/** One file's models: a HOCON file is one model; a YAML file may hold several documents. */
export async function parseFile(file: string, shown = file): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8')
  return extname(file).toLowerCase() === '.conf' ? [await parseHoconText(text, file, shown)] : parseYamlText(text, shown)
}

export async function parseHoconText(text: string, file: string, shown = file): Promise<Record<string, unknown>> {
  let value: unknown
  try {
    // Strict mode: spec HOCON only, so a `|` in a value is text, not one of the parser's transforms.
    value = await parseHocon({ text, url: file, strict: true })
  } catch (error) {
    throw usageError(`${shown} is not valid HOCON: ${oneLine(error)}`)
  }
  if (!isObject(value)) throw usageError(`${shown} must hold an object with model, name and data`)
  // HOCON reads `version = 1.0` as a number; the artifact key needs the text as written.
  const version = /^\s*version\s*[=:]\s*([^\s#"]+)\s*(?:#.*)?$/m.exec(text)?.[1]
  if (version !== undefined && typeof value.version === 'number') value.version = version
  return value
}

export function parseYamlText(text: string, shown: string): Record<string, unknown>[] {
  const documents = parseAllDocuments(text, { prettyErrors: true })
  const models: Record<string, unknown>[] = []
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const error = document.errors[0]
    if (error) throw usageError(`${shown} is not valid YAML: ${oneLine(error)}`)
    if (document.contents === null) continue
    // Scalars as written (`version: 1.0` stays "1.0"), keys and structure as YAML reads them.
    const value: unknown = document.toJS({ reviver: undefined })
    const rawVersion = document.get('version', true) as { source?: unknown } | undefined
    if (isObject(value) && typeof value.version === 'number' && typeof rawVersion?.source === 'string') value.version = rawVersion.source
    if (!isObject(value)) throw usageError(`${shown}: each YAML document must be an object with model, name and data`)
    models.push(value)
  }
  return models
}

function toDeployment(raw: Record<string, unknown>, file: string, shown: string, cwd: string, warnings: string[]): Deployment {
  const model = raw.model
  // Mist names a model after its folder when the file gives no name.
  const name = raw.name === undefined ? basename(dirname(file)) : text(raw.name, 'name', shown)
  const data = raw.data === undefined ? {} : raw.data
  if (!isObject(data)) throw usageError(`${shown}: data must be an object`)
  switch (model) {
    case 'Artifact':
      return artifactOf(name, raw.version, data, file, shown, cwd)
    case 'Context':
      return { model, name, settings: contextSettings(data, shown, warnings), source: shown }
    case 'Function':
      return {
        model,
        name,
        path: text(pick(data, 'path'), 'data.path', shown),
        className: text(pick(data, 'class-name', 'className'), 'data.class-name', shown),
        defaultContext: pick(data, 'context', 'default-context', 'defaultContext') === undefined ? 'default' : text(pick(data, 'context', 'default-context', 'defaultContext'), 'data.context', shown),
        source: shown,
      }
    default:
      throw usageError(`${shown}: model must be Artifact, Context or Function; got ${JSON.stringify(model ?? null)}`)
  }
}

function artifactOf(name: string, version: unknown, data: Record<string, unknown>, file: string, shown: string, cwd: string): ArtifactDeployment {
  const filePath = text(pick(data, 'file-path', 'filePath'), 'data.file-path', shown)
  // mist-cli read file-path from where it ran; a path next to the conf file is what people mean
  // when they run from elsewhere, so that is tried first.
  const candidates = isAbsolute(filePath) ? [filePath] : [resolve(dirname(file), filePath), resolve(cwd, filePath)]
  const local = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile())
  if (!local) throw usageError(`${shown}: data.file-path ${JSON.stringify(filePath)} is not a file (looked at ${[...new Set(candidates)].join(' and ')})`)
  const suffix = version === undefined || version === null ? '' : `_${text(version, 'version', shown)}`
  return { model: 'Artifact', name, key: `${name}${suffix}${extname(filePath)}`, file: local, source: shown }
}

export function contextSettings(data: Record<string, unknown>, shown: string, warnings: string[]): ContextSettings {
  const settings: ContextSettings = {}
  for (const [key, value] of Object.entries(data)) {
    const field = CONTEXT_KEYS[key] ?? Object.values(CONTEXT_KEYS).find((camel) => camel === key)
    if (field === undefined) {
      const hint = key === 'max-parallel-jobs' ? '; Mist ignored it too: the setting is max-jobs' : ''
      warnings.push(`${shown}: context key ${JSON.stringify(key)} is not a context setting and is ignored${hint}`)
      continue
    }
    const where = `${shown}: ${key}`
    switch (field) {
      case 'sparkConf':
        if (!isObject(value)) throw usageError(`${where} must be an object of Spark settings`)
        settings.sparkConf = flattenSparkConf(value)
        break
      case 'downtime':
      case 'streamingDuration':
        settings[field] = duration(value, where)
        break
      case 'maxJobs':
      case 'maxConnFailures':
      case 'spareWorkers':
      case 'maxWorkers':
        settings[field] = wholeNumber(value, where)
        break
      case 'precreated':
        settings.precreated = boolean(value, where)
        break
      case 'workerMode':
      case 'runOptions':
        settings[field] = text(value, key, shown, true)
        break
    }
  }
  return settings
}

/** `spark.driver.memory = 1g` is a nested object in HOCON; Spark wants the dotted key. */
function flattenSparkConf(value: Record<string, unknown>, prefix = ''): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) {
    const full = prefix === '' ? key : `${prefix}.${key}`
    if (isObject(item)) Object.assign(flat, flattenSparkConf(item, full))
    else flat[full] = String(item)
  }
  return flat
}

/** A duration as the API's body takes it: "Inf" or whole seconds; HOCON's `10 minutes` too. */
function duration(value: unknown, where: string): string {
  if (typeof value === 'number') return formatBodyDuration(value) // HOCON: a bare number is milliseconds
  if (typeof value !== 'string') throw usageError(`${where} must be a duration such as "3600s" or "Inf"`)
  try {
    return formatBodyDuration(parseQueryDuration(where, value))
  } catch (error) {
    throw usageError((error as Error).message)
  }
}

function wholeNumber(value: unknown, where: string): number {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isInteger(number)) throw usageError(`${where} must be a whole number; got ${JSON.stringify(value)}`)
  return number
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value
  if (value === 'true' || value === 'false') return value === 'true'
  throw usageError(`${where} must be true or false; got ${JSON.stringify(value)}`)
}

function text(value: unknown, field: string, shown: string, allowEmpty = false): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) throw usageError(`${shown}: ${field} must be a non-empty string`)
  return value
}

function pick(data: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) if (data[key] !== undefined) return data[key]
  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error'
}
