/**
 * Live events under load: many WebSocket subscribers on /v2/api/ws/all (and one MQTT
 * subscriber on the publish topic) while jobs run through one warm shared context.
 *
 *   node --import tsx bench/events.ts [--subscribers 200] [--jobs 1000] [--connections 32] [--no-mqtt]
 *
 * The master runs as its own process (`src/main.ts start`, a temp data dir, a free loopback
 * port) so that its peak memory (VmHWM) is its own, not the clients'. It checks that every
 * subscriber received every lifecycle event of every job, in an allowed order per job
 * (a wrong or missing event makes the run exit non-zero) and reports the delay from an
 * event's creation (its `time`: set by the master, or by the worker for `started`) to its
 * arrival, at p50 and p99, and the master's peak memory.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import { WebSocket } from 'ws'
import { freePort } from '../test/helpers/broker-process.js'
import { until } from '../test/helpers/wait.js'
import { startMosquitto } from '../test/helpers/mosquitto.js'
import { summarize, type Latency } from './lib/http-timing.js'
import { spawnMaster, untilListening } from './lib/master-process.js'
import { runBenchmark, type Release } from './lib/run.js'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
const ARTIFACT_FILE = fileURLToPath(new URL('./functions/bench_jobs.py', import.meta.url))
const TERMINAL = new Set(['finished', 'failed', 'cancelled'])
/** The orders a no-op job may show: the artifact is downloaded by its worker's first job only. */
const ALLOWED = new Set([
  'initialized queued worker-assigned job-file-downloading started finished',
  'initialized queued worker-assigned started finished',
])

interface Received {
  /** Per job, its events in arrival order. */
  byJob: Map<string, string[]>
  delays: number[]
  frames: number
}

const received = (): Received => ({ byJob: new Map(), delays: [], frames: 0 })

function take(into: Received, text: string): void {
  const frame = JSON.parse(text) as { event: string; id?: string; time?: number }
  if (frame.id === undefined || frame.event === 'logs') return
  into.frames += 1
  if (frame.time !== undefined) into.delays.push(Date.now() - frame.time)
  const events = into.byJob.get(frame.id) ?? []
  events.push(frame.event)
  into.byJob.set(frame.id, events)
}

const ended = (into: Received, ids: readonly string[]) => ids.every((id) => TERMINAL.has(into.byJob.get(id)?.at(-1) ?? ''))

/** Problems with what a subscriber received for `ids`: none when every job's events are all there, in order. */
function problems(into: Received, ids: readonly string[]): string[] {
  return ids.flatMap((id) => {
    const seen = (into.byJob.get(id) ?? []).join(' ')
    return ALLOWED.has(seen) ? [] : [`job ${id}: ${seen || 'nothing'}`]
  })
}

function memoryOf(pid: number): { peakMiB: number; rssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN)
  return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 }
}

