/** Contexts: Spark settings plus worker policy. `default` is read-only here. */
import { Type } from 'typebox'
import { contextToJson } from '../../domain/context.js'
import type { HazeApp, HttpDeps } from '../deps.js'
import { ContextBody, ContextConfig, ContextParams, ContextReplaceBody, Problem, WritableContextParams } from '../schemas.js'

export function contextRoutes(app: HazeApp, { contexts }: HttpDeps): void {
  app.get(
    '/v2/api/contexts',
    { schema: { tags: ['contexts'], summary: 'List contexts, default first', response: { 200: Type.Array(ContextConfig) } } },
    async () => (await contexts.list()).map(contextToJson),
  )

  app.get(
    '/v2/api/contexts/:id',
    {
      schema: { tags: ['contexts'], summary: 'One context', params: ContextParams, response: { 200: ContextConfig, 404: Problem } },
    },
    async (request) => contextToJson(await contexts.require(request.params.id)),
  )

  app.post(
    '/v2/api/contexts',
    {
      schema: {
        tags: ['contexts'],
        summary: 'Create or replace a context; absent fields come from default',
        body: ContextBody,
        response: { 200: ContextConfig, 400: Problem },
      },
    },
    async (request) => contextToJson(await contexts.put(request.body)),
  )

  app.put(
    '/v2/api/contexts/:id',
    {
      schema: {
        tags: ['contexts'],
        summary: 'Replace an existing context; absent fields come from default',
        params: WritableContextParams,
        body: ContextReplaceBody,
        response: { 200: ContextConfig, 400: Problem, 404: Problem },
      },
    },
    async (request) => contextToJson(await contexts.replace(request.params.id, request.body)),
  )

  app.delete(
    '/v2/api/contexts/:id',
    {
      schema: {
        tags: ['contexts'],
        summary: 'Delete a context',
        params: WritableContextParams,
        response: { 200: ContextConfig, 400: Problem, 404: Problem },
      },
    },
    async (request) => contextToJson(await contexts.delete(request.params.id)),
  )
}
