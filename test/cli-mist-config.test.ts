/**
 * `haze apply`'s reading of a deployment: Mist's own .conf files (the examples mist-cli ships,
 * written out here) and the same models in YAML become the API's bodies; nothing talks to a server.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { contextChanges } from '../src/cli/apply.js'
import { CliError, EXIT } from '../src/cli/errors.js'
import { readDeployments, type ContextDeployment, type FunctionDeployment } from '../src/cli/mist-config.js'

const root = mkdtempSync(join(tmpdir(), 'haze-mist-config-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** Writes files under a fresh folder of `root`; answers the folder. */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
  return dir
}

// mist-cli's example/simple-context, as Mist users have it (comments, unquoted strings, a
// nested spark-conf, a camelCase key among kebab-case ones).
const SIMPLE_CONTEXT = {
  'test-job.py': 'def my_custom_fn(sc):\n    return 1\n',
  '00artifact.conf': 'model = Artifact\nname = test-job # optional: default value is folder name\nversion = 0.0.3\ndata.file-path = "./test-job.py"\n',
  '10context.conf': `model = Context
name = foo # optional (default value is folder name)
data {
    worker-mode = shared
    max-jobs = 20
    downtime = Inf
    precreated = false
    streaming-duration = 1s
    maxConnFailures = 123
    spark-conf {
        spark.default.parallelism = 128
        spark.scheduler.mode = "FAIR"
        "spark.speculation" = "true"
        "spark.speculation.multiplier" = "0.1"
    }
    run-options = ""
}
`,
  '20function.conf': 'model = Function\nname = test-name\ndata {\n    path = test-job_0.0.3.py\n    class-name = my_custom_fn\n    context = foo # optional\n}\n',
}

