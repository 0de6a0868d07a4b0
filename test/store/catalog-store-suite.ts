/**
 * The behaviour every CatalogStore must have (functions and contexts), run against each
 * implementation.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ContextConfig } from '../../src/domain/context.js'
import { INFINITE } from '../../src/domain/duration.js'
import type { FunctionRecord } from '../../src/domain/function.js'
import type { CatalogStore } from '../../src/store/catalog-store.js'

export interface CatalogHandle {
  store: CatalogStore
  close(): Promise<void>
}

const fn = (name: string, fields: Partial<FunctionRecord> = {}): FunctionRecord => ({
  name,
  path: `${name}.py`,
  className: `run_${name}`,
  defaultContext: 'default',
  createTime: 1_700_000_000_000,
  updateTime: 1_700_000_000_000,
  ...fields,
})

const context = (name: string, fields: Partial<ContextConfig> = {}): ContextConfig => ({
  name,
  sparkConf: { 'spark.master': 'local[2]' },
  downtime: 3600_000,
  maxJobs: 2,
  precreated: false,
  runOptions: '',
  workerMode: 'shared',
  streamingDuration: 1000,
  maxConnFailures: 5,
  spareWorkers: 0,
  maxWorkers: 1,
  ...fields,
})

export function catalogStoreSuite(name: string, open: () => Promise<CatalogHandle>): void {
  describe(`CatalogStore on ${name}`, () => {
    let handle: CatalogHandle
    let store: CatalogStore
    before(async () => {
      handle = await open()
      store = handle.store
    })
    after(() => handle.close())

    it('keeps every field of a function, its signature included', async () => {
      const record = fn('typed', {
        signature: {
          lang: 'python',
          execute: { samples: { type: 'MOption', args: [{ type: 'MInt' }] }, m: { type: 'MMap', args: [{ type: 'MString' }, { type: 'MDouble' }] } },
          tags: ['sql'],
          contextKind: 'spark_session',
          defaults: { samples: 1000, big: 12345678901234 },
        },
        artifactSha: 'a'.repeat(40),
      })
      await store.putFunction(record)
      assert.deepEqual(await store.getFunction('typed'), record)
    })

    it('leaves a function without a signature or SHA without them', async () => {
      await store.putFunction(fn('forced'))
      const stored = await store.getFunction('forced')
      assert.deepEqual([stored?.signature, stored?.artifactSha], [undefined, undefined])
    })

    it('answers undefined for an unknown function', async () => {
      assert.equal(await store.getFunction('no-such-function'), undefined)
    })

    it('replaces a function by name, keeping its creation time', async () => {
      await store.putFunction(fn('replaced', { createTime: 1, updateTime: 1 }))
      await store.putFunction(fn('replaced', { path: 'v2.py', createTime: 2, updateTime: 2 }))
      const stored = await store.getFunction('replaced')
      assert.deepEqual([stored?.path, stored?.createTime, stored?.updateTime], ['v2.py', 1, 2])
    })

    it('lists functions by name, bytewise', async () => {
      for (const name of ['zeta', 'Alpha', 'beta', '_under']) await store.putFunction(fn(`list-${name}`))
      const names = (await store.listFunctions()).map((f) => f.name).filter((n) => n.startsWith('list-'))
      assert.deepEqual(names, ['list-Alpha', 'list-_under', 'list-beta', 'list-zeta'])
    })

    it('deletes a function once', async () => {
      await store.putFunction(fn('deleted'))
      assert.deepEqual([await store.deleteFunction('deleted'), await store.deleteFunction('deleted')], [true, false])
      assert.equal(await store.getFunction('deleted'), undefined)
    })

    it('keeps every field of a context, infinite durations included', async () => {
      const stored = context('forever', { downtime: INFINITE, precreated: true, spareWorkers: 2, maxWorkers: 3, runOptions: '--driver-memory 1g', sparkConf: { 'spark.a': '1', 'spark.b': 'x y' } })
      await store.putContext(stored)
      assert.deepEqual(await store.getContext('forever'), stored)
    })

    it('answers undefined for an unknown context', async () => {
      assert.equal(await store.getContext('no-such-context'), undefined)
    })

    it('replaces a context by name', async () => {
      await store.putContext(context('changing', { maxJobs: 1 }))
      await store.putContext(context('changing', { maxJobs: 8, workerMode: 'exclusive' }))
      const stored = await store.getContext('changing')
      assert.deepEqual([stored?.maxJobs, stored?.workerMode], [8, 'exclusive'])
    })

    it('lists contexts by name', async () => {
      for (const name of ['b', 'a', 'C']) await store.putContext(context(`ctx-${name}`))
      const names = (await store.listContexts()).map((c) => c.name).filter((n) => n.startsWith('ctx-'))
      assert.deepEqual(names, ['ctx-C', 'ctx-a', 'ctx-b'])
    })

    it('deletes a context once', async () => {
      await store.putContext(context('gone'))
      assert.deepEqual([await store.deleteContext('gone'), await store.deleteContext('gone')], [true, false])
      assert.equal(await store.getContext('gone'), undefined)
    })

    it('keeps the last of concurrent writes to one function, whole', async () => {
      const writes = Array.from({ length: 20 }, (_, i) => fn('raced', { path: `v${i}.py`, className: `c${i}`, updateTime: i }))
      await Promise.all(writes.map((record) => store.putFunction(record)))
      const stored = await store.getFunction('raced')
      const index = Number(stored?.path.slice(1, -3))
      assert.deepEqual([stored?.className, stored?.updateTime], [`c${index}`, index], 'path, class and time come from one write')
    })
  })
}
