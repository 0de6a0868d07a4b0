/**
 * Jobs over Kafka end to end: a real single-node Kafka (KRaft), a real Mosquitto, a real
 * master, real Spark. A WebSocket client, an MQTT subscriber and a Kafka consumer each see the
 * full, ordered lifecycle of jobs started over HTTP, MQTT and Kafka; bad Kafka messages produce
 * error events; a broker that crashes and comes back loses nothing; and a master killed with a
 * Kafka job running runs it again after the restart, with the messages sent while it was down.
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import mqtt, { type MqttClient } from 'mqtt'
import { loadConfig } from '../src/config.js'
import { exited, startCli } from './helpers/cli.js'
import { lifecycle, openEvents, type EventClient, type Frame } from './helpers/events.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { readTopic, startKafka, topicWriter, type Kafka, type TopicReader } from './helpers/kafka.js'
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const KAFKA_IN = 'haze-test-kafka-in'
const KAFKA_OUT = 'haze-test-kafka-out'
const MQTT_IN = 'haze-test-mqtt-in'
const MQTT_OUT = 'haze-test-mqtt-out'
/** A job on a worker that already holds its artifact: no job-file-downloading. */
const WARM_RUN = ['initialized', 'queued', 'worker-assigned', 'started', 'finished']
const isEnd = (frame: Frame) => ['finished', 'failed', 'cancelled'].includes(frame.event)

