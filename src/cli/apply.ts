/**
 * `haze apply -f DIR|FILE`: brings the server in line with a deployment (Mist's .conf files or
 * YAML). The whole plan is worked out before anything changes: each artifact, context and
 * function is to be created, updated, left unchanged, or is in conflict (an artifact name
 * stored with other content). A conflict stops everything unless --force; --dry-run only
 * prints the plan. Running it twice changes nothing the second time.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { HazeClient } from './client.js'
import type { CommandContext, CommandSpec } from './command.js'
import { noMore } from './command.js'
import { CliError, EXIT, RefusedError, usageError } from './errors.js'
import { readDeployments, type ContextSettings, type Deployment } from './mist-config.js'
import { table, type Style } from './output.js'

type Action = 'create' | 'update' | 'unchanged' | 'conflict'

interface Step {
  deployment: Deployment
  action: Action
  /** Why an update or conflict: what differs. */
  why?: string
}

const PAST: Record<Action, string> = { create: 'created', update: 'updated', unchanged: 'unchanged', conflict: 'conflict' }

export const applyCommand: CommandSpec = {
  name: 'apply',
  summary: "Deploy artifacts, contexts and functions from Mist's .conf files or YAML",
  usage: '-f DIR|FILE [--dry-run] [--force]',
  description: [
    "Deploys artifacts, contexts and functions described in Mist's HOCON .conf files (as mist-cli",
    'read them: model, name, version, data) or the same models in YAML, in Mist\'s order: artifacts,',
    'then contexts, then functions. What is already there unchanged is skipped. An artifact whose',
    'name is stored with other content is a conflict: nothing is changed unless --force.',
  ].join('\n'),
  options: {
    file: { type: 'string', short: 'f', value: 'DIR|FILE', help: 'A .conf/.yaml file, or a folder of them (read recursively)', complete: 'file' },
    'dry-run': { type: 'boolean', help: 'Print the plan (create / update / unchanged / conflict), change nothing' },
    force: { type: 'boolean', help: 'Overwrite artifacts stored with other content' },
  },
  examples: ['haze apply -f deploy/', 'haze apply -f deploy/ --dry-run', 'haze apply -f pi.yaml --force --url http://spark-gw:2004'],
  run: apply,
}

async function apply(context: CommandContext): Promise<number> {
  const target = context.string('file') ?? context.positionals[0]
  if (target === undefined) throw usageError('needs -f DIR|FILE; see `haze apply --help`')
  noMore(context, context.string('file') === undefined ? 1 : 0, 'apply')
  const { deployments, warnings } = await readDeployments(target)
  for (const warning of warnings) context.note(`${context.err.yellow('warning:')} ${warning}`)
  const client = context.client()
  const force = context.flag('force')
  const steps = await plan(client, deployments, force)
  const conflicts = steps.filter((step) => step.action === 'conflict')

  if (context.flag('dry-run') || conflicts.length > 0) {
    context.print(planTable(steps, context.out, false))
    if (conflicts.length > 0) throw conflictError(conflicts)
    context.print(context.out.dim('dry run: nothing was changed'))
    return EXIT.ok
  }
  const done: Step[] = []
  for (const step of steps) {
    try {
      if (step.action !== 'unchanged') await perform(client, step, force)
    } catch (error) {
      if (done.length > 0) context.print(planTable(done, context.out, true))
      throw failed(step, error)
    }
    done.push(step)
  }
  context.print(planTable(done, context.out, true))
  context.print(summary(done))
  return EXIT.ok
}

async function plan(client: HazeClient, deployments: Deployment[], force: boolean): Promise<Step[]> {
  const defaults = deployments.some((item) => item.model === 'Context') ? await client.data(client.api.GET('/v2/api/contexts/{id}', { params: { path: { id: 'default' } } })) : undefined
  const steps: Step[] = []
  for (const deployment of deployments) {
    switch (deployment.model) {
      case 'Artifact': {
        const local = sha1(await readFile(deployment.file))
        const stored = await orMissing(client.text(`/v2/api/artifacts/${encodeURIComponent(deployment.key)}/sha`))
        if (stored === undefined) steps.push({ deployment, action: 'create' })
        else if (stored.trim() === local) steps.push({ deployment, action: 'unchanged' })
        else steps.push({ deployment, action: force ? 'update' : 'conflict', why: `stored SHA-1 ${stored.trim().slice(0, 12)}, local ${local.slice(0, 12)}` })
        break
      }
      case 'Context': {
        const stored = await orMissing(client.data(client.api.GET('/v2/api/contexts/{id}', { params: { path: { id: deployment.name } } })))
        if (stored === undefined || defaults === undefined) steps.push({ deployment, action: 'create' })
        else {
          const changed = contextChanges(deployment.settings, stored, defaults)
          steps.push(changed.length === 0 ? { deployment, action: 'unchanged' } : { deployment, action: 'update', why: changed.join(', ') })
        }
        break
      }
      case 'Function': {
        const stored = await orMissing(client.data(client.api.GET('/v2/api/functions/{id}', { params: { path: { id: deployment.name } } })))
        if (stored === undefined) steps.push({ deployment, action: 'create' })
        else {
          const changed = (['path', 'className', 'defaultContext'] as const).filter((field) => stored[field] !== deployment[field])
          steps.push(changed.length === 0 ? { deployment, action: 'unchanged' } : { deployment, action: 'update', why: changed.join(', ') })
        }
        break
      }
    }
  }
  return steps
}

