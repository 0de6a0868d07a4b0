/**
 * Mist's Kafka interface: a message on `subscribeTopic` starts a job (source `Async Kafka`),
 * and every event of every job goes to `publishTopic` (key "", the frames of the WebSocket).
 *
 * Nothing accepted is lost:
 * - the input is read in the consumer group `groupId`, one message at a time, and a message's
 *   offset is committed only once its job is recorded (or refused with an error event); a
 *   restart resumes after the last committed message, so one that arrived as Haze stopped is
 *   read again. A group with no committed offset starts at the topic's beginning, so what was
 *   sent before Haze first started is read too. Delivery is at least once: a job recorded just
 *   before a crash, whose commit never reached the broker, is started again.
 * - events leave in order, one batch in flight at a time, acknowledged by every in-sync replica
 *   (acks = all); while the brokers are away they wait, up to a bound (past it new events are
 *   dropped and counted, so memory stays bounded);
 * - brokers that go away are retried with exponential backoff (0.5 s doubling to 30 s), forever.
 */
import { Consumer, Producer, ProduceAcks, stringDeserializers, stringSerializers, type MessagesStream } from '@platformatic/kafka'
import type { KafkaConfig } from '../config.js'
import { coerceError } from '../domain/errors.js'
import type { Logger } from '../logger.js'
import { FIRST_RETRY_MS, followJobs, LAST_RETRY_MS, MAX_WAITING, takeMessage, within, type AsyncInterface, type JobSubmitter } from './async-input.js'
import type { EventBus } from './bus.js'

/** At most this many events, and about this many bytes, go in one produce request. */
const BATCH_EVENTS = 500
const BATCH_BYTES = 512 * 1024

/** A Haze that stops heartbeating for this long leaves the group; its partitions go to another member. */
const SESSION_MS = 30_000
const REBALANCE_MS = 30_000

const backoff = (attempt: number): number => Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1))

export class KafkaInterface implements AsyncInterface {
  private readonly producer: Producer<string, string, string, string>
  private readonly consumer: Consumer<string, string, string, string>
  private readonly log: Logger
  private readonly unfollow: () => void
  private stream: MessagesStream<string, string, string, string> | undefined
  private reading: Promise<void> | undefined
  private readonly outbox: string[] = []
  private sending: Promise<void> | undefined
  private intake = true
  private closing: Promise<void> | undefined
  /** Events dropped: the brokers were away too long, or refused them for good. */
  dropped = 0

  constructor(
    private readonly config: KafkaConfig,
    private readonly executor: JobSubmitter,
    bus: EventBus,
    log: Logger,
  ) {
    this.log = log.child({ part: 'kafka' })
    const client = {
      clientId: config.clientId,
      bootstrapBrokers: config.brokers,
      retries: true,
      retryDelay: (_client: unknown, operation: string, attempt: number, _retries: number, error: Error) => {
        const delay = backoff(attempt)
        if (!this.closing && (attempt === 1 || delay === LAST_RETRY_MS)) this.log.warn({ operation, attempt, retryInMs: delay, error: describe(error) }, `Kafka ${operation} failed; retrying`)
        return delay
      },
      autocreateTopics: true,
      connectTimeout: 10_000,
      // Longer than a rebalance may take: a JoinGroup is answered only once the group has settled.
      requestTimeout: REBALANCE_MS + 15_000,
      ...(config.tls ? { tls: {} } : {}),
      ...(config.username === undefined ? {} : { sasl: { mechanism: config.saslMechanism, username: config.username, password: config.password ?? '' } }),
    }
    this.producer = new Producer({ ...client, serializers: stringSerializers, acks: ProduceAcks.ALL })
    this.consumer = new Consumer({
      ...client,
      groupId: config.groupId,
      // Static membership (KIP-345): a restarted Haze takes its own place back at once, instead
      // of waiting for the broker to time out the member it was before the restart.
      groupInstanceId: config.clientId,
      sessionTimeout: SESSION_MS,
      rebalanceTimeout: REBALANCE_MS,
      deserializers: stringDeserializers,
    })
    this.consumer.on('client:broker:disconnect', () => {
      if (!this.closing) this.log.warn({ brokers: config.brokers }, 'a Kafka broker went away; reconnecting')
    })
    this.consumer.on('consumer:group:join', ({ assignments }: { assignments?: unknown }) =>
      this.log.info({ group: config.groupId, assignments }, `reading ${config.subscribeTopic} in the consumer group`),
    )
    this.unfollow = followJobs(bus, (frame) => this.publish(frame))
  }

