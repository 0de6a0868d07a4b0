/**
 * Mist's MQTT interface: a message on `subscribeTopic` starts a job (source `Async Mqtt`), and
 * every event of every job goes to `publishTopic`, as the same frames as on WebSocket.
 *
 * Nothing accepted is lost:
 * - the subscription is QoS 1 in a persistent session (`clean: false`, a fixed client id),
 *   so the broker keeps messages sent while Haze is away; a message is acknowledged only once
 *   its job is recorded (or refused with an error event), so one that arrives as Haze stops
 *   is delivered again after the restart;
 * - events are published with QoS 1; while the broker is away they wait in the client, up to
 *   a bound (past it new events are dropped and counted, so memory stays bounded);
 * - a broker that goes away is reconnected with exponential backoff (0.5 s doubling to 30 s).
 */
import mqtt, { type MqttClient } from 'mqtt'
import type { MqttConfig } from '../config.js'
import { coerceError } from '../domain/errors.js'
import type { Logger } from '../logger.js'
import { FIRST_RETRY_MS, followJobs, LAST_RETRY_MS, MAX_WAITING, takeMessage, within, type AsyncInterface, type JobSubmitter } from './async-input.js'
import type { EventBus } from './bus.js'

export class MqttInterface implements AsyncInterface {
  private readonly client: MqttClient
  private readonly log: Logger
  private readonly unfollow: () => void
  private waiting = 0
  private intake = true
  private closing: Promise<void> | undefined
  /** Called when the last waiting event has reached the broker (while closing). */
  private drained: (() => void) | undefined
  /** Events dropped because the broker was away too long. */
  dropped = 0

  constructor(
    private readonly config: MqttConfig,
    private readonly executor: JobSubmitter,
    bus: EventBus,
    log: Logger,
  ) {
    this.log = log.child({ part: 'mqtt' })
    this.client = mqtt.connect({
      host: config.host,
      port: config.port,
      clientId: config.clientId,
      username: config.username,
      password: config.password,
      clean: false,
      reconnectPeriod: FIRST_RETRY_MS,
      connectTimeout: 10_000,
      manualConnect: true,
    })
    this.client.on('connect', () => {
      this.client.options.reconnectPeriod = FIRST_RETRY_MS
      this.log.info({ host: config.host, port: config.port }, 'connected to the MQTT broker')
      this.client.subscribe(config.subscribeTopic, { qos: 1 }, (error) => {
        if (error) this.log.error({ err: error, topic: config.subscribeTopic }, 'could not subscribe')
      })
    })
    this.client.on('close', () => {
      if (this.closing) return
      const next = Math.min(LAST_RETRY_MS, (this.client.options.reconnectPeriod ?? FIRST_RETRY_MS) * 2)
      this.log.warn({ retryInMs: this.client.options.reconnectPeriod }, 'the MQTT broker is away; reconnecting')
      this.client.options.reconnectPeriod = next
    })
    this.client.on('error', (error) => this.log.warn({ err: error }, 'MQTT client error'))
    // Acknowledged only when this callback is called: after the job is recorded.
    this.client.handleMessage = (packet, done) => {
      if (packet.topic !== config.subscribeTopic) return done()
      void this.receive(packet.payload.toString()).then((handled) => {
        if (handled) done()
      })
    }
    this.unfollow = followJobs(bus, (frame) => this.publish(frame))
  }

  start(): void {
    this.client.connect()
  }

  stopIntake(): void {
    this.intake = false
  }

  close(grace: number): Promise<void> {
    this.closing ??= (async () => {
      this.intake = false
      this.unfollow()
      if (this.waiting > 0 && this.client.connected) await within(new Promise<void>((resolve) => (this.drained = resolve)), grace)
      await this.client.endAsync(this.waiting > 0).catch((error: unknown) => this.log.warn({ err: coerceError(error) }, 'MQTT disconnect failed'))
    })()
    return this.closing
  }

  /** True once the message is dealt with (job recorded, or refused for good). */
  private async receive(message: string): Promise<boolean> {
    if (!this.intake) return false
    return takeMessage(this.executor, message, 'Async Mqtt', (frame) => this.publish(frame), this.log)
  }

  private publish(frame: string): void {
    if (this.waiting >= MAX_WAITING) {
      this.dropped += 1
      if (this.dropped === 1 || this.dropped % 10_000 === 0) {
        this.log.error({ dropped: this.dropped }, `the MQTT broker has been away for ${MAX_WAITING} events; dropping new ones`)
      }
      return
    }
    this.waiting += 1
    this.client.publish(this.config.publishTopic, frame, { qos: 1 }, (error) => {
      this.waiting -= 1
      if (this.waiting === 0) this.drained?.()
      if (error && !this.closing) this.log.warn({ err: error }, 'an event could not be published to MQTT')
    })
  }
}
