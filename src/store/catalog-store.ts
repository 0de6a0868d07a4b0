/**
 * Where functions and contexts are kept (the `default` context lives in configuration, not here).
 */
import type { ContextConfig } from '../domain/context.js'
import type { FunctionRecord } from '../domain/function.js'

export interface CatalogStore {
  getFunction(name: string): Promise<FunctionRecord | undefined>
  listFunctions(): Promise<FunctionRecord[]>
  putFunction(record: FunctionRecord): Promise<void>
  /** True if a function was deleted. */
  deleteFunction(name: string): Promise<boolean>

  getContext(name: string): Promise<ContextConfig | undefined>
  listContexts(): Promise<ContextConfig[]>
  putContext(context: ContextConfig): Promise<void>
  deleteContext(name: string): Promise<boolean>
}
