/**
 * Which of several masters on one PostgreSQL database is active: the one holding a session
 * advisory lock. The others are standbys: they ask for the lock every `pollMs` and take over
 * when the active master's session ends (it died: its connection closed, and PostgreSQL
 * released the lock at once).
 *
 * The lock lives as long as one dedicated connection. If that connection breaks (PostgreSQL
 * restarted, the network dropped, its session was terminated), the active master is told at
 * once (`onCut`: it must not write until it knows) and asks for the lock again as soon as the
 * server answers: it goes on (`onBack`) if it gets it back, and is fenced (`onLost`) if another
 * master took it meanwhile, or if the server stays away for longer than `graceMs`.
 */
import pg from 'pg'
import type { Logger } from '../logger.js'
import { coerceError } from '../domain/errors.js'
import { ACTIVE_MASTER_LOCK, LOCK_NAMESPACE } from '../store/postgres/database.js'

export interface ActiveLockOptions {
  connection: pg.ClientConfig
  /** user@host:port/database, for messages. */
  where: string
  log: Logger
  /** How often a standby asks for the lock, and the active master checks its connection. */
  pollMs?: number
  /** How long the active master may be without its lock's connection before it stands down. */
  graceMs?: number
}

export interface HoldHandlers {
  /** The lock's session broke: another master may take the lock from now on. */
  onCut(): void
  /** The lock is held again after a cut. */
  onBack(): void
  /** Called once if the lock is lost for good. */
  onLost(reason: string): void
}

export class ActiveLock {
  private client: pg.Client | undefined
  private stopped = false
  private watch: NodeJS.Timeout | undefined
  private readonly pollMs: number
  private readonly graceMs: number
  private handlers: HoldHandlers | undefined

  constructor(private readonly options: ActiveLockOptions) {
    this.pollMs = options.pollMs ?? 500
    this.graceMs = options.graceMs ?? 60_000
  }

  /**
   * Resolves once this master holds the lock; `onStandby` is called once if another holds it
   * first. Rejects only if `close()` is called meanwhile.
   */
  async acquire(onStandby: () => void): Promise<void> {
    let announced = false
    while (!this.stopped) {
      try {
        if (await this.tryLock()) {
          // close() came while the lock was being taken: give it back by ending the session.
          if (this.stopped) break
          return
        }
        if (!announced) {
          announced = true
          onStandby()
        }
      } catch (error) {
        if (this.stopped) break
        this.options.log.warn({ err: coerceError(error), store: this.options.where }, 'standby: cannot reach PostgreSQL to ask for the active lock; retrying')
        await this.dropClient()
      }
      await sleep(this.pollMs)
    }
    // A connection opened while close() ran would otherwise outlive it.
    await this.dropClient()
    throw new StoppedWaiting()
  }

  /** Watches the lock while active. */
  hold(handlers: HoldHandlers): void {
    this.handlers = handlers
    this.watch = setInterval(() => void this.check(), this.pollMs)
    this.watch.unref()
  }

  async close(): Promise<void> {
    this.stopped = true
    if (this.watch) clearInterval(this.watch)
    // Ending the session releases the lock at once: a standby takes over within its poll.
    await this.dropClient()
  }

  private checking = false
  private brokenSince: number | undefined

  private async check(): Promise<void> {
    if (this.checking || this.stopped) return
    this.checking = true
    try {
      if (this.client !== undefined) {
        await this.client.query('SELECT 1')
        this.brokenSince = undefined
        return
      }
      // The lock's connection broke: take the lock back, unless another master has it now.
      if (await this.tryLock()) {
        this.options.log.warn({ store: this.options.where }, 'the active lock is held again after PostgreSQL came back')
        this.brokenSince = undefined
        this.handlers?.onBack()
      } else {
        this.lose(`another master took the active lock on ${this.options.where} while this one was cut off from PostgreSQL`)
      }
    } catch (error) {
      await this.dropClient()
      this.handlers?.onCut()
      this.brokenSince ??= Date.now()
      if (Date.now() - this.brokenSince > this.graceMs) {
        this.lose(`PostgreSQL at ${this.options.where} has been unreachable for over ${Math.round(this.graceMs / 1000)} s, so this master cannot know it is still the active one (${coerceError(error).message})`)
      }
    } finally {
      this.checking = false
    }
  }

  private lose(reason: string): void {
    if (this.watch) clearInterval(this.watch)
    const handlers = this.handlers
    this.handlers = undefined
    handlers?.onLost(reason)
  }

  /**
   * The lock's session ended under an active master (its backend was terminated, the server
   * went away): PostgreSQL released the lock that instant, so writes stop now, not at the next
   * check, and the check runs at once.
   */
  private cut(client: pg.Client): void {
    if (this.client !== client) return
    void this.dropClient(client)
    if (this.handlers === undefined || this.stopped) return
    this.brokenSince ??= Date.now()
    this.handlers.onCut()
    void this.check()
  }

  private async tryLock(): Promise<boolean> {
    if (this.client === undefined) {
      const client = new pg.Client(this.options.connection)
      // The listeners also keep a broken connection from ending the process.
      client.on('error', () => this.cut(client))
      client.on('end', () => this.cut(client))
      try {
        await client.connect()
      } catch (error) {
        await client.end().catch(() => undefined)
        throw error
      }
      this.client = client
    }
    const { rows } = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [LOCK_NAMESPACE, ACTIVE_MASTER_LOCK])
    return rows[0]?.locked === true
  }

  private async dropClient(which?: pg.Client): Promise<void> {
    const client = which ?? this.client
    if (client === undefined) return
    if (this.client === client) this.client = undefined
    await client.end().catch(() => undefined)
  }
}

/** acquire() ended by close(): the master was stopped while it was a standby. */
export class StoppedWaiting extends Error {
  constructor() {
    super('stopped while waiting to become the active master')
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
