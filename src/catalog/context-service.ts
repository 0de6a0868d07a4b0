/**
 * Contexts: `default` from configuration (read-only through the API) and the ones created
 * through the API. Changes are published on the event bus (`context:changed`,
 * `context:deleted`), where the execution layer applies them to running workers.
 */
import {
  DEFAULT_CONTEXT,
  resolveContext,
  type ContextConfig,
  type ContextRequest,
} from '../domain/context.js'
import { badRequest, notFound } from '../domain/errors.js'
import type { EventBus } from '../events/bus.js'
import type { CatalogStore } from '../store/catalog-store.js'

export class ContextService {
  constructor(
    private readonly catalog: CatalogStore,
    readonly defaults: ContextConfig,
    private readonly bus: EventBus,
    /** The runners the config file defines, which a context may name. */
    private readonly runners: readonly string[] = [],
  ) {}

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
    if (context.runner !== undefined && !this.runners.includes(context.runner)) {
      const known = this.runners.length === 0 ? 'the config file defines none' : `the config file defines ${this.runners.join(', ')}`
      throw badRequest(`unknown runner ${JSON.stringify(context.runner)}: ${known} (runners are commands of the operator's, set in the config file)`)
    }
    await this.catalog.putContext(context)
    this.bus.publish('context:changed', { context, time: Date.now() })
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
    this.bus.publish('context:deleted', { context, time: Date.now() })
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