describe('jobs over Kafka, followed over WebSocket, MQTT and Kafka', { timeout: 600_000 }, () => {
  let kafka: Kafka
  let mosquitto: Mosquitto
  let haze: TestHaze
  let ws: EventClient
  let mqttClient: MqttClient
  let reader: TopicReader
  let writer: ReturnType<typeof topicWriter>
  const mqttFrames: Frame[] = []
  const send = (message: string) => writer.send(KAFKA_IN, message)
  const onKafka = (match: (frame: Frame) => boolean, what: string) => reader.next(match, what)
  const endOnKafka = (id: string) => onKafka((f) => f.id === id && isEnd(f), `the end of job ${id} on Kafka`)

  before(async () => {
    kafka = await startKafka()
    writer = topicWriter(kafka.brokers)
    mosquitto = await startMosquitto()
    haze = await startHaze({
      kafka: { ...loadConfig({}, {}).kafka, on: true, brokers: kafka.brokers, subscribeTopic: KAFKA_IN, publishTopic: KAFKA_OUT, groupId: 'haze-under-test' },
      mqtt: { on: true, host: mosquitto.host, port: mosquitto.port, subscribeTopic: MQTT_IN, publishTopic: MQTT_OUT, clientId: 'haze-under-test' },
    })
    ws = await openEvents(haze.url, '/v2/api/ws/all')
    mqttClient = await mqtt.connectAsync({ host: mosquitto.host, port: mosquitto.port, clientId: 'haze-test-kafka-suite', clean: true })
    mqttClient.on('message', (_topic, payload) => mqttFrames.push(JSON.parse(payload.toString()) as Frame))
    await mqttClient.subscribeAsync(MQTT_OUT, { qos: 1 })
    reader = await readTopic(kafka.brokers, KAFKA_OUT)

    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const context = { name: 'kq', workerMode: 'shared', maxJobs: 4, precreated: true, downtime: 'Inf', sparkConf: { 'spark.master': 'local[2]', 'spark.ui.port': '0' } }
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', context))).status, 200)
    for (const [name, className] of [['noop', 'noop'], ['big', 'big_numbers'], ['echo', 'echo'], ['slow', 'slow_count']]) {
      const body = { name, path: 'jobs.py', className, defaultContext: 'kq' }
      assert.equal((await haze.json('/v2/api/functions', jsonBody('POST', body))).status, 200, name)
    }
    await until(async () => (await jobApi(haze).workers()).some((w) => w.context === 'kq' && w.state === 'ready'), 'the warm worker', 120_000)
    // The worker fetches the artifact for its first job; after this one, every job runs warm.
    const warmUp = await haze.json<{ success: boolean }>('/v2/api/functions/noop/jobs?force=true', jsonBody('POST', {}))
    assert.equal(warmUp.body.success, true)
  })
  after(async () => {
    await ws?.close()
    await mqttClient?.endAsync(true)
    await reader?.close()
    await writer?.close()
    await haze?.close()
    await mosquitto?.stop()
    await kafka?.stop()
  })

  it("starts a job from a Kafka message in Mist's format, as source Async Kafka", async () => {
    await send(JSON.stringify({ functionId: 'echo', parameters: { value: { n: 7 } }, externalId: 'from-kafka-1', runSettings: { contextId: 'kq' } }))
    const initialized = await onKafka((f) => f.event === 'initialized' && f.externalId === 'from-kafka-1', 'the job to be initialized')
    const finished = await endOnKafka(initialized.id ?? '')
    assert.deepEqual(finished.result, { n: 7 })
    const stored = await haze.json<{ source: string; externalId: string }>(`/v2/api/jobs/${initialized.id}`)
    assert.deepEqual([stored.body.source, stored.body.externalId], ['Async Kafka', 'from-kafka-1'])
  })

  it('shows every subscriber the whole ordered lifecycle of jobs started over HTTP, MQTT and Kafka', async () => {
    const http = await haze.json<{ id: string }>('/v2/api/functions/big/jobs', jsonBody('POST', {}))
    await mqttClient.publishAsync(MQTT_IN, JSON.stringify({ functionId: 'echo', parameters: { value: 'over mqtt' }, externalId: 'cross-mqtt' }), { qos: 1 })
    await send(JSON.stringify({ functionId: 'echo', parameters: { value: 'over kafka' }, externalId: 'cross-kafka' }))
    const idOf = async (externalId: string) => (await onKafka((f) => f.event === 'initialized' && f.externalId === externalId, externalId)).id ?? ''
    const jobs = { http: http.body.id, mqtt: await idOf('cross-mqtt'), kafka: await idOf('cross-kafka') }
    const observers = { websocket: ws.frames, mqtt: mqttFrames, kafka: reader.frames }
    for (const [observer, frames] of Object.entries(observers)) {
      for (const [source, id] of Object.entries(jobs)) {
        await until(() => frames.some((f) => f.id === id && isEnd(f)), `the ${source} job's end on ${observer}`, 120_000)
        assert.deepEqual(lifecycle(frames, id), WARM_RUN, `${observer} sees the ${source}-started job's lifecycle`)
      }
    }
    const result = (frames: Frame[], id: string) => frames.find((f) => f.id === id && f.event === 'finished')?.result
    assert.deepEqual(
      Object.values(observers).map((frames) => result(frames, jobs.kafka)),
      ['over kafka', 'over kafka', 'over kafka'],
      'every observer has the Kafka job result',
    )
    assert.ok(reader.texts.some((text) => text.includes(`"id":"${jobs.http}"`) && text.includes('1267650600228229401496703205376')), 'the big integer exact on Kafka')
  })

  it('answers a Kafka message that is not JSON with an error event', async () => {
    await send('this is { not json')
    const error = await onKafka((f) => f.event === 'error' && /not JSON/.test(String(f.error)), 'an error event')
    assert.match(String(error.error), /^the message did not start a job: it is not JSON/)
  })

  it('answers an unknown function with an error event carrying the externalId', async () => {
    await send(JSON.stringify({ functionId: 'nope', externalId: 'kafka-bad-1' }))
    const error = await onKafka((f) => f.event === 'error' && f.externalId === 'kafka-bad-1', 'an error event for kafka-bad-1')
    assert.match(String(error.error), /function "nope"/)
  })

  it('answers invalid arguments with an error event naming them, and starts no job', async () => {
    const before = (await haze.json<unknown[]>('/v2/api/jobs?limit=1000')).body.length
    await send(JSON.stringify({ functionId: 'slow', parameters: { seconds: 'long' }, externalId: 'kafka-bad-2' }))
    const error = await onKafka((f) => f.event === 'error' && f.externalId === 'kafka-bad-2', 'an error event for kafka-bad-2')
    assert.match(String(error.error), /invalid arguments for function "slow": seconds must be/)
    assert.equal((await haze.json<unknown[]>('/v2/api/jobs?limit=1000')).body.length, before)
  })

  it('loses nothing when the Kafka broker crashes and comes back', async () => {
    const { body } = await haze.json<{ id: string }>('/v2/api/functions/slow/jobs', jsonBody('POST', { seconds: 3 }))
    await onKafka((f) => f.id === body.id && f.event === 'started', 'the slow job to start')
    await kafka.restart()
    // The job ends while Haze may still be reconnecting: its end must still reach the topic.
    assert.equal((await endOnKafka(body.id)).event, 'finished')
    assert.deepEqual(lifecycle(reader.frames, body.id), WARM_RUN)
    await send(JSON.stringify({ functionId: 'echo', parameters: { value: 'after the crash' }, externalId: 'after-crash' }))
    const initialized = await onKafka((f) => f.event === 'initialized' && f.externalId === 'after-crash', 'a job started after the crash')
    assert.deepEqual((await endOnKafka(initialized.id ?? '')).result, 'after the crash')
  })
})

