/**
 * What a name may be. Artifact names become file names in the artifact directory, so anything
 * that could leave that directory or hide in it is refused. Function and context names appear in
 * URLs, file names of logs and worker ids, so they are kept to a portable alphabet.
 */
import { badRequest } from './errors.js'

const MAX_NAME_BYTES = 255

export function checkArtifactName(name: string): string {
  const problem = artifactNameProblem(name)
  if (problem !== undefined) throw badRequest(`invalid artifact name ${JSON.stringify(name)}: ${problem}`)
  return name
}

function artifactNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty'
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `it is longer than ${MAX_NAME_BYTES} bytes`
  if (name.includes('/') || name.includes('\\')) return 'a name is a file name only, without a path separator'
  if (name.includes('..')) return 'it must not contain ".."'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a NUL or control character'
  if (name.startsWith('.')) return 'it must not start with "."'
  if (name.trim() !== name) return 'it must not start or end with a blank'
  return undefined
}

const ENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/

/** Function and context names: letters, digits, `_ . @ -`, at most 128, starting with a letter or digit. */
export function checkEntityName(kind: 'function' | 'context', name: string): string {
  if (!ENTITY_NAME.test(name) || name.includes('..')) {
    throw badRequest(
      `invalid ${kind} name ${JSON.stringify(name)}: use 1 to 128 letters, digits, "_", ".", "@" or "-", starting with a letter or digit`,
    )
  }
  return name
}
