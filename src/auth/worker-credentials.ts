/**
 * Credentials of the workers this master started, for what a worker asks of the HTTP API:
 * downloading the artifacts of its jobs, and storing their results over `resultLimit`. A
 * credential is issued when a worker is launched (passed in its environment, never on its
 * command line), is good for those two only, and is revoked when the worker exits. It is
 * separate from the worker's one-time link token, which is spent by the link's hello.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

const PREFIX = 'worker:'

export class WorkerCredentials {
  private readonly secrets = new Map<string, Buffer>()

  /** A new credential for `workerId`, replacing any earlier one. */
  issue(workerId: string): string {
    const secret = randomBytes(24)
    this.secrets.set(workerId, secret)
    return `${PREFIX}${workerId}:${secret.toString('hex')}`
  }

  revoke(workerId: string): void {
    this.secrets.delete(workerId)
  }

  /** True if `presented` looks like a worker credential (it is then never an API token). */
  static claims(presented: string): boolean {
    return presented.startsWith(PREFIX)
  }

  /** The worker a credential belongs to, if it is one this master issued and has not revoked. */
  verify(presented: string): string | undefined {
    const match = /^worker:(.+):([0-9a-f]{48})$/.exec(presented)
    if (!match?.[1] || !match[2]) return undefined
    const expected = this.secrets.get(match[1])
    const given = Buffer.from(match[2], 'hex')
    return expected !== undefined && timingSafeEqual(expected, given) ? match[1] : undefined
  }
}
