/**
 * Splits a context's `runOptions` into spark-submit arguments without a shell, as Mist does:
 * tokens are separated by blanks; a single- or double-quoted run stays one token (quotes removed).
 * There are no escapes. An unclosed quote is an error rather than a silent guess.
 */
import { badRequest } from './errors.js'

export function splitRunOptions(text: string): string[] {
  const tokens: string[] = []
  let current = ''
  let inToken = false
  let quote: '"' | "'" | undefined
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      inToken = true
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current)
      current = ''
      inToken = false
    } else {
      current += char
      inToken = true
    }
  }
  if (quote !== undefined) throw badRequest(`runOptions has an unclosed ${quote} quote: ${JSON.stringify(text)}`)
  if (inToken) tokens.push(current)
  return tokens
}
