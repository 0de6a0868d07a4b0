/**
 * A master as its own process, as a user runs it: `haze start` (src/main.ts through tsx) on a
 * config file the benchmark writes, so its memory and CPU are its own and apart from the
 * benchmark's client.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exited, MAIN } from '../../test/helpers/cli.js'
import { until } from '../../test/helpers/wait.js'
import type { Release } from './run.js'

export interface MasterProcess {
  child: ChildProcess
  url: string
  ended: Promise<unknown>
}

/**
 * Writes `haze.json` into `dataDir` (that dir, log level warn, then `config`) and starts a
 * master on it; a release pushed onto `releases` stops it (SIGTERM, then SIGKILL after 30 s).
 */
export function spawnMaster(dataDir: string, config: { port: number } & Record<string, unknown>, releases: Release[]): MasterProcess {
  writeFileSync(join(dataDir, 'haze.json'), JSON.stringify({ dataDir, logLevel: 'warn', ...config }))
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--config', join(dataDir, 'haze.json')], { stdio: ['ignore', 'inherit', 'inherit'] })
  const ended = exited(child)
  releases.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    await ended
    clearTimeout(timer)
  })
  return { child, url: `http://127.0.0.1:${config.port}`, ended }
}

/** Resolves once the master answers `GET /v2/api/status`. */
export const untilListening = (master: MasterProcess, ms = 60_000): Promise<unknown> =>
  until(() => fetch(`${master.url}/v2/api/status`).then((response) => response.ok, () => false), 'the master to listen', ms)
