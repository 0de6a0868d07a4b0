import assert from 'node:assert/strict'
import { spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { exited, hazeCommand, startCli } from './helpers/cli.js'

describe('the haze command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-cli-'))
  const children: ChildProcess[] = []
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('serves, shuts down gracefully on SIGTERM, and keeps its state across a restart', async () => {
    const first = await startCli(['--data-dir', dataDir])
    children.push(first.child)
    const created = await fetch(`${first.url}/v2/api/contexts`, {
      method: 'POST',
      body: JSON.stringify({ name: 'durable', maxJobs: 3 }),
    })
    assert.equal(created.status, 200)
    assert.ok(existsSync(join(dataDir, 'haze.db')))
    const stop = exited(first.child)
    first.child.kill('SIGTERM')
    assert.deepEqual(await stop, { code: 0, signal: null })

    const second = await startCli(['--data-dir', dataDir])
    children.push(second.child)
    const context = (await (await fetch(`${second.url}/v2/api/contexts/durable`)).json()) as { maxJobs: number }
    assert.equal(context.maxJobs, 3)
    const stopped = exited(second.child)
    second.child.kill('SIGINT')
    assert.equal((await stopped).code, 0)
  })

  it('prints its version, and refuses unknown commands and flags', () => {
    const run = (args: string[]) => {
      const [command, argv] = hazeCommand(args)
      return spawnSync(command, argv, { cwd: HAZE_HOME, encoding: 'utf8' })
    }
    const version = run(['version'])
    assert.equal(version.status, 0)
    assert.match(version.stdout, /^\d+\.\d+\.\d+/)
    const unknown = run(['fly'])
    assert.equal(unknown.status, 2)
    assert.match(unknown.stderr, /unknown command "fly"/)
    const badFlag = run(['start', '--colour', 'blue'])
    assert.equal(badFlag.status, 1)
    assert.match(badFlag.stderr, /Unknown option '--colour'/)
    const badPort = run(['start', '--port', 'abc'])
    assert.equal(badPort.status, 1)
    assert.match(badPort.stderr, /invalid port "abc"/)
  })
})
