/**
 * A real single-node Apache Kafka for a test: KRaft, one process as broker and controller,
 * from the jars scripts/brokers.sh puts in .brokers/kafka/libs, on free loopback ports with its
 * data in a temp dir. `restart()` crashes it (SIGKILL) and brings it back on the same ports
 * with the same data; `stop()` stops it and removes the data. And a reader and a writer of
 * topics, for the test's side.
 */
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { execFile } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { brokerProcess, freePort } from './broker-process.js'
import type { Frame } from './events.js'
import { until } from './wait.js'

export interface Kafka {
  /** `host:port` of its one broker. */
  brokers: string[]
  stop(): Promise<void>
  restart(): Promise<void>
}

const LIBS = resolve(import.meta.dirname, '../../.brokers/kafka/libs')
const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
/** A small heap, and a JIT that starts fast: the broker carries a test's few messages. */
const JVM = ['-Xms64m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', `${LIBS}/*`]

export async function startKafka(): Promise<Kafka> {
  if (!existsSync(LIBS)) throw new Error(`no Kafka jars in ${LIBS}: run scripts/brokers.sh`)
  const dir = mkdtempSync(join(tmpdir(), 'haze-kafka-'))
  const [port, controllerPort] = [await freePort(), await freePort()]
  const properties = join(dir, 'server.properties')
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  )
  try {
    await promisify(execFile)(JAVA, [...JVM, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId(), '-c', properties])
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const broker = brokerProcess('kafka', JAVA, [...JVM, 'kafka.Kafka', properties], port, 60_000)
  try {
    await broker.launch()
  } catch (error) {
    await broker.halt('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    brokers: [`127.0.0.1:${port}`],
    async stop() {
      await broker.halt()
      rmSync(dir, { recursive: true, force: true })
    },
    async restart() {
      await broker.halt('SIGKILL')
      await broker.launch()
    },
  }
}

/** A Kafka cluster id: 16 random bytes in URL-safe base64, not starting with "-" (as Kafka's own). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

export interface TopicReader {
  /** Every message's value as a frame, in the topic's order, each offset once. */
  readonly frames: Frame[]
  readonly texts: string[]
  next(match: (frame: Frame) => boolean, what: string, ms?: number): Promise<Frame>
  close(): Promise<void>
}

/** Reads `topic` from its beginning in a consumer group of its own, through broker restarts. */
export async function readTopic(brokers: string[], topic: string): Promise<TopicReader> {
  const consumer = new Consumer({
    clientId: 'haze-test-reader',
    groupId: `haze-test-reader-${randomUUID()}`,
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
    retries: true,
    retryDelay: 200,
    autocreateTopics: true,
  })
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 })
  const frames: Frame[] = []
  const texts: string[] = []
  // After a broker restart the group may hand back offsets already read: each is kept once.
  let nextOffset = 0n
  stream.on('data', (message: { offset: bigint; value?: string }) => {
    if (message.offset < nextOffset) return
    nextOffset = message.offset + 1n
    texts.push(message.value ?? '')
    frames.push(JSON.parse(message.value ?? '') as Frame)
  })
  return {
    frames,
    texts,
    next: (match, what, ms = 120_000) => until(() => frames.find(match), what, ms),
    async close() {
      await stream.close()
      await consumer.close()
    },
  }
}

/** Sends messages to a topic, retrying while the broker is away. */
export function topicWriter(brokers: string[]): { send(topic: string, value: string): Promise<void>; close(): Promise<void> } {
  const producer = new Producer({ clientId: 'haze-test-writer', bootstrapBrokers: brokers, serializers: stringSerializers, retries: true, retryDelay: 200, autocreateTopics: true })
  return {
    async send(topic, value) {
      await producer.send({ messages: [{ topic, value }] })
    },
    close: () => producer.close(),
  }
}
