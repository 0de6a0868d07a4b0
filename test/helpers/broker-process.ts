/**
 * A broker process for a test (Mosquitto, Kafka): started on loopback, waited for until its
 * port accepts connections, stopped by `stop()`. The kernel kills it if the test process dies
 * first (`setpriv --pdeathsig`), so no broker outlives the suite even when a test is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { until } from './wait.js'

export interface BrokerProcess {
  /** Starts it (again), and waits until `port` accepts connections. */
  launch(): Promise<void>
  /** Stops it and waits for its exit: SIGTERM, or SIGKILL to crash it. */
  halt(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
}

const SETPRIV = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--'] : []

export function brokerProcess(name: string, command: string, args: readonly string[], port: number, startupMs = 30_000): BrokerProcess {
  let child: ChildProcess | undefined
  const onExit = () => child?.kill('SIGKILL')
  return {
    async launch() {
      let output = ''
      const [program, ...rest] = [...SETPRIV, command, ...args]
      const started = spawn(program ?? command, rest, { stdio: ['ignore', 'pipe', 'pipe'] })
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6000))
      started.stdout?.on('data', keep)
      started.stderr?.on('data', keep)
      child = started
      process.once('exit', onExit)
      await until(
        async () => {
          if (started.exitCode !== null || started.signalCode !== null) throw new Error(`${name} exited (${started.exitCode ?? started.signalCode}): ${output}`)
          return accepts(port)
        },
        `${name} to accept connections on port ${port}`,
        startupMs,
      )
    },
    async halt(signal = 'SIGTERM') {
      const running = child
      child = undefined
      process.off('exit', onExit)
      if (!running || running.exitCode !== null || running.signalCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill(signal)
      await exited
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
