/**
 * Store query latency, measured around the store interfaces rather than inside the SQL code:
 * `server.ts` wraps each store once, so every backend (SQLite now, PostgreSQL later) is
 * timed the same way and no query can be missed by forgetting a timer.
 */
import { Histogram } from 'prom-client'
import { BUCKETS, type Registry } from './registry.js'

/** Returns `time(name, store)`: the store with each method call observed as `operation="method"`. */
export function storeTiming(registry: Registry): <T extends object>(name: string, store: T) => T {
  const latency = new Histogram({
    name: 'haze_store_query_duration_seconds',
    help: 'Time a store call took, until its answer (or error), by store and operation (the method called)',
    labelNames: ['store', 'operation'] as const,
    buckets: BUCKETS.store,
    registers: [registry],
  })
  return <T extends object>(name: string, store: T): T => {
    // One wrapper per method, made on first use: the proxy must not allocate on every call.
    const wrapped = new Map<PropertyKey, unknown>()
    return new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver)
        if (typeof value !== 'function' || typeof property !== 'string') return value
        let wrapper = wrapped.get(property)
        if (wrapper === undefined) {
          const method = value as (...args: unknown[]) => unknown
          const labels = { store: name, operation: property }
          wrapper = function timed(this: unknown, ...args: unknown[]): unknown {
            const stop = latency.startTimer(labels)
            let outcome: unknown
            try {
              // Called on the store itself, not the proxy: its private fields stay reachable.
              outcome = method.apply(target, args)
            } catch (error) {
              stop()
              throw error
            }
            if (outcome instanceof Promise) {
              return outcome.finally(() => stop())
            }
            stop()
            return outcome
          }
          wrapped.set(property, wrapper)
        }
        return wrapper
      },
    })
  }
}
