/**
 * Class-data-sharing options for a worker's JVMs: used only when setup.sh made archives for
 * the very Spark home the worker runs, and added after what the command already sets.
 * (That a real worker's driver maps the archive is checked on real Spark in e2e-spares.)
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { cdsOptions, withClassDataSharing } from '../src/workers/jvm-cds.js'

describe('class-data-sharing options', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haze-cds-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('gives none while setup.sh has made no archives', () => {
    assert.equal(cdsOptions('/opt/spark', dir), undefined)
  })

  it('gives none for another Spark home than the archives were made from', () => {
    writeFileSync(join(dir, 'spark-home'), '/opt/spark\n')
    writeFileSync(join(dir, 'launcher.jsa'), '')
    writeFileSync(join(dir, 'driver.jsa'), '')
    assert.equal(cdsOptions('/opt/other-spark', dir), undefined)
  })

  it('names each JVM its own archive, silently ignored if it does not match', () => {
    writeFileSync(join(dir, 'spark-home'), '/opt/spark\n')
    assert.deepEqual(cdsOptions('/opt/spark', dir), {
      launcher: `-XX:SharedArchiveFile=${join(dir, 'launcher.jsa')} -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off`,
      driver: `-XX:SharedArchiveFile=${join(dir, 'driver.jsa')} -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off`,
    })
  })

  it('leaves a command unchanged for a Spark home without archives', () => {
    const command = { command: 'spark-submit', env: { SPARK_SUBMIT_OPTS: '-Dx=1' } }
    assert.deepEqual(withClassDataSharing(join(dir, 'no-such-spark'), command), command)
  })
})