  start(): void {
    this.reading ??= this.read()
  }

  stopIntake(): void {
    this.intake = false
  }

  close(grace: number): Promise<void> {
    this.closing ??= (async () => {
      this.intake = false
      this.unfollow()
      await within(this.drained(), grace)
      if (this.outbox.length > 0) this.log.warn({ waiting: this.outbox.length }, 'Kafka did not take every event before shutdown')
      const quietly = (what: string) => (error: unknown) => this.log.warn({ err: coerceError(error) }, `${what} failed`)
      await this.stream?.close().catch(quietly('closing the Kafka stream'))
      await Promise.all([this.consumer.close().catch(quietly('closing the Kafka consumer')), this.producer.close().catch(quietly('closing the Kafka producer'))])
      await this.reading
    })()
    return this.closing
  }

  /** Reads the input topic until closed; a failed stream is opened again after a backoff. */
  private async read(): Promise<void> {
    for (let attempt = 1; this.intake; attempt += 1) {
      try {
        this.stream = await this.consumer.consume({ topics: [this.config.subscribeTopic], autocommit: false, mode: 'committed', fallbackMode: 'earliest' })
        for await (const message of this.stream) {
          attempt = 1
          if (!this.intake) break
          const handled = await takeMessage(this.executor, message.value ?? '', 'Async Kafka', (frame) => this.publish(frame), this.log)
          // Not dealt with (Haze is stopping): left uncommitted, it is read again after the restart.
          if (!handled) break
          await message.commit()
        }
      } catch (error) {
        if (!this.intake) break
        const delay = backoff(attempt)
        this.log.warn({ error: describe(error), retryInMs: delay }, 'reading Kafka failed; reading again')
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
  }

  private publish(frame: string): void {
    if (this.outbox.length >= MAX_WAITING) {
      this.dropped += 1
      if (this.dropped === 1 || this.dropped % 10_000 === 0) {
        this.log.error({ dropped: this.dropped }, `Kafka has been away for ${MAX_WAITING} events; dropping new ones`)
      }
      return
    }
    this.outbox.push(frame)
    this.sending ??= this.send()
  }

  /** Sends the outbox in order, one batch in flight; the client retries a batch until the brokers take it. */
  private async send(): Promise<void> {
    let single = false
    while (this.outbox.length > 0) {
      const batch = single ? this.outbox.slice(0, 1) : nextBatch(this.outbox)
      try {
        await this.producer.send({ messages: batch.map((value) => ({ topic: this.config.publishTopic, key: '', value })) })
        single = false
      } catch (error) {
        if (this.producer.closed) break
        // Refused for good (too large, not authorized): alone, it is dropped; in a batch, the
        // batch is sent again one event at a time, so only the refused event is lost.
        if (batch.length > 1) {
          single = true
          continue
        }
        this.dropped += 1
        this.log.error({ error: describe(error), dropped: this.dropped }, 'Kafka refused an event; it is dropped')
      }
      this.outbox.splice(0, batch.length)
    }
    this.sending = undefined
  }

  /** Resolves once every waiting event has been sent (or dropped). */
  private async drained(): Promise<void> {
    while (this.sending) await this.sending
  }
}

function nextBatch(outbox: readonly string[]): string[] {
  let bytes = 0
  let end = 0
  while (end < outbox.length && end < BATCH_EVENTS) {
    bytes += (outbox[end] ?? '').length
    if (end > 0 && bytes > BATCH_BYTES) break
    end += 1
  }
  return outbox.slice(0, end)
}

/** An error of the Kafka client in one line: its message, and the broker's reasons under it. */
function describe(error: unknown): string {
  const thrown = coerceError(error)
  const reasons = thrown instanceof AggregateError ? thrown.errors.map((inner) => coerceError(inner).message) : []
  return [thrown.message, ...new Set(reasons)].join(': ')
}
