/** The UI's typed client must be generated from the API as it is now. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { apiTypes, SCHEMA_FILE } from '../scripts/api-types.js'
import { startHaze } from './helpers/haze.js'

describe('the typed API client', () => {
  it('is generated from the live OpenAPI document (else: node --import tsx scripts/api-types.ts)', async () => {
    const haze = await startHaze()
    try {
      const document: unknown = await (await haze.api('/v2/api/openapi.json')).json()
      assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), await apiTypes(document), `${SCHEMA_FILE} is out of date: run node --import tsx scripts/api-types.ts`)
    } finally {
      await haze.close()
    }
  })
})
