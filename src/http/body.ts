/**
 * Request bodies are JSON whatever their Content-Type, as in Mist: `curl -d '{...}'` sends
 * form encoding, and Mist's own clients rely on this. The raw text is kept on the request so
 * that job arguments can be forwarded without a JavaScript number ever touching them.
 * Multipart stays multipart (artifact uploads). An empty body is a 400 only where a route
 * takes one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { badRequest } from '../domain/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body as received, for JSON bodies. */
    rawBody?: string
  }
}

/** Fatal: a body that is not UTF-8 is refused, never read with replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export function parseAllBodiesAsJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request: FastifyRequest, body: string | Buffer, done) => {
    let text: string
    try {
      text = typeof body === 'string' ? body : utf8.decode(body)
    } catch {
      done(badRequest('the request body is not valid UTF-8; send JSON text encoded as UTF-8'), undefined)
      return
    }
    request.rawBody = text
    if (text.trim() === '') {
      // Mist's UI sends Content-Type: application/json on every request, a bodiless DELETE too:
      // on a route that takes no body, an empty one is simply no body.
      if (request.routeOptions.schema?.body === undefined) done(null, undefined)
      else done(badRequest('the request body is empty; send a JSON document'), undefined)
      return
    }
    try {
      done(null, JSON.parse(text))
    } catch (error) {
      done(badRequest(`the request body is not valid JSON: ${(error as Error).message}`), undefined)
    }
  })
}
