/**
 * API tokens: who is calling, and with which role. A presented token is compared with every
 * configured one in constant time (SHA-256 digests of equal length, `timingSafeEqual`, no early
 * exit), so neither a token's value nor which token matched leaks through timing. Values are
 * kept here only; everything else sees a token's name.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Role } from '../domain/roles.js'

export interface ApiToken {
  name: string
  role: Role
  /** The secret itself, read from the config file or from `tokenFile`. */
  token: string
}

/** Who made a request: a token's name and role. */
export interface Caller {
  name: string
  role: Role
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

export class TokenSet {
  private readonly entries: { caller: Caller; digest: Buffer }[]

  constructor(tokens: readonly ApiToken[]) {
    this.entries = tokens.map(({ name, role, token }) => ({ caller: { name, role }, digest: digest(token) }))
  }

  /** False when no token is configured: the API is open (to whoever reaches its address). */
  get enabled(): boolean {
    return this.entries.length > 0
  }

  /** The caller a presented token belongs to, or undefined. */
  identify(presented: string): Caller | undefined {
    const given = digest(presented)
    let found: Caller | undefined
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, given)) found = entry.caller
    }
    return found
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined if there is none or it is not Bearer. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1]
}

/** A URL fit for a log line: the value of a `token` query parameter is replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1***')
}
