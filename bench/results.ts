/**
 * A 1 GB result: how much memory the master and the worker need to store and serve it, and how
 * long storing and downloading take.
 *
 *   node --import tsx bench/results.ts [--mb 1024] [--width 1000] [--partitions 64] [--kind frame|rows]
 *
 * The master runs as its own process (`src/main.ts start`, a temp data dir, a free loopback
 * port, resultLimit 10 MiB), so that its memory is its own, not the client's. One warm shared
 * context (`local[2]`) runs big_results.py: `--kind frame` (the default) returns a DataFrame of
 * about `--mb` MB of JSON lines (rows of `--width` characters, in `--partitions` partitions), read
 * by the worker a partition at a time (`toLocalIterator`); `--kind rows` returns a generator of
 * row objects, stored as one JSON array (no Spark job at all: Haze's own path alone).
 *
 * Memory is RSS read from /proc every 100 ms, from the worker's start until the download
 * ended: the master's process, and the worker's processes (spark-submit's driver JVM, its
 * Python, any Python workers Spark forks), each one's and their sum; "above idle" is the peak
 * minus the RSS of the same processes with the worker ready and idle. The stored file and the
 * download are checked (size, line count, first and last line); a wrong answer exits non-zero.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { HAZE_HOME } from '../src/config.js'
import { freePort } from '../test/helpers/broker-process.js'
import { until } from '../test/helpers/wait.js'
import { processTree } from './lib/process-cpu.js'
import { spawnMaster, untilListening } from './lib/master-process.js'
import { runBenchmark, type Release } from './lib/run.js'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
const ARTIFACT_FILE = join(HAZE_HOME, 'worker', 'tests', 'samples', 'big_results.py')
const RESULT_LIMIT = 10 * 1024 * 1024
const MIB = 1024 * 1024

/** RSS in MiB of one process; undefined once it has ended. */
function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    // A process that is exiting (a zombie) has no VmRSS: it holds nothing any more.
    const kib = /^VmRSS:\s+(\d+)/m.exec(status)?.[1]
    return kib === undefined ? 0 : Number(kib) / 1024
  } catch {
    return undefined
  }
}

/** Which part of a worker a process is, by its command line. */
function roleOf(command: string): 'jvm' | 'python' | 'python-daemon' | 'other' {
  if (/\bjava\b/.test(command.split(' ')[0] ?? '')) return 'jvm'
  if (command.includes('haze_worker')) return 'python'
  if (command.includes('pyspark.daemon') || command.includes('pyspark/daemon') || command.includes('python')) return 'python-daemon'
  return 'other'
}

interface Snapshot {
  master: number
  worker: { jvm: number; python: number; other: number; total: number }
}

function snapshot(masterPid: number, workerPid: number): Snapshot {
  const worker = { jvm: 0, python: 0, other: 0, total: 0 }
  for (const process of processTree(workerPid)) {
    const rss = rssOf(process.pid) ?? 0
    const role = roleOf(process.command)
    if (role === 'jvm') worker.jvm += rss
    else if (role === 'python') worker.python += rss
    else worker.other += rss
    worker.total += rss
  }
  return { master: rssOf(masterPid) ?? NaN, worker }
}

/** The highest of each figure over a run of samples. */
class Peak {
  value: Snapshot
  constructor(start: Snapshot) {
    this.value = structuredClone(start)
  }
  add(sample: Snapshot): void {
    const peak = this.value
    peak.master = Math.max(peak.master, sample.master)
    for (const key of ['jvm', 'python', 'other', 'total'] as const) peak.worker[key] = Math.max(peak.worker[key], sample.worker[key])
  }
}

