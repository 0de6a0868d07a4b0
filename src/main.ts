/**
 * The `haze` command. `haze start` serves the API; signals are handled here and only here:
 * the first SIGINT/SIGTERM shuts down gracefully, a second one forces.
 */
import { parseArgs } from 'node:util'
import { clientCommands, clientCommandsHelp, runClientCommand } from './cli/index.js'
import { loadConfig } from './config.js'
import { coerceError } from './domain/errors.js'
import { createLogger, logOutputFor } from './logger.js'
import { HAZE_VERSION } from './status.js'

const USAGE = `Usage: haze <command> [options]

Commands:
  start      Serve the API, the UI and the workers
  migrate-store  Copy a SQLite store into PostgreSQL (haze migrate-store --help)
  version    Print Haze's version
${clientCommandsHelp()}

Client commands talk to --url (HAZE_URL; default http://127.0.0.1:2004); \`haze <command> --help\` shows each one's options and examples.

Options of start (each also from the environment, then the config file):
  --host <address>     Listen address (HAZE_HOST; default 127.0.0.1)
  --port <port>        Listen port (HAZE_PORT; default 2004)
  --data-dir <dir>     Where the database, artifacts and logs live (HAZE_DATA_DIR; default ./data)
  --config <file>      JSON config file (HAZE_CONFIG)
  --python <path>      Python with PySpark and haze-worker (HAZE_PYTHON; default .venv/bin/python)
  --allow-unauthenticated
                       Listen beyond loopback without API tokens (refused otherwise)
`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'start':
      return start(rest)
    case 'migrate-store':
      return (await import('./cli/migrate-store.js')).migrateStoreCommand(rest)
    case 'version':
    case '--version':
      console.log(HAZE_VERSION)
      return 0
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE)
      return command === undefined ? 2 : 0
    default:
      if (clientCommands.has(command)) return runClientCommand(command, rest)
      console.error(`haze: unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
      return 2
  }
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      python: { type: 'string' },
      'allow-unauthenticated': { type: 'boolean' },
    },
  })
  const config = loadConfig({
    host: values.host,
    port: values.port,
    dataDir: values['data-dir'],
    config: values.config,
    python: values.python,
    allowUnauthenticated: values['allow-unauthenticated'],
  })
  // Loaded here, not at the top: the server's modules take a second to load, which every
  // client command (apply, run, list …) would otherwise pay for nothing.
  const { startServer } = await import('./server.js')
  const { StoppedWaiting } = await import('./ha/active-lock.js')
  const log = createLogger(config.logLevel, logOutputFor(process.env, process.stdout.isTTY === true))
  // A signal during start-up, as while a standby waits for the active lock (which may be
  // for days), ends the start; a second one ends the process (Node's default).
  const starting = new AbortController()
  const stopStarting = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping before this master has started')
    starting.abort()
  }
  process.once('SIGINT', stopStarting)
  process.once('SIGTERM', stopStarting)
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer(config, log, { signal: starting.signal })
  } catch (error) {
    if (error instanceof StoppedWaiting) {
      log.info('stopped while a standby; nothing was running')
      return 0
    }
    throw error
  } finally {
    process.off('SIGINT', stopStarting)
    process.off('SIGTERM', stopStarting)
  }
  if (starting.signal.aborted) {
    await server.stop()
    return 0
  }
  return new Promise((resolve) => {
    let signals = 0
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1
      const forced = signals > 1
      server.log.info({ signal }, forced ? 'second signal: forcing shutdown' : 'shutting down gracefully')
      ;(forced ? server.kill() : server.stop()).then(
        () => resolve(0),
        (error: unknown) => {
          server.log.error({ err: error }, 'shutdown failed')
          resolve(1)
        },
      )
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    // Another master took over (PostgreSQL store): this one has stopped, and exits non-zero so
    // a supervisor restarts it, as a standby.
    void server.fenced.then(() => resolve(1))
  })
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`haze: ${coerceError(error).message}`)
    process.exitCode = 1
  },
)
