/**
 * Mist's own command-line client (mist-cli 1.0.6 from PyPI), unchanged, against Haze on real
 * Spark: apply a deployment (artifact, context, function), run a job, list, kill.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { jobApi, startHaze, type TestHaze } from './helpers/haze.js'
import { SAMPLES } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const MIST_CLI = join(HAZE_HOME, '.venv', 'bin', 'mist-cli')

describe('mist-cli against Haze', { timeout: 300_000 }, () => {
  let haze: TestHaze
  const deployment = mkdtempSync(join(tmpdir(), 'haze-mist-cli-'))
  const cli = async (...args: string[]) => {
    const port = new URL(haze.url).port
    const { stdout } = await promisify(execFile)(MIST_CLI, ['--port', port, '-y', ...args], { timeout: 120_000 })
    return stdout
  }

  before(async () => {
    haze = await startHaze()
    const files: Record<string, string> = {
      '00artifact.conf': `model = Artifact\nname = pi\nversion = "0.0.1"\ndata.file-path = "${join(SAMPLES, 'jobs.py')}"\n`,
      '10context.conf':
        'model = Context\nname = cli-ctx\ndata {\n  worker-mode = shared\n  max-jobs = 2\n  downtime = Inf\n' +
        '  spark-conf {\n    "spark.master" = "local[1]"\n    "spark.ui.enabled" = "false"\n  }\n}\n',
      '20function.conf': 'model = Function\nname = cli-echo\ndata {\n  path = "pi_0.0.1.py"\n  class-name = "echo"\n  context = "cli-ctx"\n}\n',
      '21function.conf': 'model = Function\nname = cli-slow\ndata {\n  path = "pi_0.0.1.py"\n  class-name = "slow_count"\n  context = "cli-ctx"\n}\n',
    }
    for (const [name, text] of Object.entries(files)) writeFileSync(join(deployment, name), text)
  })
  after(async () => {
    await haze.close()
    rmSync(deployment, { recursive: true, force: true })
  })

  it('reads the status', async () => {
    const { sparkVersion } = (await haze.json<{ sparkVersion: string }>('/v2/api/status')).body
    assert.match(await cli('status'), new RegExp(`Spark version: ${sparkVersion.replaceAll('.', '\\.')}`))
  })

  it('applies a deployment: artifact, context and functions, and refuses to overwrite the artifact', async () => {
    const applied = await cli('apply', '-f', deployment, '-u', '')
    assert.match(applied, /cli-echo/)
    assert.equal((await haze.json<{ workerMode: string; maxJobs: number }>('/v2/api/contexts/cli-ctx')).body.workerMode, 'shared')
    assert.equal((await haze.json<{ className: string }>('/v2/api/functions/cli-echo')).body.className, 'echo')
    const again = await cli('apply', '-f', deployment, '-u', '')
    assert.match(again, /Artifact key pi_0\.0\.1\.py has to be unique/)
    assert.match(await cli('list', 'functions'), /cli-echo\s+cli-ctx\s+pi_0\.0\.1\.py\s+echo/)
    assert.match(await cli('list', 'contexts'), /cli-ctx\s+shared/)
  })

  it('starts a job and prints its result', async () => {
    const output = await cli('start', 'job', 'cli-echo', '{"value": {"n": 123456789012345678901234567890}}')
    assert.equal(output.trim(), '{"success": true, "payload": {"n": 123456789012345678901234567890}, "errors": []}')
    assert.match(await cli('list', 'workers'), /cli-ctx_[0-9a-f]+-pool-1/)
  })

  it('kills a running job', async () => {
    const { id } = (await haze.json<{ id: string }>('/v2/api/functions/cli-slow/jobs', { method: 'POST', body: '{"seconds": 120}' })).body
    const api = jobApi(haze)
    await until(async () => (await api.job(id)).status === 'started', 'the job to start', 60_000)
    await cli('kill', 'job', id)
    assert.equal((await api.ended(id, 30_000)).status, 'cancelled')
  })
})
