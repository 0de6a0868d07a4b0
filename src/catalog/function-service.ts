/**
 * Functions: create, update, read and delete, keeping each function's signature in step with
 * the artifact it lives in. A signature is read from the real code when the function is saved,
 * and read again when its artifact's SHA-1 has changed since.
 */
import type { ArtifactRepository } from '../artifacts/repository.js'
import { missingMessage } from '../artifacts/repository.js'
import { langOfPath, type FunctionConfig, type FunctionRecord, type FunctionSignature } from '../domain/function.js'
import { badRequest, conflict, HazeError, notFound } from '../domain/errors.js'
import { checkEntityName } from '../domain/names.js'
import type { CatalogStore } from '../store/catalog-store.js'
import type { EventBus } from '../events/bus.js'
import { workerLangFor, type WorkerLang } from '../workers/protocol.js'
import type { Logger } from '../logger.js'
import type { ContextService } from './context-service.js'
import type { InfoExtractor, InfoResult } from './info-extractor.js'
import type { RuleChecker } from './jvm-rule-checker.js'

export interface FunctionServiceDeps {
  catalog: CatalogStore
  artifacts: ArtifactRepository
  extractor: InfoExtractor
  contexts: ContextService
  log: Logger
  /** Runs JVM functions' `validated(...)` rules; without it they run on the worker only. */
  rules?: RuleChecker
  /** Where a deployed or updated function is announced (`function:changed`). */
  bus?: EventBus
}

export class FunctionService {
  constructor(private readonly deps: FunctionServiceDeps) {}

  /**
   * Creates a function. Without `force` the artifact must exist and the function must load;
   * with `force` the config is stored (or overwritten) unchecked, as in Mist.
   */
  async create(config: FunctionConfig, options: { force: boolean }): Promise<FunctionRecord> {
    checkConfig(config)
    const existing = await this.deps.catalog.getFunction(config.name)
    if (options.force) return this.store(config, existing, undefined)
    if (existing) {
      throw conflict(`function ${JSON.stringify(config.name)} already exists; update it with PUT /v2/api/functions`)
    }
    await this.requireContext(config.defaultContext)
    return this.store(config, undefined, await this.load(config))
  }

  async update(config: FunctionConfig, options: { force: boolean }): Promise<FunctionRecord> {
    checkConfig(config)
    const existing = await this.deps.catalog.getFunction(config.name)
    if (!existing) throw notFound(missingFunction(config.name))
    if (options.force) return this.store(config, existing, undefined)
    await this.requireContext(config.defaultContext)
    return this.store(config, existing, await this.load(config))
  }

  async get(name: string): Promise<FunctionRecord> {
    const record = await this.deps.catalog.getFunction(name)
    if (!record) throw notFound(missingFunction(name))
    return (await this.refresh([record]))[0] ?? record
  }

  /**
   * What running a job of the function needs: its signature read from the current artifact.
   * A function that does not load (or whose artifact is gone) cannot run: 400 with the cause.
   */
  async resolveForRun(name: string): Promise<{ record: FunctionRecord; signature: FunctionSignature; sha1: string }> {
    const record = await this.deps.catalog.getFunction(name)
    if (!record) throw notFound(missingFunction(name))
    const artifact = await this.deps.artifacts.info(record.path)
    if (!artifact) {
      throw badRequest(`function ${JSON.stringify(name)} cannot run: ${missingMessage(record.path)}`)
    }
    if (record.signature && record.artifactSha === artifact.sha1) {
      return { record, signature: record.signature, sha1: artifact.sha1 }
    }
    const loaded = await this.load(record)
    const updated = await this.store(record, record, loaded)
    return { record: updated, signature: loaded.signature, sha1: loaded.sha1 }
  }

  /**
   * The problem the function's own validation rules find with a job's arguments, before the job
   * exists (Mist's `validated(...)`, run in a JVM, never in the master), or undefined when they
   * fit or the function has no rules. Type checks from `execute` come first, in the master.
   */
  async checkRules(record: FunctionRecord, signature: FunctionSignature, sha1: string, argumentsText: string): Promise<string | undefined> {
    if (!signature.rules?.length || !this.deps.rules) return undefined
    const artifact = await this.deps.artifacts.info(record.path)
    if (!artifact) throw badRequest(`function ${JSON.stringify(record.name)} cannot run: ${missingMessage(record.path)}`)
    return this.deps.rules.check({ path: artifact.path, sha1, className: record.className, argumentsText })
  }

  async list(): Promise<FunctionRecord[]> {
    return this.refresh(await this.deps.catalog.listFunctions())
  }

