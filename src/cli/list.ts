/**
 * `haze list functions|jobs|workers|contexts|artifacts`: aligned tables for people, `--json`
 * (the server's own JSON, exact) for scripts.
 */
import { parse as parseLossless } from 'lossless-json'
import type { CommandContext, CommandSpec } from './command.js'
import { kindOf, noMore } from './command.js'
import { EXIT, usageError } from './errors.js'
import { formatJson, formatTime, paintStatus, table } from './output.js'

const KINDS = ['function', 'job', 'worker', 'context', 'artifact'] as const
const STATUSES = ['initialized', 'queued', 'job-file-downloading', 'started', 'cancelling', 'finished', 'failed', 'cancelled'] as const

export const listCommand: CommandSpec = {
  name: 'list',
  summary: 'List functions, jobs, workers, contexts or artifacts',
  usage: 'functions|jobs|workers|contexts|artifacts [options]',
  description: 'Lists what the server has, as an aligned table (newest jobs first), or as JSON with --json.',
  options: {
    json: { type: 'boolean', help: "The server's JSON, for scripts" },
    status: { type: 'string', short: 's', multiple: true, value: 'STATUS', help: `jobs: only these statuses (repeat, or a,b): ${STATUSES.join(', ')}`, complete: STATUSES },
    function: { type: 'string', value: 'NAME', help: "jobs: only this function's" },
    context: { type: 'string', value: 'NAME', help: "jobs: only this context's" },
    limit: { type: 'string', short: 'n', value: 'N', help: 'jobs: at most N, newest first (default 25)' },
  },
  examples: ['haze list functions', 'haze list jobs --status failed --function pi --limit 10', "haze list jobs --json | jq -r '.[].jobId'"],
  positionals: [['functions', 'jobs', 'workers', 'contexts', 'artifacts']],
  run: list,
}

async function list(context: CommandContext): Promise<number> {
  const kind = kindOf(context.positionals[0], KINDS, 'list')
  noMore(context, 1, 'list')
  const client = context.client()
  const json = context.flag('json')
  const style = context.out
  const jobFilters = ['status', 'function', 'context', 'limit'].filter((name) => context.string(name) !== undefined || context.strings(name).length > 0)
  if (kind !== 'job' && jobFilters.length > 0) throw usageError(`--${jobFilters[0]} filters jobs only; see \`haze list --help\``)

  switch (kind) {
    case 'function': {
      const functions = await client.data(client.api.GET('/v2/api/functions'))
      if (json) return printJson(context, functions)
      const rows = functions.map((fn) => [fn.name, fn.defaultContext, fn.path, fn.className, signature(fn.execute)])
      return printTable(context, table(['NAME', 'CONTEXT', 'ARTIFACT', 'CLASS NAME', 'ARGUMENTS'], rows, style))
    }
    case 'job': {
      const query = new URLSearchParams()
      for (const status of context.strings('status').flatMap((value) => value.split(','))) {
        if (!(STATUSES as readonly string[]).includes(status)) throw usageError(`--status must be one of ${STATUSES.join(', ')}; got ${JSON.stringify(status)}`)
        query.append('status', status)
      }
      const limit = context.string('limit')
      if (limit !== undefined && !/^[1-9]\d*$/.test(limit)) throw usageError(`--limit must be a whole number of at least 1; got ${JSON.stringify(limit)}`)
      query.set('limit', limit ?? '25')
      for (const name of ['function', 'context'] as const) {
        const value = context.string(name)
        if (value !== undefined) query.set(name, value)
      }
      const text = await client.text(`/v2/api/jobs?${query.toString()}`)
      if (json) return printJson(context, parseLossless(text))
      const jobs = JSON.parse(text) as Array<{ jobId: string; function: string; context: string; status: string; source: string; createTime: number; startTime?: number; endTime?: number }>
      const rows = jobs.map((job) => [job.jobId, job.function, job.context, paintStatus(job.status, style), job.source, formatTime(job.createTime), took(job)])
      return printTable(context, table(['JOB', 'FUNCTION', 'CONTEXT', 'STATUS', 'SOURCE', 'CREATED', 'TOOK'], rows, style))
    }
    case 'worker': {
      const workers = await client.data(client.api.GET('/v2/api/workers'))
      if (json) return printJson(context, workers)
      const rows = workers.map((worker) => [worker.name, worker.context, worker.state, worker.pid === undefined ? '-' : String(worker.pid), formatTime(worker.startTime), worker.sparkUi ?? '-'])
      return printTable(context, table(['WORKER', 'CONTEXT', 'STATE', 'PID', 'STARTED', 'SPARK UI'], rows, style))
    }
    case 'context': {
      const contexts = await client.data(client.api.GET('/v2/api/contexts'))
      if (json) return printJson(context, contexts)
      const rows = contexts.map((ctx) => [ctx.name, ctx.workerMode, String(ctx.maxJobs), ctx.downtime, ctx.precreated ? 'yes' : 'no', ctx.sparkConf['spark.master'] ?? '-'])
      return printTable(context, table(['NAME', 'MODE', 'MAX JOBS', 'DOWNTIME', 'PRECREATED', 'SPARK MASTER'], rows, style))
    }
    case 'artifact': {
      const artifacts = (await client.data(client.api.GET('/v2/api/artifacts', { params: { query: { details: 'true' } } }))) as Array<{ name: string; size: number; sha1: string; modified: number }>
      if (json) return printJson(context, artifacts)
      const rows = artifacts.map((artifact) => [artifact.name, formatSize(artifact.size), artifact.sha1.slice(0, 12), formatTime(artifact.modified)])
      return printTable(context, table(['NAME', 'SIZE', 'SHA-1', 'MODIFIED'], rows, style))
    }
  }
}

function printJson(context: CommandContext, value: unknown): number {
  context.print(formatJson(value, process.stdout.isTTY === true))
  return EXIT.ok
}

function printTable(context: CommandContext, text: string): number {
  context.print(text)
  return EXIT.ok
}

/** `samples: MOption[MInt]`-style summary of a function's arguments. */
export function signature(execute: Record<string, unknown>): string {
  const names = Object.entries(execute).map(([name, type]) => `${name}: ${argType(type)}`)
  return names.length === 0 ? '-' : names.join(', ')
}

function argType(type: unknown): string {
  if (typeof type !== 'object' || type === null) return '?'
  const { type: name, args } = type as { type?: string; args?: unknown[] }
  const short = (name ?? '?').replace(/^M/, '')
  return Array.isArray(args) && args.length > 0 ? `${short}[${args.map(argType).join(', ')}]` : short
}

function took(job: { startTime?: number; endTime?: number }): string {
  if (job.startTime === undefined) return '-'
  const ms = (job.endTime ?? Date.now()) - job.startTime
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
