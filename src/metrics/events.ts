/**
 * Event stream metrics, read at scrape time from the counts the bus and the WebSocket stream
 * already keep: listeners that failed (each is also in the log), subscribers connected now,
 * and subscribers closed for reading too slowly.
 */
import { Counter, Gauge } from 'prom-client'
import type { Registry } from './registry.js'

export interface EventSources {
  bus: { readonly listenerFailures: number }
  sockets: { readonly size: number; readonly slowClosed: number }
}

export function eventMetrics(registry: Registry, { bus, sockets }: EventSources): void {
  const registers = [registry]
  new Counter({
    name: 'haze_event_listener_failures_total',
    help: 'Event bus listeners that threw or rejected (job log, WebSocket, MQTT, Kafka, metrics); the Haze log has each error',
    registers,
    collect() {
      this.reset()
      this.inc(bus.listenerFailures)
    },
  })
  new Gauge({
    name: 'haze_event_stream_subscribers',
    help: 'WebSocket event stream subscribers connected now (all-jobs and one-job streams)',
    registers,
    collect() {
      this.set(sockets.size)
    },
  })
  new Counter({
    name: 'haze_event_stream_slow_closed_total',
    help: 'WebSocket event stream subscribers closed because more than wsBufferLimit of events waited for them',
    registers,
    collect() {
      this.reset()
      this.inc(sockets.slowClosed)
    },
  })
}
