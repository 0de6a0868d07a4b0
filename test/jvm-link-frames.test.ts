/**
 * The JVM worker's end of the link agrees with protocol/worker-link.schema.json, as frames.py is
 * held to it by worker/tests/test_frames.py: every frame the JVM worker builds (one of each kind,
 * through `haze.runtime.LinkFramesCheck samples`) fits the schema, and the JVM's check of master
 * frames accepts exactly the frames the schema accepts. Runs the real runtime jar, without Spark.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { before, describe, it } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { loadConfig } from '../src/config.js'
import { JVM_RUNTIME_JAR } from '../src/workers/jvm-runtime.js'
import { resolveSparkHome } from '../src/workers/launcher.js'
import { SCHEMA_FILE } from '../src/workers/protocol.js'

type Schema = { $defs: { run: { required: string[] }; hello: { properties: { protocolVersion: { const: number } } } } }
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Schema
const validate = new Ajv2020({ strict: false }).compile(schema)

const run: Record<string, unknown> = {
  type: 'run', jobId: 'job_1-a', artifact: { name: 'a.jar', sha1: '0'.repeat(40), url: '/v2/api/artifacts/a.jar' },
  className: 'Fn', argumentsJson: '{}', contextKind: 'spark_context', streamingDuration: 1000, resultLimit: 10,
  resultUrl: '/internal/workers/results/job_1-a', lang: 'scala',
}
const without = (frame: Record<string, unknown>, field: string) => Object.fromEntries(Object.entries(frame).filter(([name]) => name !== field))

const MASTER_FRAMES: unknown[] = [
  run, { ...run, streamingDuration: 5.0 }, { type: 'cancel', jobId: 'j' }, { type: 'shutdown' },
  { type: 'heartbeat', time: 5 }, { type: 'heartbeat', time: 5, runningJobs: ['a'] },
  ...schema.$defs.run.required.map((field) => without(run, field)),
  { ...run, jobId: 'bad id' }, { ...run, extra: 1 }, { ...run, resultLimit: 0 }, { ...run, resultLimit: true }, { ...run, resultLimit: 1.5 },
  { ...run, contextKind: 'other' }, { ...run, lang: 'cobol' }, { ...run, artifact: { name: 'a', sha1: 'A'.repeat(40), url: 'u' } },
  { ...run, artifact: { name: 'a' } }, { ...run, artifact: 'a.jar' }, { ...run, className: 5 },
  { type: 'cancel' }, { type: 'shutdown', now: true }, { type: 'heartbeat', time: -1 }, { type: 'heartbeat', time: 1, runningJobs: ['no way'] },
  { type: 'heartbeat', time: 1, runningJobs: 'a' }, { type: 'ready', sparkVersion: '4', applicationId: 'a' }, { type: 'nope' }, [1], 'text', null,
]

describe('the JVM worker against the worker-link schema', { timeout: 60_000 }, () => {
  let classPath: string
  const java = async (args: string[], input?: string) => {
    const child = promisify(execFile)('java', ['-cp', classPath, 'haze.runtime.LinkFramesCheck', ...args], { timeout: 30_000 })
    if (input !== undefined) child.child.stdin?.end(input)
    return (await child).stdout.trim().split('\n')
  }

  before(async () => {
    const sparkHome = await resolveSparkHome(loadConfig({}, {}).python)
    classPath = `${JVM_RUNTIME_JAR}:${join(sparkHome, 'jars', '*')}`
  })

  it('builds only frames the schema accepts, one of every worker → master kind', async () => {
    const frames = (await java(['samples'])).map((line) => JSON.parse(line) as { type: string })
    const rejected = frames.filter((frame) => !validate(frame)).map((frame) => `${JSON.stringify(frame)}: ${JSON.stringify(validate.errors)}`)
    assert.deepEqual(rejected, [])
    const kinds = new Set(frames.map((frame) => frame.type))
    assert.deepEqual([...kinds].sort(), ['failed', 'finished', 'heartbeat', 'hello', 'job-file-downloading', 'log', 'ready', 'started'])
  })

  it('says hello with the schema\'s protocol version and the jvm language', async () => {
    const [hello] = await java(['samples'])
    const { lang, protocolVersion } = JSON.parse(hello ?? '{}') as { lang: string; protocolVersion: number }
    assert.deepEqual([lang, protocolVersion], ['jvm', schema.$defs.hello.properties.protocolVersion.const])
  })

  it('accepts exactly the master frames the schema accepts', async () => {
    const answers = await java([], MASTER_FRAMES.map((frame) => JSON.stringify(frame)).join('\n') + '\n')
    const disagreements = MASTER_FRAMES.flatMap((frame, i) => {
      const schemaSays = validate(frame) && ['run', 'cancel', 'shutdown', 'heartbeat'].includes((frame as { type: string }).type)
      const jvmSays = answers[i] ?? '(no answer)'
      return schemaSays === jvmSays.startsWith('ok ') ? [] : [`${JSON.stringify(frame)}: schema ${schemaSays ? 'accepts' : 'refuses'}, JVM says ${jvmSays}`]
    })
    assert.deepEqual(disagreements, [])
  })
})
