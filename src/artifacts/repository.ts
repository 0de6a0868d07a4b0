/**
 * The artifact repository: uploaded files by name in one flat directory, with their SHA-1.
 *
 * An upload is written to a hidden temporary file beside its destination and moved into place
 * only when complete, so a failed or oversized upload never leaves a partial artifact, and a
 * reader never sees half a file. SHA-1s are computed while writing and cached by size + mtime
 * for files that were put there by other means.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, statSync, type ReadStream, type Stats } from 'node:fs'
import { link, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { conflict, notFound } from '../domain/errors.js'
import { checkArtifactName } from '../domain/names.js'

const TEMP_PREFIX = '.upload-'

export interface ArtifactInfo {
  name: string
  sha1: string
  size: number
  /** When it was last written, epoch milliseconds. */
  modified: number
  /** Where the file is on disk. */
  path: string
}

interface CachedSha {
  size: number
  mtimeMs: number
  sha1: string
}

export class ArtifactRepository {
  private readonly shas = new Map<string, CachedSha>()

  private constructor(readonly directory: string) {}

  /** Creates the directory if needed and removes temporary files a crash left behind. */
  static async open(directory: string): Promise<ArtifactRepository> {
    await mkdir(directory, { recursive: true })
    for (const entry of await readdir(directory)) {
      if (entry.startsWith(TEMP_PREFIX)) await unlink(join(directory, entry)).catch(() => undefined)
    }
    return new ArtifactRepository(directory)
  }

  async list(): Promise<string[]> {
    const entries = await readdir(this.directory, { withFileTypes: true })
    return entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort()
  }

  /** The file's path, or undefined if there is no such artifact. */
  async find(name: string): Promise<string | undefined> {
    const path = this.pathOf(name)
    const info = await stat(path).catch(() => undefined)
    return info?.isFile() ? path : undefined
  }

  async info(name: string): Promise<ArtifactInfo | undefined> {
    const path = this.pathOf(name)
    // Every job's submit asks (a file replaced outside Haze changes its SHA-1): a synchronous
    // stat costs microseconds, an asynchronous one a thread-pool round trip and its promises.
    const info = statQuietly(path)
    if (!info?.isFile()) return undefined
    const cached = this.shas.get(name)
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) {
      return { name, sha1: cached.sha1, size: info.size, modified: Math.floor(info.mtimeMs), path }
    }
    const sha1 = await sha1OfStream(createReadStream(path)).catch(() => undefined)
    if (sha1 === undefined) return undefined
    this.shas.set(name, { size: info.size, mtimeMs: info.mtimeMs, sha1 })
    return { name, sha1, size: info.size, modified: Math.floor(info.mtimeMs), path }
  }

  async require(name: string): Promise<ArtifactInfo> {
    const info = await this.info(name)
    if (!info) throw notFound(missingMessage(name))
    return info
  }

  async open(name: string): Promise<{ stream: ReadStream; size: number }> {
    const path = this.pathOf(name)
    const info = await stat(path).catch(() => undefined)
    if (!info?.isFile()) throw notFound(missingMessage(name))
    return { stream: createReadStream(path), size: info.size }
  }

  /**
   * Stores `content` under `name`. Without `force` an existing name is a conflict, checked both
   * before reading the upload and atomically when it is moved into place. `beforeCommit` may
   * throw to abandon a fully read upload (say, one the multipart parser truncated at its limit).
   */
  async save(
    name: string,
    content: Readable,
    options: { force: boolean; beforeCommit?: () => void },
  ): Promise<ArtifactInfo> {
    checkArtifactName(name)
    const destination = this.pathOf(name)
    if (!options.force && (await this.find(name)) !== undefined) {
      content.resume()
      throw existsError(name)
    }
    const temp = join(this.directory, `${TEMP_PREFIX}${randomUUID()}`)
    const hash = createHash('sha1')
    let size = 0
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk)
        size += chunk.length
        done(null, chunk)
      },
    })
    try {
      await pipeline(content, hashing, createWriteStream(temp, { flags: 'wx' }))
      options.beforeCommit?.()
      if (options.force) {
        await rename(temp, destination)
      } else {
        await link(temp, destination).catch((error: NodeJS.ErrnoException) => {
          throw error.code === 'EEXIST' ? existsError(name) : error
        })
        await unlink(temp)
      }
    } catch (error) {
      await unlink(temp).catch(() => undefined)
      throw error
    }
    const sha1 = hash.digest('hex')
    const info = await stat(destination)
    this.shas.set(name, { size: info.size, mtimeMs: info.mtimeMs, sha1 })
    return { name, sha1, size, modified: Math.floor(info.mtimeMs), path: destination }
  }

  async delete(name: string): Promise<void> {
    if ((await this.find(name)) === undefined) throw notFound(missingMessage(name))
    await unlink(this.pathOf(name))
    this.shas.delete(name)
  }

  private pathOf(name: string): string {
    return join(this.directory, checkArtifactName(name))
  }
}

export const missingMessage = (name: string): string =>
  `artifact ${JSON.stringify(name)} not found; upload it with POST /v2/api/artifacts`

const existsError = (name: string) =>
  conflict(`artifact ${JSON.stringify(name)} already exists; upload with ?force=true to replace it, or choose another name`)

async function sha1OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha1')
  for await (const chunk of stream) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** The file's stat, or undefined if it cannot be read (missing, no permission). */
function statQuietly(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined
  }
}
