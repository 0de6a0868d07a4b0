/** Runs the real `haze` command (from source, through tsx) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { HAZE_HOME } from '../../src/config.js'

export const MAIN = join(HAZE_HOME, 'src', 'main.ts')

/** The command line that runs `haze <args>`. */
export const hazeCommand = (args: string[]) => [process.execPath, ['--import', 'tsx', MAIN, ...args]] as const

/**
 * Starts `haze start --port 0 …` (with `env` in place of this process's environment, if given)
 * and resolves with its URL once it listens, a standby's too; one that does not within 60 s is
 * killed.
 */
export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ child: ChildProcess; url: string }> {
  const [command, argv] = hazeCommand(['start', '--port', '0', ...args])
  const child = spawn(command, argv, { cwd: HAZE_HOME, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('haze start did not listen within 60 s'))
    }, 60_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
      const url = /"url":"(http:[^"]+)"/.exec(line)?.[1]
      if (url) {
        clearTimeout(timer)
        resolve({ child, url })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`haze start exited early with ${code}`))
    })
  })
}

/** How `child` ended: at once if it already has, else when it does. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}