  async delete(name: string): Promise<FunctionRecord> {
    const record = await this.deps.catalog.getFunction(name)
    if (!record || !(await this.deps.catalog.deleteFunction(name))) throw notFound(missingFunction(name))
    return record
  }

  /** A function naming a context that does not exist is a bad request, not a missing function. */
  private async requireContext(name: string): Promise<void> {
    if ((await this.deps.contexts.get(name)) === undefined) {
      throw badRequest(`defaultContext ${JSON.stringify(name)} does not exist; create it with POST /v2/api/contexts first`)
    }
  }

  /** Loads the function from its artifact; a failure is a 400 carrying the Python error. */
  private async load(config: FunctionConfig): Promise<{ signature: FunctionSignature; sha1: string }> {
    const artifact = await this.deps.artifacts.info(config.path)
    if (!artifact) throw badRequest(missingMessage(config.path))
    const [result] = await this.deps.extractor.describe([{ path: artifact.path, className: config.className }])
    if (!result) throw new HazeError('internal', 'the function info extractor gave no answer')
    if (!result.ok) {
      throw badRequest(`function ${JSON.stringify(config.name)} cannot be loaded from ${config.path}: ${result.error}`)
    }
    return { signature: signatureOf(result), sha1: artifact.sha1 }
  }

  private async store(
    config: FunctionConfig,
    existing: FunctionRecord | undefined,
    loaded: { signature: FunctionSignature; sha1: string } | undefined,
  ): Promise<FunctionRecord> {
    const now = Date.now()
    const record: FunctionRecord = {
      name: config.name,
      path: config.path,
      className: config.className,
      defaultContext: config.defaultContext,
      signature: loaded?.signature,
      artifactSha: loaded?.sha1,
      createTime: existing?.createTime ?? now,
      updateTime: now,
    }
    await this.deps.catalog.putFunction(record)
    this.deps.bus?.publish('function:changed', { function: record, time: now })
    return record
  }

  /**
   * The kinds of worker the functions whose default context is `context` run on: a context
   * starts its precreated and spare workers of each (python, jvm), ahead of their first job.
   */
  async workerLangsOf(context: string): Promise<WorkerLang[]> {
    const records = await this.deps.catalog.listFunctions()
    return [...new Set(records.filter((record) => record.defaultContext === context).map((record) => workerLangFor(langOfPath(record.path))))]
  }

  /**
   * Reads again, in one extractor run, the signatures of functions whose artifact changed
   * (or that were stored with `force`). A function that no longer loads keeps what it had,
   * with a warning in the log, rather than disappearing from listings.
   */
  private async refresh(records: FunctionRecord[]): Promise<FunctionRecord[]> {
    const stale: { index: number; path: string; sha1: string }[] = []
    for (const [index, record] of records.entries()) {
      const artifact = await this.deps.artifacts.info(record.path).catch(() => undefined)
      if (artifact && artifact.sha1 !== record.artifactSha) stale.push({ index, path: artifact.path, sha1: artifact.sha1 })
    }
    if (stale.length === 0) return records
    let results: InfoResult[]
    try {
      results = await this.deps.extractor.describe(
        stale.map(({ index, path }) => ({ path, className: records[index]?.className ?? '' })),
      )
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not refresh function signatures')
      return records
    }
    const refreshed = [...records]
    for (const [position, { index, sha1 }] of stale.entries()) {
      const record = records[index]
      const result = results[position]
      if (!record || !result) continue
      if (!result.ok) {
        this.deps.log.warn({ function: record.name, error: result.error }, 'function no longer loads from its artifact')
        continue
      }
      const updated = { ...record, signature: signatureOf(result), artifactSha: sha1 }
      await this.deps.catalog.putFunction(updated)
      refreshed[index] = updated
    }
    return refreshed
  }
}

function checkConfig(config: FunctionConfig): void {
  checkEntityName('function', config.name)
  checkEntityName('context', config.defaultContext)
  if (config.path.trim() === '') throw badRequest('path must name an artifact')
  if (config.className.trim() === '') throw badRequest('className must name a function in the artifact')
}

function signatureOf(result: InfoResult & { ok: true }): FunctionSignature {
  return {
    lang: result.lang,
    execute: result.execute,
    tags: result.tags,
    contextKind: result.contextKind,
    defaults: result.defaults ?? {},
    ...(result.rules?.length ? { rules: result.rules } : {}),
  }
}

const missingFunction = (name: string): string =>
  `function ${JSON.stringify(name)} not found; create it with POST /v2/api/functions`
