/** Functions: deploy, update, read and delete, with signatures read from the real code. */
import { Type } from 'typebox'
import { functionInfoJson, type FunctionRecord } from '../../domain/function.js'
import type { HazeApp, HttpDeps } from '../deps.js'
import { queryBoolean } from '../query.js'
import { ForceQuery, FunctionConfigBody, FunctionInfo, FunctionParams, Problem } from '../schemas.js'

const configOf = (record: FunctionRecord) => ({
  name: record.name,
  path: record.path,
  className: record.className,
  defaultContext: record.defaultContext,
})

export function functionRoutes(app: HazeApp, { functions }: HttpDeps): void {
  app.get(
    '/v2/api/functions',
    { schema: { tags: ['functions'], summary: 'List functions', response: { 200: Type.Array(FunctionInfo) } } },
    async () => (await functions.list()).map(functionInfoJson),
  )

  app.get(
    '/v2/api/functions/:id',
    {
      schema: {
        tags: ['functions'],
        summary: 'One function',
        params: FunctionParams,
        response: { 200: FunctionInfo, 404: Problem },
      },
    },
    async (request) => functionInfoJson(await functions.get(request.params.id)),
  )

  app.post(
    '/v2/api/functions',
    {
      schema: {
        tags: ['functions'],
        summary: 'Deploy a function',
        description:
          'Loads the function from its artifact to read its arguments; 400 with the Python error if it does not load. ' +
          'With force=true nothing is checked, an existing function is overwritten, and the answer is the bare config (as in Mist).',
        querystring: ForceQuery,
        body: FunctionConfigBody,
        response: { 200: Type.Union([FunctionInfo, FunctionConfigBody]), 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (request) => {
      const force = queryBoolean('force', request.query.force)
      const record = await functions.create(request.body, { force })
      return force ? configOf(record) : functionInfoJson(record)
    },
  )

  app.put(
    '/v2/api/functions',
    {
      schema: {
        tags: ['functions'],
        summary: 'Update a function (named in the body)',
        querystring: ForceQuery,
        body: FunctionConfigBody,
        response: { 200: FunctionInfo, 400: Problem, 404: Problem },
      },
    },
    async (request) => {
      const force = queryBoolean('force', request.query.force)
      return functionInfoJson(await functions.update(request.body, { force }))
    },
  )

  app.delete(
    '/v2/api/functions/:id',
    {
      schema: {
        tags: ['functions'],
        summary: 'Delete a function (its artifact stays)',
        params: FunctionParams,
        response: { 200: FunctionInfo, 404: Problem },
      },
    },
    async (request) => functionInfoJson(await functions.delete(request.params.id)),
  )
}