describe("haze apply reads Mist's deployment files", () => {
  it('reads the artifact with its versioned upload name and the file next to the conf', async () => {
    const dir = folder('simple', SIMPLE_CONTEXT)
    const [artifact] = (await readDeployments('.', dir)).deployments
    assert.deepEqual(artifact, { model: 'Artifact', name: 'test-job', key: 'test-job_0.0.3.py', file: join(dir, 'test-job.py'), source: '00artifact.conf' })
  })

  it("turns Mist's context keys into the API's fields, Spark settings flattened to strings", async () => {
    const dir = folder('simple-ctx', SIMPLE_CONTEXT)
    const context = (await readDeployments(dir, '/')).deployments[1] as ContextDeployment
    assert.deepEqual(context.settings, {
      workerMode: 'shared',
      maxJobs: 20,
      downtime: 'Inf',
      precreated: false,
      streamingDuration: '1s',
      maxConnFailures: 123,
      sparkConf: { 'spark.default.parallelism': '128', 'spark.scheduler.mode': 'FAIR', 'spark.speculation': 'true', 'spark.speculation.multiplier': '0.1' },
      runOptions: '',
    })
  })

  it('reads a function, its context defaulting to "default"', async () => {
    const dir = folder('fn-default', { 'fn.conf': 'model = Function\nname = f\ndata {\n  path = a.py\n  class-name = main\n}\n' })
    const [fn] = (await readDeployments(dir, '/')).deployments as FunctionDeployment[]
    assert.deepEqual(fn && { path: fn.path, className: fn.className, defaultContext: fn.defaultContext }, { path: 'a.py', className: 'main', defaultContext: 'default' })
  })

  it("orders artifacts, then contexts, then functions, whatever the files' names", async () => {
    const dir = folder('order', {
      'test-job.py': SIMPLE_CONTEXT['test-job.py'],
      'a-function.conf': SIMPLE_CONTEXT['20function.conf'],
      'b-context.conf': SIMPLE_CONTEXT['10context.conf'],
      'z-artifact.conf': SIMPLE_CONTEXT['00artifact.conf'],
    })
    const models = (await readDeployments(dir, '/')).deployments.map((item) => item.model)
    assert.deepEqual(models, ['Artifact', 'Context', 'Function'])
  })

  it('names a model after its folder when the file gives no name, as mist-cli did', async () => {
    const dir = folder('my-awesome-job', { '10context.conf': 'model = Context\ndata { worker-mode = exclusive }\n' })
    assert.equal((await readDeployments(dir, '/')).deployments[0]?.name, 'my-awesome-job')
  })

  it('keeps a version as written (1.0, not 1) in the upload name', async () => {
    const dir = folder('version', { 'x.py': '', 'a.conf': 'model = Artifact\nname = x\nversion = 1.0\ndata.file-path = x.py\n' })
    const [artifact] = (await readDeployments(dir, '/')).deployments
    assert.equal(artifact?.model === 'Artifact' && artifact.key, 'x_1.0.py')
  })

  it('reads HOCON substitutions and durations in HOCON units', async () => {
    const dir = folder('subst', { 'c.conf': 'idle = 10 minutes\nmodel = Context\nname = c\ndata {\n  downtime = ${idle}\n  max-jobs = 2\n}\n' })
    const context = (await readDeployments(dir, '/')).deployments[0] as ContextDeployment
    assert.equal(context.settings.downtime, '600s')
  })

  it('warns about keys that are not context settings, naming the right one for max-parallel-jobs', async () => {
    const dir = folder('warn', { 'c.conf': 'model = Context\nname = c\ndata {\n  max-parallel-jobs = 20\n}\n' })
    const { warnings } = await readDeployments(dir, '/')
    assert.match(warnings[0] ?? '', /"max-parallel-jobs" is not a context setting and is ignored; Mist ignored it too: the setting is max-jobs/)
  })

  it('reads the same models from YAML, several documents in one file', async () => {
    const dir = folder('yaml', {
      'job.py': '',
      'deploy.yaml': [
        'model: Artifact\nname: job\nversion: 1.0\ndata:\n  file-path: job.py',
        'model: Context\nname: y-ctx\ndata:\n  worker-mode: shared\n  max-jobs: 2\n  downtime: Inf\n  spark-conf:\n    spark.master: local[1]',
        'model: Function\nname: y-fn\ndata:\n  path: job_1.0.py\n  class-name: main\n  context: y-ctx',
      ].join('\n---\n'),
    })
    const deployments = (await readDeployments(dir, '/')).deployments
    assert.deepEqual(
      deployments.map((item) => (item.model === 'Artifact' ? item.key : item.model === 'Context' ? item.settings : item.defaultContext)),
      ['job_1.0.py', { workerMode: 'shared', maxJobs: 2, downtime: 'Inf', sparkConf: { 'spark.master': 'local[1]' } }, 'y-ctx'],
    )
  })

  it('refuses an unknown model as bad usage, naming the file', async () => {
    const dir = folder('bad-model', { 'x.conf': 'model = Job\nname = x\n' })
    await assert.rejects(readDeployments(dir, '/'), (error: CliError) => error.exitCode === EXIT.usage && /x\.conf: model must be Artifact, Context or Function; got "Job"/.test(error.message))
  })

  it('refuses an artifact whose file is missing, saying where it looked', async () => {
    const dir = folder('missing', { 'a.conf': 'model = Artifact\nname = a\nversion = 1\ndata.file-path = nowhere.py\n' })
    await assert.rejects(readDeployments(dir, '/'), /data\.file-path "nowhere\.py" is not a file \(looked at .*nowhere\.py/)
  })

  it('refuses HOCON it cannot parse', async () => {
    const dir = folder('broken', { 'a.conf': 'model = Context\ndata {\n' })
    await assert.rejects(readDeployments(dir, '/'), /a\.conf is not valid HOCON/)
  })
})

describe('haze apply compares a context as the server would store it', () => {
  const defaults = { sparkConf: { 'spark.master': 'local[*]' }, downtime: '3600s', maxJobs: 1, precreated: false, runOptions: '', workerMode: 'exclusive', streamingDuration: '1s', maxConnFailures: 5 }

  it('sees no change when the stored context is what the settings plus the defaults make', () => {
    assert.deepEqual(contextChanges({ workerMode: 'shared', maxJobs: 2 }, { ...defaults, workerMode: 'shared', maxJobs: 2 }, defaults), [])
  })

  it('sees a setting left out of the file go back to the default', () => {
    assert.deepEqual(contextChanges({ workerMode: 'shared' }, { ...defaults, workerMode: 'shared', maxJobs: 4 }, defaults), ['maxJobs'])
  })

  it('compares Spark settings whole, in any order', () => {
    const stored = { ...defaults, sparkConf: { b: '2', a: '1' } }
    assert.deepEqual(contextChanges({ sparkConf: { a: '1', b: '2' } }, stored, defaults), [])
  })
})
