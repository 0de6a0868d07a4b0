/**
 * Reads functions' signatures by loading their artifacts in a short-lived Python process
 * (`python -m haze_worker.info`, no Spark started). The master never runs user code itself.
 *
 * The child gets its own process group so that a timeout kills whatever the user's module
 * started at import; the child also exits by itself if the master goes away.
 */
import { spawn } from 'node:child_process'
import type { FunctionSignature } from '../domain/function.js'
import { describeDuration, type Duration } from '../domain/duration.js'
import { HazeError } from '../domain/errors.js'

export interface InfoRequest {
  path: string
  className: string
}

export type InfoResult = ({ ok: true } & FunctionSignature) | { ok: false; error: string; traceback?: string }

export interface InfoExtractor {
  /** One result per request, in order. Throws only when the extractor itself could not run. */
  describe(requests: readonly InfoRequest[]): Promise<InfoResult[]>
}

export interface PythonInfoExtractorOptions {
  python: string
  timeout: Duration
  env?: NodeJS.ProcessEnv
  /** Another reader speaking the same JSON on stdin/stdout (jvm-info-extractor.ts); default: `python -m haze_worker.info`. */
  command?: { command: string; args: string[]; what: string }
}

const OUTPUT_LIMIT = 16 * 1024 * 1024

export class PythonInfoExtractor implements InfoExtractor {
  constructor(private readonly options: PythonInfoExtractorOptions) {}

  async describe(requests: readonly InfoRequest[]): Promise<InfoResult[]> {
    if (requests.length === 0) return []
    const output = await this.run(JSON.stringify({ requests }))
    let parsed: { results?: InfoResult[] }
    try {
      parsed = JSON.parse(output) as { results?: InfoResult[] }
    } catch (error) {
      throw new HazeError('internal', `the function info extractor wrote something that is not JSON: ${output.slice(0, 200)}`, {
        cause: error,
      })
    }
    if (!Array.isArray(parsed.results) || parsed.results.length !== requests.length) {
      throw new HazeError('internal', 'the function info extractor answered a different number of results than asked')
    }
    return parsed.results
  }

  private run(input: string): Promise<string> {
    const { python, timeout } = this.options
    return new Promise((resolve, reject) => {
      const command = this.options.command ?? { command: python, args: ['-m', 'haze_worker.info'], what: `the Python interpreter ${python}` }
      const child = spawn(command.command, command.args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        shell: false,
        env: {
          ...process.env,
          ...this.options.env,
          HAZE_PARENT_PID: String(process.pid),
          PYTHONUNBUFFERED: '1',
          PYTHONDONTWRITEBYTECODE: '1',
        },
      })
      const stdout: Buffer[] = []
      let stdoutSize = 0
      let stderr = ''
      let settled = false
      const finish = (error: Error | undefined, value?: string) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        killGroup(child.pid)
        if (error) reject(error)
        else resolve(value ?? '')
      }
      const timer = setTimeout(
        () =>
          finish(
            new HazeError(
              'bad_request',
              `reading the function's signature took longer than ${describeDuration(timeout)}; does the module do slow work at import?`,
            ),
          ),
        timeout,
      )
      child.stdout.on('data', (chunk: Buffer) => {
        stdoutSize += chunk.length
        if (stdoutSize > OUTPUT_LIMIT) finish(new HazeError('internal', 'the function info extractor wrote too much output'))
        else stdout.push(chunk)
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-8192)
      })
      child.on('error', (error) =>
        finish(
          new HazeError(
            'unavailable',
            `cannot start ${command.what} to read function signatures: ${error.message}; run bin/haze setup`,
            { cause: error },
          ),
        ),
      )
      child.on('close', (code, signal) => {
        if (code === 0) finish(undefined, Buffer.concat(stdout).toString('utf8'))
        else {
          const tail = stderr.trim().split('\n').slice(-10).join('\n')
          finish(
            new HazeError(
              'internal',
              `the function info extractor exited with ${signal ?? `code ${code}`}${tail ? `: ${tail}` : ''}`,
            ),
          )
        }
      })
      child.stdin.on('error', () => undefined)
      child.stdin.end(input)
    })
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}
