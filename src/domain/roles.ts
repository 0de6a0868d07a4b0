/**
 * The roles an API token may hold, weakest first. Each role allows everything the roles
 * before it allow, so "needs deploy" is met by deploy and admin.
 *
 * - read: read everything but the audit trail (jobs, logs, functions, contexts, workers, artifacts, metrics)
 * - run: also start and cancel jobs
 * - deploy: also upload and delete artifacts, deploy functions, create, change and delete contexts
 * - admin: everything: also stop workers and read the audit trail
 */
export const ROLES = ['read', 'run', 'deploy', 'admin'] as const

export type Role = (typeof ROLES)[number]

export const isRole = (text: string): text is Role => (ROLES as readonly string[]).includes(text)

/** True if a token holding `held` may do what needs `needed`. */
export const roleAllows = (held: Role, needed: Role): boolean => ROLES.indexOf(held) >= ROLES.indexOf(needed)

/** "deploy (or admin)": the roles that meet `needed`, for a refusal that says which would do. */
export function rolesMeeting(needed: Role): string {
  const stronger = ROLES.slice(ROLES.indexOf(needed) + 1)
  return stronger.length === 0 ? needed : `${needed} (or ${stronger.join(', ')})`
}