describe('a master killed while a Kafka job runs', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'haze-kafka-restart-'))
  const children: ChildProcess[] = []
  let kafka: Kafka | undefined
  let writer: ReturnType<typeof topicWriter> | undefined
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await writer?.close()
    await kafka?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs the interrupted job again after the restart, and the message sent while it was down', async () => {
    kafka = await startKafka()
    writer = topicWriter(kafka.brokers)
    const config = join(dir, 'haze.json')
    writeFileSync(config, JSON.stringify({ kafka: { on: true, brokers: kafka.brokers, subscribeTopic: KAFKA_IN, publishTopic: KAFKA_OUT, groupId: 'haze-restarted' } }))
    const start = async () => {
      const master = await startCli(['--data-dir', join(dir, 'data'), '--config', config])
      children.push(master.child)
      return master
    }
    const first = await start()
    const api = (url: string, path: string, init?: RequestInit) => fetch(`${url}${path}`, init)
    assert.equal((await api(first.url, '/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const context = { name: 'kr', workerMode: 'shared', maxJobs: 2, sparkConf: { 'spark.master': 'local[2]', 'spark.ui.port': '0' } }
    assert.equal((await api(first.url, '/v2/api/contexts', jsonBody('POST', context))).status, 200)
    for (const [name, className] of [['echo', 'echo'], ['slow', 'slow_count']]) {
      assert.equal((await api(first.url, '/v2/api/functions', jsonBody('POST', { name, path: 'jobs.py', className, defaultContext: 'kr' }))).status, 200)
    }
    type Listed = { jobId: string; status: string; externalId?: string; jobResult?: unknown }
    const byExternalId = async (url: string, externalId: string) =>
      ((await (await api(url, '/v2/api/jobs?limit=1000')).json()) as Listed[]).filter((job) => job.externalId === externalId)

    await writer.send(KAFKA_IN, JSON.stringify({ functionId: 'slow', parameters: { seconds: 4 }, externalId: 'interrupted' }))
    const running = await until(async () => (await byExternalId(first.url, 'interrupted')).find((job) => job.status === 'started'), 'the Kafka job to start', 180_000)
    first.child.kill('SIGKILL')
    await exited(first.child)
    await writer.send(KAFKA_IN, JSON.stringify({ functionId: 'echo', parameters: { value: 'sent while down' }, externalId: 'while-down' }))

    const second = await start()
    const ended = async (externalId: string) => {
      const jobs = await until(async () => {
        const found = await byExternalId(second.url, externalId)
        return found.length > 0 && found.every((job) => ['finished', 'failed', 'cancelled'].includes(job.status)) && found
      }, `the ${externalId} job to end`, 180_000)
      return jobs
    }
    const interrupted = await ended('interrupted')
    assert.deepEqual(
      interrupted.map((job) => [job.jobId, job.status]),
      [[running.jobId, 'finished']],
      'the interrupted job ran again, as the same job, once',
    )
    const whileDown = await ended('while-down')
    assert.deepEqual(
      whileDown.map((job) => [job.status, job.jobResult]),
      [['finished', 'sent while down']],
      'the message sent while the master was down started exactly one job',
    )
    second.child.kill('SIGTERM')
    assert.equal((await exited(second.child)).code, 0)
  })
})

