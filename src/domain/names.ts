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

/**
 * The blanks `String.prototype.trim` removes, besides the control characters refused anyway,
 * spelled out: JavaScript's `\s` and Python's differ, and the API document's patterns are read
 * by both (Ajv here, schemathesis and client generators elsewhere).
 */
const BLANK = '[ \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]'

/**
 * `artifactNameProblem` as a JSON Schema pattern, for the API document. The one thing it cannot
 * say is the 255-byte limit (a pattern counts characters): names are at most 255 characters
 * there, and longer UTF-8 encodings are still refused here.
 */
export const ARTIFACT_NAME_PATTERN =
  `^(?![.])(?!${BLANK})(?![\\s\\S]*${BLANK}$)(?![\\s\\S]*[.][.])[^/\\\\\\u0000-\\u001f\\u007f]{1,255}$`

/** Function and context names, as a JSON Schema pattern (the same rule as `checkEntityName`). */
export const ENTITY_NAME_PATTERN = '^(?![A-Za-z0-9_.@-]*[.][.])[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$'

const ENTITY_NAME = new RegExp(ENTITY_NAME_PATTERN, 'u')

/** Function and context names: letters, digits, `_ . @ -`, at most 128, starting with a letter or digit. */
export function checkEntityName(kind: 'function' | 'context', name: string): string {
  if (!ENTITY_NAME.test(name) || name.includes('..')) {
    throw badRequest(
      `invalid ${kind} name ${JSON.stringify(name)}: use 1 to 128 letters, digits, "_", ".", "@" or "-", starting with a letter or digit`,
    )
  }
  return name
}
