/**
 * Contexts: `default` from configuration (read-only through the API) and the ones created
 * through the API. Changes are announced so that the execution layer can apply them to
 * running workers.
 */
import { EventEmitter } from 'node:events'
import {
  DEFAULT_CONTEXT,
  resolveContext,
  type ContextConfig,
  type ContextRequest,
} from '../domain/context.js'
import { badRequest, notFound } from '../domain/errors.js'
import type { CatalogStore } from '../store/catalog-store.js'

export interface ContextEvents {
  changed: [ContextConfig]
  deleted: [ContextConfig]
}

export class ContextService extends EventEmitter<ContextEvents> {
  constructor(
    private readonly catalog: CatalogStore,
    readonly defaults: ContextConfig,
  ) {
    super()
  }

  async get(name: string): Promise<ContextConfig | undefined> {
    if (name === DEFAULT_CONTEXT) return this.defaults
    return this.catalog.getContext(name)
  }

  async require(name: string): Promise<ContextConfig> {
    const context = await this.get(name)
    if (!context) {
      throw notFound(`context ${JSON.stringify(name)} not found; create it with POST /v2/api/contexts`)
    }
    return context
  }

  /** `default` first, then the others by name. */
  async list(): Promise<ContextConfig[]> {
    return [this.defaults, ...(await this.catalog.listContexts())]
  }

  /** Creates or replaces a context; absent fields come from `default`. */
  async put(request: ContextRequest): Promise<ContextConfig> {
    refuseDefault(request.name, 'written')
    const context = resolveContext(request, this.defaults)
    await this.catalog.putContext(context)
    this.emit('changed', context)
    return context
  }

  /** Replaces an existing context (PUT /contexts/{id}); the body's name, if given, must match. */
  async replace(name: string, request: Omit<ContextRequest, 'name'> & { name?: string }): Promise<ContextConfig> {
    refuseDefault(name, 'written')
    if (request.name !== undefined && request.name !== name) {
      throw badRequest(`the body names context ${JSON.stringify(request.name)} but the path names ${JSON.stringify(name)}`)
    }
    await this.require(name)
    return this.put({ ...request, name })
  }

  async delete(name: string): Promise<ContextConfig> {
    refuseDefault(name, 'deleted')
    const context = await this.require(name)
    await this.catalog.deleteContext(name)
    this.emit('deleted', context)
    return context
  }
}

function refuseDefault(name: string, action: 'written' | 'deleted'): void {
  if (name === DEFAULT_CONTEXT) {
    throw badRequest(
      `the "default" context cannot be ${action} through the API; change contextDefaults in the config file and restart`,
    )
  }
}
