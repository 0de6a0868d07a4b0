/**
 * A real PostgreSQL server for tests (Debian's package, installed by scripts/postgres.sh):
 * initialised in a temp dir, listening on a free loopback port with password authentication,
 * killed by the kernel if the test process dies first (`setpriv --pdeathsig`), and removed by
 * `stop()`. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 *
 * One server serves a whole test file; each test gets a database of its own
 * (`createDatabase()`), so tests share the start-up cost but never each other's rows.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './broker-process.js'

export interface TestPostgres {
  host: string
  port: number
  user: string
  /** The password of `user`; URLs below leave it out, as Haze's config may (HAZE_STORE_PASSWORD). */
  password: string
  /** A new empty database; answers its URL, without the password. */
  createDatabase(): Promise<string>
  /** The URL of a database, with the password (for clients other than Haze). */
  adminUrl(database?: string): string
  /** Stops the server, keeping its data: SIGINT (fast shutdown: sessions are cut) or SIGKILL (a crash). */
  halt(signal?: 'SIGINT' | 'SIGKILL'): Promise<void>
  /** Starts it again on the same port and data. */
  launch(): Promise<void>
  /** Stops it and removes its data dir. */
  stop(): Promise<void>
}

const USER = 'haze'

/** Debian's server binaries, newest major version first. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : []
  for (const major of majors) {
    const bin = join(root, major, 'bin')
    if (existsSync(join(bin, 'postgres'))) return bin
  }
  throw new Error('PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin; run scripts/postgres.sh (apt-get install postgresql)')
}

/** As root, run as `postgres`: the server refuses root, and its files must be that user's. */
function asServerUser(): { prefix: string[]; owner?: { uid: number; gid: number } } {
  if (process.getuid?.() !== 0) return { prefix: [] }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
  return { prefix: ['--reuid', String(uid), '--regid', String(gid), '--init-groups'], owner: { uid, gid } }
}

let shared: Promise<TestPostgres> | undefined

/**
 * One server for the whole test process, started on first use and stopped when the process
 * has nothing else to do (its handles do not keep the process alive). Tests that stop or
 * crash the server start their own instead.
 */
export function sharedPostgres(): Promise<TestPostgres> {
  if (shared === undefined) {
    shared = startPostgres({ detached: true })
    const started = shared
    let stopping = false
    process.on('beforeExit', () => {
      if (stopping) return
      stopping = true
      void started.then((server) => server.stop())
    })
  }
  return shared
}

/** The `store` settings of a master on a fresh database of the shared server (HAZE_TEST_STORE=postgres). */
export async function postgresStoreConfig(): Promise<{ url: string; poolSize: number; password: string }> {
  const server = await sharedPostgres()
  return { url: await server.createDatabase(), poolSize: 5, password: server.password }
}

export interface PostgresOptions {
  /** Its process and pipes do not keep the test process alive (sharedPostgres stops it on beforeExit). */
  detached?: boolean
  /** Durable settings (fsync, synchronous commit) as in production; off by default to keep tests fast. */
  durable?: boolean
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>
}

export async function startPostgres(options: PostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBin()
  const dir = mkdtempSync(join(tmpdir(), 'haze-postgres-'))
  const data = join(dir, 'data')
  const password = `test-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
  const { prefix, owner } = asServerUser()
  try {
    const pwfile = join(dir, 'pwfile')
    writeFileSync(pwfile, `${password}\n`)
    if (owner) {
      chownSync(dir, owner.uid, owner.gid)
      chownSync(pwfile, owner.uid, owner.gid)
    }
    chmodSync(dir, 0o700)
    execFileSync(
      'setpriv',
      [...prefix, '--', join(bin, 'initdb'), '-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    rmSync(pwfile)
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? ''
    throw new Error(`initdb failed: ${stderr || (error as Error).message}`, { cause: error })
  }
  const port = await freePort()
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    max_connections: '200',
    ...(options.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  }
  const server = serverProcess([join(bin, 'postgres'), '-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])], prefix, options.detached === true)
  // The test runner ends a file's process with process.exit(), which runs no async clean-up:
  // the server is killed by the exit handler of serverProcess, and its files go here.
  // Registered after the server's own exit handler, which kills it first.
  const removeOnExit = () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  try {
    await server.launch()
  } catch (error) {
    removeOnExit()
    throw error
  }
  process.once('exit', removeOnExit)
  const adminUrl = (database = 'postgres') =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`
  await waitForLogins(adminUrl())
  let databases = 0
  return {
    host: '127.0.0.1',
    port,
    user: USER,
    password,
    adminUrl,
    async createDatabase() {
      const name = `haze_test_${process.pid}_${++databases}`
      const client = new pg.Client({ connectionString: adminUrl() })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE template0`)
      } finally {
        await client.end()
      }
      return `postgres://${USER}@127.0.0.1:${port}/${name}`
    },
    halt: (signal = 'SIGINT') => server.halt(signal),
    async launch() {
      await server.launch()
      await waitForLogins(adminUrl())
    },
    async stop() {
      try {
        await server.halt('SIGINT')
      } finally {
        process.off('exit', removeOnExit)
        removeOnExit()
      }
    },
  }
}

/** The port opens before recovery ends: wait until a login succeeds. */
async function waitForLogins(url: string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept logins within 30 s: ${(error as Error).message}`, { cause: error })
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}

/**
 * The postmaster, started through setpriv so the kernel kills it when this process dies
 * (pdeathsig is set after the user change, which would clear it). Its own backends exit when
 * they see it gone.
 */
function serverProcess(command: string[], userPrefix: string[], detached: boolean): { launch(): Promise<void>; halt(signal: NodeJS.Signals): Promise<void> } {
  let child: ChildProcess | undefined
  const onExit = () => child?.kill('SIGKILL')
  return {
    async launch() {
      let output = ''
      const started = spawn('setpriv', ['--pdeathsig', 'KILL', ...userPrefix, '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'] })
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6000))
      started.stdout?.on('data', keep)
      started.stderr?.on('data', keep)
      child = started
      process.once('exit', onExit)
      if (detached) {
        started.unref()
        for (const stream of [started.stdout, started.stderr]) (stream as { unref?: () => void } | null)?.unref?.()
      }
      const exited = new Promise<never>((_, reject) =>
        started.once('exit', (code, signal) => reject(new Error(`postgres exited (${code ?? signal}) while starting: ${output}`))),
      )
      exited.catch(() => undefined)
      // Ready once it logs so; the port alone opens before crash recovery ends.
      await Promise.race([
        exited,
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`postgres did not start within 30 s: ${output}`)), 30_000)
          const look = () => {
            if (!output.includes('database system is ready to accept connections')) return
            clearTimeout(timer)
            started.stderr?.off('data', look)
            resolve()
          }
          started.stderr?.on('data', look)
        }),
      ])
    },
    async halt(signal) {
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
