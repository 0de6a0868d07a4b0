/** The UI's run form, generated from a function's `execute` (ui/src/lib/form.ts). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { draftOf, fieldsOf, initialDrafts, requestOf, type ArgType, type Draft } from '../ui/src/lib/form.js'

const int: ArgType = { type: 'MInt' }
const execute: Record<string, ArgType> = {
  n: int,
  ratio: { type: 'MDouble' },
  name: { type: 'MString' },
  on: { type: 'MBoolean' },
  ids: { type: 'MList', args: [int] },
  weights: { type: 'MMap', args: [{ type: 'MString' }, { type: 'MDouble' }] },
  count: { type: 'MOption', args: [int] },
  extra: { type: 'MAny' },
}

describe('the run form', () => {
  const fields = fieldsOf(execute, { count: 3 })

  it('has one typed field per argument, in order, with defaults filled in', () => {
    assert.deepEqual(fields.map((field) => [field.name, field.hint, field.hasDefault]), [
      ['n', 'an integer', false],
      ['ratio', 'a number', false],
      ['name', 'a string', false],
      ['on', 'true or false', false],
      ['ids', 'a list of integers', false],
      ['weights', 'an object of numbers', false],
      ['count', 'an integer or null', true],
      ['extra', 'any JSON value', false],
    ])
    const drafts = initialDrafts(fields, { count: 3 })
    assert.deepEqual(drafts.count, { kind: 'option', set: true, inner: { kind: 'int', text: '3' }, type: int })
    assert.deepEqual(drafts.on, { kind: 'boolean', value: false })
  })

  it('sends exactly what was typed: a big integer stays whole, an unset option is left out', () => {
    const drafts: Record<string, Draft> = {
      ...initialDrafts(fields),
      n: { kind: 'int', text: '12345678901234567890' },
      ratio: { kind: 'double', text: '0.25' },
      name: { kind: 'string', text: 'a "quoted" name' },
      ids: { kind: 'list', items: [draftOf(int, 1), draftOf(int, 2)], item: int },
      weights: { kind: 'map', entries: [{ key: 'a', value: { kind: 'double', text: '1.5' } }], value: { type: 'MDouble' } },
      extra: { kind: 'json', text: '{"deep": [1, {"x": null}]}' },
    }
    assert.deepEqual(requestOf(fields, drafts, execute), {
      ok: true,
      body: '{"n":12345678901234567890,"ratio":0.25,"name":"a \\"quoted\\" name","on":false,"ids":[1,2],"weights":{"a":1.5},"extra":{"deep": [1, {"x": null}]}}',
    })
  })

  it("names each bad argument with the server's own words", () => {
    const drafts: Record<string, Draft> = { ...initialDrafts(fields), n: { kind: 'int', text: '1.5' }, ratio: { kind: 'double', text: 'half' } }
    const outcome = requestOf(fields, drafts, execute)
    assert.deepEqual(outcome.ok ? {} : outcome.problems, {
      n: ['n must be an integer; got the string "1.5"'],
      ratio: ['ratio must be a number; got the string "half"'],
    })
  })

  it('refuses a JSON field that is not JSON before asking the server', () => {
    const drafts: Record<string, Draft> = { ...initialDrafts(fields), n: draftOf(int, 1), ratio: draftOf({ type: 'MDouble' }, 2), extra: { kind: 'json', text: '{oops' } }
    const outcome = requestOf(fields, drafts, execute)
    assert.equal(outcome.ok, false)
    assert.match((outcome.ok ? [] : outcome.problems.extra ?? []).join(), /^extra is not valid JSON/)
  })
})
