/**
 * Whoever reaches the API can run code on the cluster. Listening beyond loopback without API
 * tokens is refused unless the operator says so (--allow-unauthenticated), and then warned
 * about at start-up and in GET /v2/api/status.
 */
import type { HazeConfig } from '../config.js'

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i

/** Throws when the API would be open beyond loopback without the operator's say-so. */
export function refuseOpenNetwork(config: HazeConfig): void {
  if (config.auth.tokens.length > 0 || LOOPBACK.test(config.host) || config.allowUnauthenticated) return
  throw new Error(
    `refusing to listen on ${config.host} without API tokens: anyone who reaches it could run code on your cluster. ` +
      'Configure auth.tokens in the config file (see "Running Haze on a network" in the README), ' +
      'or pass --allow-unauthenticated if something in front of Haze already authenticates',
  )
}

/** What GET /v2/api/status warns about: an open API beyond loopback. */
export function securityWarnings(config: HazeConfig): string[] {
  if (config.auth.tokens.length > 0 || LOOPBACK.test(config.host)) return []
  return [`the API has no tokens and listens on ${config.host}: anyone who reaches it can run code on the cluster`]
}
