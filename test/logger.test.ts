/**
 * How `haze start` logs: coloured lines for a person at a terminal, JSON lines for machines,
 * and HAZE_LOG_FORMAT to choose; checked on the real command's output.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { HAZE_HOME } from '../src/config.js'
import { logOutputFor } from '../src/logger.js'
import { exited, hazeCommand } from './helpers/cli.js'
import { until } from './helpers/wait.js'

describe('log output', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'haze-log-'))
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  it('is pretty and coloured on a terminal, JSON otherwise, as HAZE_LOG_FORMAT says when set', () => {
    assert.deepEqual(logOutputFor({}, true), { pretty: true, colour: true })
    assert.deepEqual(logOutputFor({}, false), { pretty: false, colour: false })
    assert.deepEqual(logOutputFor({ NO_COLOR: '1' }, true), { pretty: true, colour: false })
    assert.deepEqual(logOutputFor({ HAZE_LOG_FORMAT: 'json' }, true), { pretty: false, colour: true })
    assert.deepEqual(logOutputFor({ HAZE_LOG_FORMAT: 'pretty' }, false), { pretty: true, colour: false })
    assert.throws(() => logOutputFor({ HAZE_LOG_FORMAT: 'xml' }, false), /HAZE_LOG_FORMAT must be json or pretty; got "xml"/)
  })

  it('writes human lines from haze start with HAZE_LOG_FORMAT=pretty, and exits cleanly', async () => {
    const [command, args] = hazeCommand(['start', '--port', '0', '--data-dir', dataDir])
    const child = spawn(command, args, { cwd: HAZE_HOME, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HAZE_LOG_FORMAT: 'pretty' } })
    const lines: string[] = []
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line))
    const end = exited(child)
    try {
      const listening = await until(() => lines.find((line) => line.includes('Haze is listening on http://127.0.0.1:')), 'the listening line', 60_000)
      assert.match(listening, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Haze is listening on/)
      assert.equal(lines.some((line) => line.startsWith('{')), false, 'no JSON lines')
    } finally {
      child.kill('SIGTERM')
    }
    assert.deepEqual(await end, { code: 0, signal: null })
  })
})
