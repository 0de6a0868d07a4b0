/**
 * The web UI at /ui: the files Vite built into dist/ui (scripts/setup.sh builds them), served
 * from memory. A path that names no file is a page of the UI (/ui/jobs/<id>), answered with
 * index.html so that a deep link reloads to the same page. `GET /` leads to it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { extname, join, relative, sep } from 'node:path'
import { HAZE_HOME } from '../../config.js'
import type { HazeApp } from '../deps.js'
import { sendProblem } from '../errors.js'

export const UI_DIR = join(HAZE_HOME, 'dist', 'ui')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
}
/** Everything comes from this server: no CDN, no inline script; the live stream is same-origin. */
const POLICY = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"

interface UiFile {
  body: Buffer
  type: string
  etag: string
  /** Vite's hashed assets never change under their name. */
  immutable: boolean
}

export function uiRoutes(app: HazeApp, dir = UI_DIR): void {
  let files: Map<string, UiFile> | undefined
  // Read on first use, so a UI built after the master started is served without a restart.
  const built = () => (files ??= existsSync(join(dir, 'index.html')) ? readBuild(dir) : undefined)

  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/'))
  app.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/'))
  app.get('/ui/*', { schema: { hide: true } }, async (request, reply) => {
    const build = built()
    if (!build) return sendProblem(reply, 503, `the web UI is not built: run scripts/setup.sh (bin/haze start builds it), then reload`)
    const path = (request.params as { '*': string })['*']
    const file = build.get(path) ?? (path.startsWith('assets/') ? undefined : build.get('index.html'))
    if (!file) return sendProblem(reply, 404, `the web UI has no file ${path}`)
    reply
      .header('content-type', file.type)
      .header('etag', file.etag)
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('content-security-policy', POLICY)
      .header('x-content-type-options', 'nosniff')
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
    return reply.send(file.body)
  })
}

function readBuild(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>()
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder)) {
      if (entry.startsWith('.')) continue
      const path = join(folder, entry)
      if (statSync(path).isDirectory()) {
        walk(path)
        continue
      }
      const name = relative(dir, path).split(sep).join('/')
      const body = readFileSync(path)
      files.set(name, {
        body,
        type: TYPES[extname(name)] ?? 'application/octet-stream',
        etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
        immutable: name.startsWith('assets/'),
      })
    }
  }
  walk(dir)
  return files
}
