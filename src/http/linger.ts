/**
 * Answers a request before its body is read (413 for a body over the limit, 401 before an
 * upload) without the answer being lost.
 *
 * Node closes such a connection as soon as the answer is written. The client is still sending,
 * so the kernel resets the connection on the bytes that arrive after the close, and a reset can
 * discard the answer before the client has read it: the client sees "connection reset" instead
 * of the 413 and its reason (one run in seven of test/http-hostile.test.ts here). The cure is
 * HTTP's "lingering close" (RFC 9112 §9.6): half-close after the answer, read and drop what
 * the client still sends until it stops, and only then close, bounded in time.
 */
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

/** How long a refused client may go on sending before the connection is dropped anyway. */
const LINGER_MS = 5000

export function lingerOnEarlyAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (request, _reply, payload) => {
    // `complete` turns true once the whole body was read; a bodiless request completes at once.
    if (!request.raw.complete) lingerOnClose(request.raw.socket)
    return payload
  })
}

function lingerOnClose(socket: Socket): void {
  // Node ends a connection that is not kept alive with destroySoon() once the answer is written:
  // this socket ends more gently.
  socket.destroySoon = () => {
    socket.end()
    // The request is already being drained by Node; this keeps reading if it was not.
    socket.resume()
    const timer = setTimeout(() => socket.destroy(), LINGER_MS)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }
}
