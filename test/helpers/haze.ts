/**
 * Starts a real Haze master for a test: a temp data dir, a real SQLite file (or a PostgreSQL
 * database with HAZE_TEST_STORE=postgres), the real Python signature extractor, a free
 * loopback port. `close()` stops it and removes the data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type HazeConfig } from '../../src/config.js'
import { createLogger, type Logger } from '../../src/logger.js'
import { workerTrustFile } from '../../src/http/tls.js'
import { startServer, type HazeServer } from '../../src/server.js'
import { postgresStoreConfig } from './postgres.js'
import { trustingAgent } from './tls.js'
import { until } from './wait.js'

export interface TestHaze {
  server: HazeServer
  url: string
  dataDir: string
  config: HazeConfig
  api(path: string, init?: RequestInit): Promise<Response>
  json<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>
  close(): Promise<void>
}

/** `log`: where the master logs (tests that read its lines); silent unless HAZE_TEST_LOG sets a level. */
export async function startHaze(overrides: Partial<HazeConfig> = {}, log?: Logger): Promise<TestHaze> {
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-test-'))
  // HAZE_TEST_STORE=postgres runs the same tests on PostgreSQL: a fresh database per master.
  const store = process.env.HAZE_TEST_STORE === 'postgres' && overrides.store === undefined ? { store: await postgresStoreConfig() } : {}
  const config = { ...loadConfig({ port: '0', dataDir }, {}), ...store, ...overrides }
  const server = await startServer(config, log ?? createLogger(process.env.HAZE_TEST_LOG ?? 'silent')).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  })
  // With tls, requests trust what workers are told to trust: a test CA is in no system store.
  const trustFile = workerTrustFile(config.tls)
  const agent = trustFile === undefined ? undefined : trustingAgent(trustFile)
  const api = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, agent ? { ...init, dispatcher: agent } : init)
  return {
    server,
    url: server.url,
    dataDir,
    config,
    api,
    async json<T>(path: string, init?: RequestInit) {
      const response = await api(path, init)
      const text = await response.text()
      return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T }
    },
    async close() {
      try {
        await server.stop()
      } finally {
        await agent?.close()
        rmSync(dataDir, { recursive: true, force: true })
      }
    },
  }
}

/** A JSON request, the way curl and Mist's clients send one. */
export function jsonBody(method: string, body: unknown, contentType = 'application/json'): RequestInit {
  return { method, headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) }
}

/** Uploads a file as multipart field `file`. */
export function upload(name: string, content: string | Uint8Array, field = 'file'): RequestInit {
  const form = new FormData()
  form.append(field, new Blob([content]), name)
  return { method: 'POST', body: form }
}

export interface JobView {
  jobId: string
  status: string
  workerId?: string
  jobResult?: unknown
  startTime?: number
  endTime?: number
}

export interface WorkerView {
  name: string
  sparkUi?: string
  context: string
  state: string
  pid?: number
}

/** Job and worker reads shared by the end-to-end tests. */
export function jobApi(haze: TestHaze) {
  const job = async (id: string) => (await haze.json<JobView>(`/v2/api/jobs/${id}`)).body
  return {
    job,
    /** Waits (bounded) until the job is terminal. */
    ended: (id: string, ms = 120_000) =>
      until(async () => {
        const details = await job(id)
        return ['finished', 'failed', 'cancelled'].includes(details.status) && details
      }, `job ${id} to end`, ms),
    workers: async () => (await haze.json<WorkerView[]>('/v2/api/workers')).body,
  }
}
