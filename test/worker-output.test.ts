/**
 * A worker's own output file on a real disk: rotated to `.1` at half of its limit, never more
 * than the limit kept, each new file saying where the earlier output is and how much is gone.
 * (test/e2e-faults.test.ts floods a real Spark worker's standard output.)
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { WorkerOutputFile } from '../src/logs/worker-output.js'
import { until } from './helpers/wait.js'

describe("a worker's output file", () => {
  const dir = mkdtempSync(join(tmpdir(), 'haze-worker-output-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps everything below half the limit, in one file', async () => {
    const path = join(dir, 'worker-small.log')
    const file = new WorkerOutputFile(path, 1024 * 1024, (error) => assert.fail(error))
    for (let i = 0; i < 100; i++) file.write(`line ${i}`)
    file.end()
    await until(() => existsSync(path) && readFileSync(path, 'utf8').split('\n').length === 101, 'the lines on disk')
    assert.equal(readFileSync(path, 'utf8'), Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''))
    assert.equal(existsSync(`${path}.1`), false)
  })

  it('rotates at half the limit and says what was dropped, keeping the latest lines', async () => {
    const path = join(dir, 'worker-flood.log')
    const limit = 64 * 1024
    const errors: Error[] = []
    const file = new WorkerOutputFile(path, limit, (error) => errors.push(error))
    file.write('first line')
    const line = (i: number) => `${String(i).padStart(6, '0')} ${'x'.repeat(100)}`
    const count = 5000 // about 530 KiB: eight times the limit
    for (let i = 0; i < count; i++) file.write(line(i))
    file.end()
    // The last stream to close is the current file's.
    await until(() => readFileSync(path, 'utf8').endsWith(`${line(count - 1)}\n`), 'the last line written')
    assert.deepEqual(errors, [])
    const current = readFileSync(path, 'utf8')
    const rotated = readFileSync(`${path}.1`, 'utf8')
    assert.ok(current.length <= limit / 2 && rotated.length <= limit / 2, `sizes ${current.length}, ${rotated.length}`)
    const [head] = current.split('\n')
    assert.match(head ?? '', /^\[haze\] this worker's output goes on from worker-flood\.log\.1 \([\d.]+ KiB\); [\d.]+ KiB of older output were dropped: a worker keeps 64 KiB \(workerOutputLimit\)$/)
    // Nothing between the two files is lost: the current file goes on where .1 stops.
    const lastRotated = rotated.trimEnd().split('\n').at(-1) ?? ''
    const firstCurrent = current.split('\n')[1] ?? ''
    assert.equal(Number(firstCurrent.slice(0, 6)), Number(lastRotated.slice(0, 6)) + 1)
    // What is kept and what was dropped add up to what was written (give or take Haze's own lines).
    const dropped = Number(/; ([\d.]+) KiB of older output/.exec(head ?? '')?.[1]) * 1024
    const written = 'first line\n'.length + count * (line(0).length + 1)
    const kept = Buffer.byteLength(rotated) + Buffer.byteLength(current)
    assert.ok(Math.abs(written - kept - dropped) < 5 * 1024, `kept ${kept} + dropped ${dropped} vs written ${written}`)
  })
})
