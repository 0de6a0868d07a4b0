/**
 * A real Mosquitto broker for a test (Debian's package, installed by scripts/brokers.sh): its
 * own config and persistence dir in a temp dir, a free loopback port, stopped and removed by
 * `stop()`. `restart()` brings it back on the same port with the same persisted sessions.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brokerProcess, freePort } from './broker-process.js'

export { freePort } from './broker-process.js'

export interface Mosquitto {
  host: string
  port: number
  stop(): Promise<void>
  restart(): Promise<void>
}

const BINARY = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto'

export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'haze-mosquitto-'))
  const port = await freePort()
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'log_dest stderr', ''].join('\n'),
  )
  const broker = brokerProcess('mosquitto', BINARY, ['-c', conf], port, 10_000)
  await broker.launch()
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      await broker.halt()
      rmSync(dir, { recursive: true, force: true })
    },
    async restart() {
      await broker.halt()
      await broker.launch()
    },
  }
}
