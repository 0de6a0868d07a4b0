/** The behaviour every AuditStore must have, run against each implementation. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { AuditEntry, AuditStore } from '../../src/store/audit-store.js'

export interface AuditHandle {
  store: AuditStore
  close(): Promise<void>
}

export function auditStoreSuite(name: string, open: () => Promise<AuditHandle>): void {
  describe(`AuditStore on ${name}`, () => {
    let handle: AuditHandle
    let store: AuditStore
    const entries: AuditEntry[] = [
      { time: 1, actor: 'ci', action: 'artifact.upload', target: 'a.py', status: 200 },
      { time: 2, actor: 'ops', action: 'context.delete', target: 'etl', status: 200 },
      { time: 3, actor: 'ci', action: 'function.create', target: 'pi', status: 409 },
    ]
    before(async () => {
      handle = await open()
      store = handle.store
      for (const entry of entries) await store.record(entry)
    })
    after(() => handle.close())

    it('lists entries newest first, with the total', async () => {
      assert.deepEqual(await store.list({ limit: 2, offset: 0, withTotal: true }), { entries: [entries[2], entries[1]], total: 3 })
    })

    it('filters by actor', async () => {
      assert.deepEqual(await store.list({ limit: 10, offset: 0, actor: 'ci', withTotal: true }), { entries: [entries[2], entries[0]], total: 2 })
    })

    it('filters by action, with an offset, without the total', async () => {
      assert.deepEqual(await store.list({ limit: 10, offset: 1, action: 'context.delete', withTotal: false }), { entries: [] })
    })

    it('filters by actor and action together', async () => {
      assert.deepEqual(await store.list({ limit: 10, offset: 0, actor: 'ci', action: 'artifact.upload', withTotal: true }), { entries: [entries[0]], total: 1 })
    })

    it('keeps every entry of concurrent writers', async () => {
      const burst = Array.from({ length: 30 }, (_, i) => ({ time: 100 + i, actor: 'burst', action: 'job.cancel', target: `j${i}`, status: 200 }))
      await Promise.all(burst.map((entry) => store.record(entry)))
      const listed = await store.list({ limit: 100, offset: 0, actor: 'burst', withTotal: true })
      assert.deepEqual(listed.entries.map((e) => e.target).sort(), burst.map((e) => e.target).sort())
    })
  })
}
