/**
 * Jobs over MQTT end to end: a real Mosquitto broker, a real master, real Spark. An MQTT
 * subscriber sees the full, ordered lifecycle of jobs started over HTTP and over MQTT; bad
 * messages produce error events; a broker that goes away and comes back loses nothing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import mqtt, { type MqttClient } from 'mqtt'
import { lifecycle, NORMAL_RUN, type Frame } from './helpers/events.js'
import { jobApi, jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const IN = 'haze-test-in'
const OUT = 'haze-test-out'

describe('jobs over MQTT', { timeout: 600_000 }, () => {
  let broker: Mosquitto
  let haze: TestHaze
  let client: MqttClient
  const frames: Frame[] = []
  const texts: string[] = []
  const next = (match: (frame: Frame) => boolean, what: string, ms = 120_000) => until(() => frames.find(match), what, ms)
  const ended = (id: string) => next((f) => f.id === id && ['finished', 'failed', 'cancelled'].includes(f.event), `the end of job ${id}`)
  const send = (message: string) => client.publishAsync(IN, message, { qos: 1 })

  before(async () => {
    broker = await startMosquitto()
    haze = await startHaze({
      mqtt: { on: true, host: broker.host, port: broker.port, subscribeTopic: IN, publishTopic: OUT, clientId: 'haze-under-test' },
    })
    // A persistent session too: what Haze publishes while this client is away waits for it.
    client = await mqtt.connectAsync({ host: broker.host, port: broker.port, clientId: 'haze-test-subscriber', clean: false, reconnectPeriod: 200 })
    client.on('message', (_topic, payload) => {
      texts.push(payload.toString())
      frames.push(JSON.parse(payload.toString()) as Frame)
    })
    await client.subscribeAsync(OUT, { qos: 1 })
    assert.equal((await haze.api('/v2/api/artifacts', upload('jobs.py', sample('jobs.py')))).status, 200)
    const context = { name: 'mq', workerMode: 'shared', maxJobs: 4, precreated: true, downtime: 'Inf', sparkConf: { 'spark.master': 'local[2]', 'spark.ui.port': '0' } }
    assert.equal((await haze.json('/v2/api/contexts', jsonBody('POST', context))).status, 200)
    for (const [name, className] of [['big', 'big_numbers'], ['echo', 'echo'], ['slow', 'slow_count']]) {
      const body = { name, path: 'jobs.py', className, defaultContext: 'mq' }
      assert.equal((await haze.json('/v2/api/functions', jsonBody('POST', body))).status, 200, name)
    }
    await until(async () => (await jobApi(haze).workers()).some((w) => w.context === 'mq' && w.state === 'ready'), 'the warm worker', 120_000)
  })
  after(async () => {
    await client?.endAsync(true)
    await haze?.close()
    await broker?.stop()
  })

  it('publishes the whole lifecycle of a job started over HTTP, in order', async () => {
    const { body } = await haze.json<{ id: string }>('/v2/api/functions/big/jobs', jsonBody('POST', {}))
    await ended(body.id)
    assert.deepEqual(lifecycle(frames, body.id), [...NORMAL_RUN])
    assert.ok(texts.some((text) => text.includes(`"id":"${body.id}"`) && text.includes('1267650600228229401496703205376')), 'the big integer exact')
  })

  it("starts a job from a message in Mist's format, as source Async Mqtt", async () => {
    await send(JSON.stringify({ functionId: 'echo', parameters: { value: { n: 1 } }, externalId: 'from-mqtt-1', runSettings: { contextId: 'mq' } }))
    const initialized = await next((f) => f.event === 'initialized' && f.externalId === 'from-mqtt-1', 'the job to be initialized')
    const id = initialized.id ?? ''
    const finished = await ended(id)
    assert.deepEqual(finished.result, { n: 1 })
    assert.deepEqual(lifecycle(frames, id), ['initialized', 'queued', 'worker-assigned', 'started', 'finished'])
    const stored = await haze.json<{ source: string; externalId: string }>(`/v2/api/jobs/${id}`)
    assert.deepEqual([stored.body.source, stored.body.externalId], ['Async Mqtt', 'from-mqtt-1'])
  })

  it('answers a message that is not JSON with an error event', async () => {
    await send('this is { not json')
    const error = await next((f) => f.event === 'error' && /not JSON/.test(String(f.error)), 'an error event')
    assert.match(String(error.error), /^the message did not start a job: it is not JSON/)
  })

  it('answers an unknown function with an error event carrying the externalId', async () => {
    await send(JSON.stringify({ functionId: 'nope', externalId: 'bad-1' }))
    const error = await next((f) => f.event === 'error' && f.externalId === 'bad-1', 'an error event for bad-1')
    assert.match(String(error.error), /function "nope"/)
  })

  it('answers invalid arguments with an error event naming them, and starts no job', async () => {
    const before = (await haze.json<unknown[]>('/v2/api/jobs?limit=1000')).body.length
    await send(JSON.stringify({ functionId: 'slow', parameters: { seconds: 'long' }, externalId: 'bad-2' }))
    const error = await next((f) => f.event === 'error' && f.externalId === 'bad-2', 'an error event for bad-2')
    assert.match(String(error.error), /invalid arguments for function "slow": seconds must be/)
    assert.equal((await haze.json<unknown[]>('/v2/api/jobs?limit=1000')).body.length, before)
  })

  it('loses nothing when the broker goes away and comes back', async () => {
    const { body } = await haze.json<{ id: string }>('/v2/api/functions/slow/jobs', jsonBody('POST', { seconds: 3 }))
    await next((f) => f.id === body.id && f.event === 'started', 'the slow job to start')
    await broker.restart()
    // The job ends while Haze may still be reconnecting: its end must still be published.
    assert.equal((await ended(body.id)).event, 'finished')
    await send(JSON.stringify({ functionId: 'echo', parameters: { value: 'after the restart' }, externalId: 'after-restart' }))
    const initialized = await next((f) => f.event === 'initialized' && f.externalId === 'after-restart', 'a job started after the restart')
    assert.deepEqual((await ended(initialized.id ?? '')).result, 'after the restart')
  })
})
