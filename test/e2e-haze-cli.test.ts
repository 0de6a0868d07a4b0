/**
 * The `haze` command line, run as a real child process (from source) against a real master
 * and real Spark: apply Mist-style .conf files and the same in YAML, run and follow jobs, exit
 * codes, logs -f, Ctrl-C, listings. One shared warm context serves every job.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { hazeCommand } from './helpers/cli.js'
import { startHaze, type TestHaze } from './helpers/haze.js'
import { SAMPLES } from './helpers/samples.js'
import { until } from './helpers/wait.js'
import { zip } from './helpers/zip.js'

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
}

// The master requires API tokens, so every command below also proves --token/HAZE_TOKEN reaches
// the API (header) and the event stream (?token=).
const ADMIN = 'cli-admin-token-0123456789abcdef'
const READER = 'cli-reader-token-0123456789abcdef'
const AUTH = { headers: { authorization: `Bearer ${ADMIN}` } }

describe('the haze command line against real Spark', { timeout: 240_000 }, () => {
  let haze: TestHaze
  const work = mkdtempSync(join(tmpdir(), 'haze-cli-e2e-'))
  const confs = join(work, 'confs')
  const yaml = join(work, 'yaml')
  const children = new Set<ChildProcess>()

  /** Starts `haze ARGS` against the test master; `done` resolves with its exit and output. */
  const start = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const [command, argv] = hazeCommand(args)
    const child = spawn(command, argv, { cwd: HAZE_HOME, env: { ...process.env, HAZE_URL: haze.url, HAZE_TOKEN: ADMIN, NO_COLOR: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    children.add(child)
    const outcome: Outcome = { code: null, stdout: '', stderr: '' }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (outcome.stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (outcome.stderr += chunk))
    const done = new Promise<Outcome>((resolve) =>
      child.once('close', (code) => {
        children.delete(child)
        resolve({ ...outcome, code })
      }),
    )
    return { child, outcome, done }
  }
  const cli = (...args: string[]) => start(args).done

  before(async () => {
    haze = await startHaze({
      auth: {
        tokens: [
          { name: 'cli', role: 'admin', token: ADMIN },
          { name: 'reader', role: 'read', token: READER },
        ],
      },
    })
    mkdirSync(confs)
    mkdirSync(yaml)
    copyFileSync(join(SAMPLES, 'jobs.py'), join(confs, 'jobs.py'))
    copyFileSync(join(SAMPLES, 'jobs.py'), join(yaml, 'jobs.py'))
    const fn = (name: string, className: string) => `model = Function\nname = ${name}\ndata {\n  path = "cli_0.0.1.py"\n  class-name = "${className}"\n  context = "cli-ctx"\n}\n`
    const files: Record<string, string> = {
      // Mist's layout: numbered files, unquoted strings, a nested spark-conf.
      '00artifact.conf': 'model = Artifact\nname = cli\nversion = "0.0.1"\ndata.file-path = "./jobs.py"\n',
      '10context.conf':
        'model = Context\nname = cli-ctx\ndata {\n  worker-mode = shared\n  max-jobs = 2\n  downtime = Inf\n  precreated = false\n' +
        '  streaming-duration = 1s\n  spark-conf {\n    spark.master = "local[1]"\n    "spark.ui.enabled" = "false"\n  }\n  run-options = ""\n}\n',
      '20function.conf': fn('cli-echo', 'echo'),
      '21function.conf': fn('cli-boom', 'boom'),
      '22function.conf': fn('cli-chatty', 'chatty'),
      '23function.conf': fn('cli-slow', 'slow_count'),
    }
    for (const [name, text] of Object.entries(files)) writeFileSync(join(confs, name), text)
    writeFileSync(
      join(yaml, 'deploy.yaml'),
      [
        'model: Artifact\nname: yml\nversion: 0.0.1\ndata:\n  file-path: jobs.py',
        'model: Context\nname: yml-ctx\ndata:\n  worker-mode: shared\n  max-jobs: 3\n  spark-conf:\n    spark.master: local[1]',
        'model: Function\nname: yml-echo\ndata:\n  path: yml_0.0.1.py\n  class-name: echo\n  context: yml-ctx',
      ].join('\n---\n'),
    )
  })

  after(async () => {
    for (const child of children) child.kill('SIGKILL')
    await haze.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('apply --dry-run prints the plan and changes nothing', async () => {
    const plan = await cli('apply', '-f', confs, '--dry-run')
    assert.equal(plan.code, 0, plan.stderr)
    assert.match(plan.stdout, /create\s+artifact\s+cli_0\.0\.1\.py/)
    assert.match(plan.stdout, /create\s+context\s+cli-ctx/)
    assert.match(plan.stdout, /dry run: nothing was changed/)
    assert.equal((await haze.api('/v2/api/contexts/cli-ctx', AUTH)).status, 404)
  })

  it("apply deploys Mist's .conf files: the artifact, a context with Mist's keys, the functions", async () => {
    const applied = await cli('apply', '-f', confs)
    assert.equal(applied.code, 0, applied.stderr)
    assert.match(applied.stdout, /6 created, 0 updated, 0 unchanged/)
    const context = (await haze.json<{ workerMode: string; maxJobs: number; sparkConf: Record<string, string> }>('/v2/api/contexts/cli-ctx', AUTH)).body
    assert.deepEqual(context, { ...context, workerMode: 'shared', maxJobs: 2, sparkConf: { 'spark.master': 'local[1]', 'spark.ui.enabled': 'false' } })
    const fn = (await haze.json<{ className: string; path: string; defaultContext: string }>('/v2/api/functions/cli-echo', AUTH)).body
    assert.deepEqual([fn.className, fn.path, fn.defaultContext], ['echo', 'cli_0.0.1.py', 'cli-ctx'])
  })

  it('apply again changes nothing', async () => {
    const again = await cli('apply', '-f', confs)
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /0 created, 0 updated, 6 unchanged/)
  })

  it('apply deploys the same models written in YAML', async () => {
    const applied = await cli('apply', '-f', join(yaml, 'deploy.yaml'))
    assert.equal(applied.code, 0, applied.stderr)
    const fn = (await haze.json<{ path: string; defaultContext: string }>('/v2/api/functions/yml-echo', AUTH)).body
    assert.deepEqual([fn.path, fn.defaultContext], ['yml_0.0.1.py', 'yml-ctx'])
    assert.equal((await haze.json<{ maxJobs: number }>('/v2/api/contexts/yml-ctx', AUTH)).body.maxJobs, 3)
  })

  it('apply stops on an artifact stored with other content, and overwrites it with --force', async () => {
    appendFileSync(join(yaml, 'jobs.py'), '\n# changed\n')
    const refused = await cli('apply', '-f', yaml)
    assert.equal(refused.code, 3)
    assert.match(refused.stdout, /conflict\s+artifact\s+yml_0\.0\.1\.py/)
    assert.match(refused.stderr, /artifact yml_0\.0\.1\.py is stored on the server with other content; nothing was changed.*--force/)
    const forced = await cli('apply', '-f', yaml, '--force')
    assert.equal(forced.code, 0, forced.stderr)
    assert.match(forced.stdout, /updated\s+artifact\s+yml_0\.0\.1\.py/)
  })

  it("apply of Mist's Python 2 examples egg fails with the Python 3 spelling in the server's 400", async () => {
    const dir = join(work, 'mist-examples')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'mist_examples.egg'),
      zip({
        'mist_examples/__init__.py': 'from session_example import session_example\n',
        'mist_examples/session_example.py': 'def session_example(spark, path):\n    return path\n',
      }),
    )
    writeFileSync(join(dir, '00artifact.conf'), 'model = Artifact\nname = mist-examples\nversion = "1.1.3"\ndata.file-path = "./mist_examples.egg"\n')
    writeFileSync(join(dir, '20function.conf'), 'model = Function\nname = session-example\ndata {\n  path = "mist-examples_1.1.3.egg"\n  class-name = "mist_examples.session_example.session_example"\n}\n')
    const applied = await cli('apply', '-f', dir)
    assert.equal(applied.code, 3)
    assert.match(applied.stderr, /could not create function session-example .*implicit relative import; in Python 3 write `from \.session_example import session_example`.*\(HTTP 400\)/)
  })

  it('run --wait prints the result exactly and exits 0', async () => {
    const run = await cli('run', 'cli-echo', '--args', '{"value": {"n": 123456789012345678901234567890}}', '--wait')
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, '{"n":123456789012345678901234567890}\n')
    assert.match(run.stderr, /cli-echo \w{8}: started/)
  })

  it('run --wait of a failing function exits 1 with its error', async () => {
    const run = await cli('run', 'cli-boom', '--wait')
    assert.equal(run.code, 1)
    assert.match(run.stderr, /job [0-9a-f-]+ failed after \S+: ValueError: boom/)
  })

  it("bad arguments exit 3 with the server's message", async () => {
    const run = await cli('run', 'cli-echo', '--args', '{"nope": 1}', '--wait')
    assert.equal(run.code, 3)
    assert.match(run.stderr, /^haze run: invalid arguments for function "cli-echo": unknown argument nope.*\(HTTP 400\)\n$/)
  })

  it('an unreachable server exits 4', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const status = await start(['status'], { HAZE_URL: url }).done
    assert.equal(status.code, 4)
    assert.match(status.stderr, new RegExp(`^haze status: cannot reach the Haze server at ${url} \\(ECONNREFUSED\\)`))
  })

  it("a missing token, or one whose role is too weak, exits 3 with the server's detail", async () => {
    const anonymous = await start(['list', 'functions'], { HAZE_TOKEN: '' }).done
    assert.equal(anonymous.code, 3)
    assert.match(anonymous.stderr, /^haze list: this Haze requires an API token.*\(HTTP 401\)\n$/)
    const reader = await start(['upload', join(confs, 'jobs.py'), '--name', 'reader.py'], { HAZE_TOKEN: READER }).done
    assert.equal(reader.code, 3)
    assert.match(reader.stderr, /token "reader" has role read; .* needs role .*\(HTTP 403\)/)
  })

  it('bad usage exits 2', async () => {
    const run = await cli('run', '--args', '[1]', 'cli-echo')
    assert.equal(run.code, 2)
    assert.match(run.stderr, /--args must be a JSON object/)
  })

  it('logs -f follows a job to its end, every line once', async () => {
    const started = await cli('run', 'cli-chatty', '--args', '{"tag": "follow", "lines": 3}')
    assert.equal(started.code, 0, started.stderr)
    const id = started.stdout.trim()
    const logs = await cli('logs', '-f', id)
    assert.equal(logs.code, 0, logs.stderr)
    const lines = logs.stdout.trimEnd().split('\n')
    assert.deepEqual(
      lines.filter((line) => line.includes('[stdout] follow print')).map((line) => line.replace(/^.*\] /, '')),
      ['follow print 0', 'follow print 1', 'follow print 2'],
    )
    assert.match(lines.at(-1) ?? '', /^INFO \S+ \[haze\] finished/)
  })

  it('list --json parses, and list prints an aligned table', async () => {
    const listed = await cli('list', 'jobs', '--json', '--function', 'cli-echo')
    assert.equal(listed.code, 0, listed.stderr)
    const jobs = JSON.parse(listed.stdout) as Array<{ function: string; status: string }>
    assert.deepEqual(jobs.map((job) => [job.function, job.status]), [['cli-echo', 'finished']])
    const table = await cli('list', 'functions')
    assert.match(table.stdout, /^NAME +CONTEXT +ARTIFACT +CLASS NAME +ARGUMENTS\n/)
  })

  it('Ctrl-C while waiting asks, and "y" cancels the job (exit 1)', async () => {
    const run = start(['run', 'cli-slow', '--args', '{"seconds": 120}', '--wait'])
    await until(() => /cli-slow \w{8}: started/.test(run.outcome.stderr), 'the job to start', 60_000)
    run.child.kill('SIGINT')
    await until(() => /cancel job [0-9a-f-]+\? \[y\/N\]/.test(run.outcome.stderr), 'the question', 10_000)
    run.child.stdin?.end('y\n')
    const ended = await run.done
    assert.equal(ended.code, 1)
    assert.match(ended.stderr, /job [0-9a-f-]+ cancelled/)
  })

  it('kill, show and delete work on what apply made', async () => {
    const id = (await cli('run', 'cli-slow', '--args', '{"seconds": 120}')).stdout.trim()
    await until(async () => (await haze.json<{ status: string }>(`/v2/api/jobs/${id}`, AUTH)).body.status === 'started', 'the job to start', 60_000)
    const killed = await cli('kill', 'job', id)
    assert.equal(killed.stdout, `cancelled job ${id}\n`)
    const shown = await cli('show', 'job', id)
    assert.match(shown.stdout, /^status: +cancelled$/m)
    const deleted = await cli('delete', 'function', 'yml-echo')
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.equal((await haze.api('/v2/api/functions/yml-echo', AUTH)).status, 404)
  })

  it('show worker and kill worker (last: it stops the shared worker)', async () => {
    const [worker] = JSON.parse((await cli('list', 'workers', '--json')).stdout) as Array<{ name: string }>
    assert.ok(worker, 'a worker of cli-ctx is up')
    const shown = await cli('show', 'worker', worker.name)
    assert.match(shown.stdout, /^context: +cli-ctx$/m)
    const killed = await cli('kill', 'worker', worker.name)
    assert.equal(killed.stdout, `stopped worker ${worker.name}\n`)
  })
})

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('the haze command line without a server', () => {
  const run = (args: string[]) =>
    new Promise<Outcome>((resolve) => {
      const [command, argv] = hazeCommand(args)
      const child = spawn(command, argv, { cwd: HAZE_HOME, env: { ...process.env, HAZE_URL: 'http://127.0.0.1:9' } })
      const outcome: Outcome = { code: null, stdout: '', stderr: '' }
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (outcome.stdout += chunk))
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (outcome.stderr += chunk))
      child.once('close', (code) => resolve({ ...outcome, code }))
    })

  it('answers --help with examples (every command: test/cli-commands.test.ts)', async () => {
    const help = await run(['run', '--help'])
    assert.match(help.stdout, /^Usage: haze run FUNCTION .*\n[^]*^Examples:\n {2}haze run pi /m)
  })

  it('prints bash and zsh completion', async () => {
    const [bash, zsh] = await Promise.all([run(['completion', 'bash']), run(['completion', 'zsh'])])
    assert.match(bash.stdout, /^complete -o default -F _haze haze$/m)
    assert.equal(spawnSync('bash', ['-n'], { input: bash.stdout }).status, 0)
    assert.match(zsh.stdout, /^#compdef haze$/m)
  })
})