/** A context as the server answers it: Haze's spareWorkers and maxWorkers only when not 0 and 1. */
type StoredContext = Required<Omit<ContextSettings, 'spareWorkers' | 'maxWorkers'>> & Pick<ContextSettings, 'spareWorkers' | 'maxWorkers'>

/** The fields a POST would change: absent settings come from `default`, as the server fills them. */
export function contextChanges(settings: ContextSettings, stored: StoredContext, defaults: StoredContext): string[] {
  const fields = ['sparkConf', 'downtime', 'maxJobs', 'precreated', 'runOptions', 'workerMode', 'streamingDuration', 'maxConnFailures', 'spareWorkers', 'maxWorkers'] as const
  const full = (context: StoredContext) => ({ ...context, spareWorkers: context.spareWorkers ?? 0, maxWorkers: context.maxWorkers ?? 1 })
  const [was, base] = [full(stored), full(defaults)]
  return fields.filter((field) => {
    const wanted = settings[field] ?? base[field]
    return field === 'sparkConf' ? !sameConf(wanted as Record<string, string>, was.sparkConf) : wanted !== was[field]
  })
}

function sameConf(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key])
}

async function perform(client: HazeClient, step: Step, force: boolean): Promise<void> {
  const { deployment } = step
  switch (deployment.model) {
    case 'Artifact': {
      const form = new FormData()
      form.append('file', new Blob([await readFile(deployment.file)]), deployment.key)
      await client.text(`/v2/api/artifacts${force ? '?force=true' : ''}`, { method: 'POST', body: form })
      return
    }
    case 'Context':
      await client.data(client.api.POST('/v2/api/contexts', { body: { name: deployment.name, ...deployment.settings } }))
      return
    case 'Function': {
      const body = { name: deployment.name, path: deployment.path, className: deployment.className, defaultContext: deployment.defaultContext }
      if (step.action === 'create') await client.data(client.api.POST('/v2/api/functions', { body }))
      else await client.data(client.api.PUT('/v2/api/functions', { body }))
      return
    }
  }
}

function planTable(steps: Step[], style: Style, done: boolean): string {
  const paint = (action: Action) => {
    const word = done ? PAST[action] : action
    if (action === 'conflict') return style.red(word)
    if (action === 'unchanged') return style.dim(word)
    return action === 'create' ? style.green(word) : style.yellow(word)
  }
  const rows = steps.map(({ deployment, action, why }) => [
    paint(action),
    deployment.model.toLowerCase(),
    deployment.model === 'Artifact' ? deployment.key : deployment.name,
    deployment.source,
    why ?? '',
  ])
  return table(['ACTION', 'KIND', 'NAME', 'FROM', 'DETAIL'], rows, style)
}

function summary(steps: Step[]): string {
  const count = (action: Action) => steps.filter((step) => step.action === action).length
  return `${count('create')} created, ${count('update')} updated, ${count('unchanged')} unchanged`
}

function conflictError(conflicts: Step[]): CliError {
  const names = conflicts.map(({ deployment }) => (deployment.model === 'Artifact' ? deployment.key : deployment.name))
  return new CliError(
    EXIT.refused,
    `artifact ${names.join(', ')} is stored on the server with other content; nothing was changed. ` +
      'Give the artifact a new version in its .conf (functions then name the new file), or overwrite it with --force',
  )
}

function failed(step: Step, error: unknown): unknown {
  if (!(error instanceof CliError)) return error
  const { deployment } = step
  const what = `${deployment.model.toLowerCase()} ${deployment.model === 'Artifact' ? deployment.key : deployment.name} (${deployment.source})`
  return new CliError(error.exitCode, `could not ${step.action} ${what}: ${error.message}`, { cause: error })
}

/** undefined for a 404, the value otherwise; every other failure goes on up. */
async function orMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call
  } catch (error) {
    if (error instanceof RefusedError && error.status === 404) return undefined
    throw error
  }
}

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex')
