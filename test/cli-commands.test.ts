/** The client commands' descriptions: help with examples everywhere, and strict argument reading. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { helpOf, parseCommand } from '../src/cli/command.js'
import { CliError, EXIT } from '../src/cli/errors.js'
import { clientCommandSpecs } from '../src/cli/index.js'
import { argumentsText } from '../src/cli/run.js'

const shown = clientCommandSpecs.filter((spec) => !spec.name.startsWith('__'))
const spec = (name: string) => {
  const found = clientCommandSpecs.find((command) => command.name === name)
  assert.ok(found, name)
  return found
}

describe('haze client commands', () => {
  it('every subcommand has --help with at least one example of itself', () => {
    const withExamples = shown.filter((command) => new RegExp(`^Examples:\\n {2}haze ${command.name}( |$)`, 'm').test(helpOf(command)))
    assert.deepEqual(withExamples.map((command) => command.name), shown.map((command) => command.name))
  })

  it('--help and -h ask for help instead of running', () => {
    assert.deepEqual([parseCommand(spec('run'), ['--help'], {}), parseCommand(spec('list'), ['-h'], {})], ['help', 'help'])
  })

  it('an unknown option is bad usage that points at the help', () => {
    assert.throws(
      () => parseCommand(spec('run'), ['pi', '--colour'], {}),
      (error: CliError) => error.exitCode === EXIT.usage && /Unknown option '--colour'.*see `haze run --help`/.test(error.message),
    )
  })

  it('takes the server from --url, then HAZE_URL, then the default', () => {
    const url = (args: string[], env: NodeJS.ProcessEnv) => {
      const context = parseCommand(spec('status'), args, env)
      return context === 'help' ? undefined : context.client().connection.url
    }
    assert.deepEqual(
      [url(['--url', 'http://a:1/'], { HAZE_URL: 'http://b:2' }), url([], { HAZE_URL: 'http://b:2' }), url([], {})],
      ['http://a:1', 'http://b:2', 'http://127.0.0.1:2004'],
    )
  })

  it('sends the token as a bearer header and as ?token= on the event stream', () => {
    const context = parseCommand(spec('status'), [], { HAZE_TOKEN: 's3cret' })
    assert.ok(context !== 'help')
    const client = context.client()
    assert.deepEqual([client.headers(), client.socketUrl('/v2/api/ws/jobs/x')], [{ authorization: 'Bearer s3cret' }, 'ws://127.0.0.1:2004/v2/api/ws/jobs/x?token=s3cret'])
  })
})

describe('haze run --args', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haze-cli-args-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('sends the text as written, so a big integer keeps every digit', async () => {
    assert.equal(await argumentsText('{"n": 123456789012345678901234567890}'), '{"n": 123456789012345678901234567890}')
  })

  it('reads @file', async () => {
    writeFileSync(join(dir, 'args.json'), '{"samples": 10}')
    assert.equal(await argumentsText(`@${join(dir, 'args.json')}`), '{"samples": 10}')
  })

  it('defaults to no arguments', async () => {
    assert.equal(await argumentsText(undefined), '{}')
  })

  it('refuses what is not a JSON object as bad usage', async () => {
    const refused = await Promise.all(['[1]', '42', '{"a":', `@${join(dir, 'missing.json')}`].map((text) => argumentsText(text).then(() => 0, (error: CliError) => error.exitCode)))
    assert.deepEqual(refused, [EXIT.usage, EXIT.usage, EXIT.usage, EXIT.usage])
  })
})
