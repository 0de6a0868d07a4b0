/**
 * A real Mosquitto broker for a test (Debian's package, installed by scripts/brokers.sh): its
 * own config and persistence dir in a temp dir, a free loopback port, stopped and removed by
 * `stop()`. `restart()` brings it back on the same port with the same persisted sessions.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { until } from './wait.js'

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
  let child: ChildProcess | undefined
  let output = ''
  const launch = async () => {
    output = ''
    const started = spawn(BINARY, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    started.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
    child = started
    await until(
      async () => {
        if (started.exitCode !== null) throw new Error(`mosquitto exited (${started.exitCode}): ${output}`)
        return accepts(port)
      },
      'mosquitto to accept connections',
      10_000,
    )
  }
  const halt = async () => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    await exited
  }
  const onExit = () => child?.kill('SIGKILL')
  process.once('exit', onExit)
  await launch()
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      process.off('exit', onExit)
      await halt()
      rmSync(dir, { recursive: true, force: true })
    },
    async restart() {
      await halt()
      await launch()
    },
  }
}

/** A loopback port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