async function main(_signal: AbortSignal, releases: Release[]): Promise<number> {
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '200' },
      jobs: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '32' },
      'no-mqtt': { type: 'boolean', default: false },
    },
  })
  const subscribers = Number(values.subscribers)
  const jobCount = Number(values.jobs)
  const connections = Number(values.connections)
  const withMqtt = !values['no-mqtt']

  const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-events-'))
  releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const broker = withMqtt ? await startMosquitto() : undefined
  if (broker) releases.push(() => broker.stop())
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const config = {
    port,
    dataDir,
    logLevel: 'warn',
    ...(broker ? { mqtt: { on: true, host: broker.host, port: broker.port, subscribeTopic: 'bench-in', publishTopic: 'bench-out' } } : {}),
  }
  const haze = spawnMaster(dataDir, config, releases)
  const master = haze.child
  await untilListening(haze)
  const idleMemory = memoryOf(master.pid ?? 0)

  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const form = new FormData()
  form.append('file', new Blob([readFileSync(ARTIFACT_FILE)]), 'bench_jobs.py')
  if (!(await fetch(`${url}/v2/api/artifacts`, { method: 'POST', body: form })).ok) throw new Error('upload failed')
  const context = { name: 'events', workerMode: 'shared', maxJobs: 8, precreated: true, downtime: 'Inf', sparkConf: { 'spark.master': 'local[2]', 'spark.ui.enabled': 'false' } }
  if (!(await post('/v2/api/contexts', context)).ok) throw new Error('context creation failed')
  if (!(await post('/v2/api/functions', { name: 'noop', path: 'bench_jobs.py', className: 'noop', defaultContext: 'events' })).ok) {
    throw new Error('function creation failed')
  }
  await until(
    async () => ((await (await fetch(`${url}/v2/api/workers`)).json()) as { state: string }[]).some((w) => w.state === 'ready'),
    'the warm worker',
    180_000,
  )

  const views: Received[] = []
  const sockets: WebSocket[] = []
  releases.push(() => sockets.forEach((socket) => socket.terminate()))
  for (let i = 0; i < subscribers; i++) {
    const view = received()
    const socket = new WebSocket(`ws://127.0.0.1:${port}/v2/api/ws/all?withLogs=false`)
    socket.on('message', (data: Buffer) => take(view, data.toString('utf8')))
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    views.push(view)
    sockets.push(socket)
  }
  const mqttView = received()
  if (broker) {
    const client = await mqtt.connectAsync({ host: broker.host, port: broker.port, clientId: 'bench-subscriber' })
    releases.push(() => client.endAsync(true))
    client.on('message', (_topic, payload) => take(mqttView, payload.toString()))
    await client.subscribeAsync('bench-out', { qos: 1 })
  }
  const afterSubscribers = memoryOf(master.pid ?? 0)

  console.log(`running ${jobCount} no-op jobs over ${connections} connections, ${subscribers} WebSocket subscribers${broker ? ', 1 MQTT subscriber' : ''}`)
  const ids: string[] = []
  const started = Date.now()
  let next = 0
  let peak = afterSubscribers.rssMiB
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(master.pid ?? 0).rssMiB)), 50)
  releases.push(() => clearInterval(sampler))
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < jobCount) {
        next += 1
        const response = await post('/v2/api/functions/noop/jobs', {})
        if (!response.ok) throw new Error(`a submit failed: ${response.status} ${await response.text()}`)
        ids.push(((await response.json()) as { id: string }).id)
      }
    }),
  )
  await until(() => views.every((view) => ended(view, ids)) && (!broker || ended(mqttView, ids)), 'every subscriber to see every job end', 600_000)
  const seconds = (Date.now() - started) / 1000
  clearInterval(sampler)
  const master_ = memoryOf(master.pid ?? 0)

  const wrong = views.flatMap((view, index) => problems(view, ids).map((problem) => `subscriber ${index}: ${problem}`))
  const mqttWrong = broker ? problems(mqttView, ids) : []
  const ws = summarize(views.flatMap((view) => view.delays))
  const report = {
    date: new Date().toISOString(),
    subscribers,
    jobs: jobCount,
    seconds,
    framesPerSubscriber: views[0]?.frames ?? 0,
    framesDelivered: views.reduce((sum, view) => sum + view.frames, 0),
    websocketDelayMs: ws,
    mqtt: broker ? { frames: mqttView.frames, delayMs: summarize(mqttView.delays), wrong: mqttWrong.length } : undefined,
    masterMemoryMiB: { idle: idleMemory.rssMiB, withSubscribers: afterSubscribers.rssMiB, sampledPeak: peak, peakRss: master_.peakMiB },
    wrong: wrong.length,
  }
  const row = (name: string, latency: Latency) => `| ${name} | ${latency.p50.toFixed(1)} | ${latency.p99.toFixed(1)} | ${latency.max.toFixed(1)} |`
  console.log(`\n${jobCount} jobs in ${seconds.toFixed(1)} s; each WebSocket subscriber got ${report.framesPerSubscriber} frames (${report.framesDelivered} in all)\n`)
  console.log('| subscriber | delay p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|')
  console.log(row(`WebSocket ×${subscribers}`, ws))
  if (report.mqtt) console.log(row('MQTT ×1', report.mqtt.delayMs))
  console.log(
    `\nmaster memory (RSS, MiB): idle ${idleMemory.rssMiB.toFixed(0)}, with subscribers ${afterSubscribers.rssMiB.toFixed(0)}, ` +
      `peak during the run ${peak.toFixed(0)} (VmHWM ${master_.peakMiB.toFixed(0)})`,
  )
  console.log(`events in order and complete: WebSocket ${wrong.length === 0 ? 'yes' : `NO (${wrong.length})`}, MQTT ${broker ? (mqttWrong.length === 0 ? 'yes' : `NO (${mqttWrong.length})`) : 'not run'}`)
  for (const problem of [...wrong, ...mqttWrong].slice(0, 10)) console.log(`  ${problem}`)
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(join(RESULTS_DIR, `events-${Date.now()}.json`), JSON.stringify(report, null, 2))
  return wrong.length + mqttWrong.length > 0 ? 1 : 0
}

void runBenchmark(main)