async function main(_signal: AbortSignal, releases: Release[]): Promise<number> {
  const { values } = parseArgs({
    options: {
      mb: { type: 'string', default: '1024' },
      width: { type: 'string', default: '1000' },
      partitions: { type: 'string', default: '64' },
      kind: { type: 'string', default: 'frame' },
    },
  })
  const targetBytes = Number(values.mb) * MIB
  const width = Number(values.width)
  const partitions = Number(values.partitions)
  const kind = values.kind === 'rows' ? 'rows' : 'frame'

  const dataDir = mkdtempSync(join(tmpdir(), 'haze-bench-results-'))
  releases.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const haze = spawnMaster(dataDir, { port, resultLimit: RESULT_LIMIT }, releases)
  const master = haze.child
  await untilListening(haze)

  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const form = new FormData()
  form.append('file', new Blob([readFileSync(ARTIFACT_FILE)]), 'big_results.py')
  if (!(await fetch(`${url}/v2/api/artifacts`, { method: 'POST', body: form })).ok) throw new Error('upload failed')
  const context = { name: 'results', workerMode: 'shared', maxJobs: 1, precreated: true, downtime: 'Inf', sparkConf: { 'spark.master': 'local[2]', 'spark.ui.enabled': 'false' } }
  if (!(await post('/v2/api/contexts', context)).ok) throw new Error('context creation failed')
  const fn = kind === 'frame' ? 'text_frame' : 'rows'
  if (!(await post('/v2/api/functions', { name: 'big', path: 'big_results.py', className: fn, defaultContext: 'results' })).ok) {
    throw new Error('function creation failed')
  }
  const worker = await until(
    async () => ((await (await fetch(`${url}/v2/api/workers`)).json()) as { state: string; pid?: number }[]).find((w) => w.state === 'ready' && w.pid !== undefined),
    'the warm worker',
    180_000,
  )
  const workerPid = worker.pid ?? 0
  const masterPid = master.pid ?? 0
  // A small job first, so the idle figures are those of a worker that has loaded the function.
  const warm = await post(`/v2/api/functions/big/jobs?force=true`, kind === 'frame' ? { count: 10, width: 10, partitions: 1 } : { count: 10 })
  if (!warm.ok) throw new Error(`the warm-up job failed: ${warm.status} ${await warm.text()}`)
  const idle = snapshot(masterPid, workerPid)

  // Rows of about `width` bytes: {"id":N,"text":"row N xxx…"} (frame), {"i":N,"big":…,"text":"row N é xxx…"} (rows).
  const rowBytes = kind === 'frame' ? width + 37 : width + 62
  const count = Math.ceil(targetBytes / rowBytes)
  const args = kind === 'frame' ? { count, width, partitions } : { count, width }
  console.log(`a ${kind === 'frame' ? 'DataFrame' : 'generator'} result of ${count.toLocaleString('en')} rows of about ${rowBytes} bytes (~${(count * rowBytes / MIB).toFixed(0)} MiB)`)

  const storing = new Peak(idle)
  let current = storing
  const sampler = setInterval(() => current.add(snapshot(masterPid, workerPid)), 100)
  releases.push(() => clearInterval(sampler))

  const submitted = Date.now()
  const accepted = await post('/v2/api/functions/big/jobs', args)
  if (!accepted.ok) throw new Error(`the submit failed: ${accepted.status} ${await accepted.text()}`)
  const { id } = (await accepted.json()) as { id: string }
  const job = await until(
    async () => {
      const view = (await (await fetch(`${url}/v2/api/jobs/${id}`)).json()) as { status: string; jobResult?: unknown; startTime?: number; endTime?: number }
      return ['finished', 'failed', 'cancelled'].includes(view.status) ? view : undefined
    },
    'the big job to end',
    1_800_000,
  )
  const storeSeconds = (Date.now() - submitted) / 1000
  if (job.status !== 'finished') throw new Error(`the job ${job.status}: ${JSON.stringify(job.jobResult)}`)
  const reference = job.jobResult as { location: string; size: number; format: string }
  const file = join(dataDir, 'results', `${id}.${reference.format}`)
  const wrong: string[] = []
  if (statSync(file).size !== reference.size) wrong.push(`the stored file has ${statSync(file).size} bytes, jobResult says ${reference.size}`)

  const downloading = new Peak(idle)
  current = downloading
  const fetched = Date.now()
  const response = await fetch(`${url}${reference.location}`)
  let size = 0
  let lines = 0
  let first = ''
  let tail = ''
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (first.length < 200) first += Buffer.from(chunk.subarray(0, 200)).toString('utf8')
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lines += 1
    tail = (tail + Buffer.from(chunk.subarray(Math.max(0, chunk.byteLength - 4096))).toString('utf8')).slice(-4096)
  }
  const downloadSeconds = (Date.now() - fetched) / 1000
  clearInterval(sampler)
  // The last row: the last line (frame), or the end of the array (rows), which the 4 KiB tail holds.
  const last = kind === 'frame' ? (tail.split('\n').at(-2) ?? '') : tail

  if (response.status !== 200) wrong.push(`the download answered ${response.status}`)
  if (Number(response.headers.get('content-length')) !== reference.size) wrong.push(`Content-Length ${response.headers.get('content-length')}, size ${reference.size}`)
  if (size !== reference.size) wrong.push(`downloaded ${size} bytes of ${reference.size}`)
  if (kind === 'frame') {
    if (lines !== count) wrong.push(`${lines} lines, ${count} rows`)
    if (!first.startsWith(`{"id":0,"text":"row 0 x`)) wrong.push(`first line ${first.slice(0, 60)}`)
    if (!last.startsWith(`{"id":${count - 1},"text":"row ${count - 1} x`)) wrong.push(`last line ${last.slice(0, 60)}`)
  } else if (!first.startsWith('[{"i":0,') || !last.includes(`{"i":${count - 1},`) || !last.endsWith('"}]')) {
    wrong.push(`the array starts ${first.slice(0, 40)} and ends ${last.slice(-60)}`)
  }

  const above = (peak: Snapshot) => ({
    master: peak.master - idle.master,
    worker: peak.worker.total - idle.worker.total,
    jvm: peak.worker.jvm - idle.worker.jvm,
    python: peak.worker.python - idle.worker.python,
  })
  const report = {
    date: new Date().toISOString(),
    kind,
    rows: count,
    bytes: reference.size,
    format: reference.format,
    storeSeconds,
    downloadSeconds,
    idleMiB: idle,
    storingPeakMiB: storing.value,
    downloadingPeakMiB: downloading.value,
    storingAboveIdleMiB: above(storing.value),
    downloadingAboveIdleMiB: above(downloading.value),
    wrong,
  }
  const mib = (value: number) => value.toFixed(0)
  const store = above(storing.value)
  const serve = above(downloading.value)
  console.log(`\n${(reference.size / MIB).toFixed(0)} MiB (${reference.format}): stored in ${storeSeconds.toFixed(1)} s (submit → finished, ${(reference.size / MIB / storeSeconds).toFixed(0)} MiB/s), downloaded in ${downloadSeconds.toFixed(1)} s (${(reference.size / MIB / downloadSeconds).toFixed(0)} MiB/s)`)
  console.log('\n| RSS, MiB | idle | peak storing | above idle | peak downloading | above idle |\n|---|---:|---:|---:|---:|---:|')
  console.log(`| master | ${mib(idle.master)} | ${mib(storing.value.master)} | ${mib(store.master)} | ${mib(downloading.value.master)} | ${mib(serve.master)} |`)
  console.log(`| worker, all processes | ${mib(idle.worker.total)} | ${mib(storing.value.worker.total)} | ${mib(store.worker)} | – | – |`)
  console.log(`| worker's driver JVM | ${mib(idle.worker.jvm)} | ${mib(storing.value.worker.jvm)} | ${mib(store.jvm)} | – | – |`)
  console.log(`| worker's Python (haze_worker) | ${mib(idle.worker.python)} | ${mib(storing.value.worker.python)} | ${mib(store.python)} | – | – |`)
  console.log(`\nanswer checked: ${wrong.length === 0 ? 'yes' : `NO: ${wrong.join('; ')}`}`)
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(join(RESULTS_DIR, `results-${Date.now()}.json`), JSON.stringify(report, null, 2))
  return wrong.length > 0 ? 1 : 0
}

void runBenchmark(main)
