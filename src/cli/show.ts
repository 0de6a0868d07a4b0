/** `haze show function|job|context|worker NAME`: one thing in detail, or its JSON with --json. */
import { parse as parseLossless } from 'lossless-json'
import type { CommandContext, CommandSpec } from './command.js'
import { kindOf, noMore, required } from './command.js'
import { EXIT } from './errors.js'
import { signature } from './list.js'
import { formatElapsed, formatJson, formatTime, keyValues, paintStatus } from './output.js'

const KINDS = ['function', 'job', 'context', 'worker'] as const

export const showCommand: CommandSpec = {
  name: 'show',
  summary: 'Show one function, job, context or worker in detail',
  usage: 'function|job|context|worker NAME [--json]',
  options: { json: { type: 'boolean', help: "The server's JSON, for scripts" } },
  examples: ['haze show function pi', 'haze show job 5f1c2d9e-…', 'haze show context default --json'],
  positionals: [['function', 'job', 'context', 'worker'], 'name'],
  run: show,
}

async function show(context: CommandContext): Promise<number> {
  const kind = kindOf(context.positionals[0], KINDS, 'show')
  const name = required(context, 1, `a ${kind} name`, 'show')
  noMore(context, 2, 'show')
  const client = context.client()
  const style = context.out
  const id = encodeURIComponent(name)
  // Read as exact text: a job's params and result keep every digit.
  const text = await client.text(kind === 'function' ? `/v2/api/functions/${id}` : kind === 'job' ? `/v2/api/jobs/${id}` : kind === 'context' ? `/v2/api/contexts/${id}` : `/v2/api/workers/${id}`)
  const value = parseLossless(text) as Record<string, unknown>
  if (context.flag('json')) {
    context.print(formatJson(value, process.stdout.isTTY === true))
    return EXIT.ok
  }
  const str = (key: string) => (value[key] === undefined ? undefined : scalar(value[key]))
  const time = (key: string) => (value[key] === undefined ? undefined : formatTime(Number(value[key])))
  switch (kind) {
    case 'function': {
      const execute = (JSON.parse(text) as { execute: Record<string, unknown> }).execute
      const defaults = value.defaults as Record<string, unknown> | undefined
      const shownDefaults = defaults && Object.keys(defaults).length > 0 ? formatJson(defaults, false) : undefined
      context.print(keyValues([['name', str('name')], ['context', str('defaultContext')], ['artifact', str('path')], ['class name', str('className')], ['language', str('lang')], ['tags', (value.tags as string[] | undefined)?.join(', ') || '-'], ['arguments', signature(execute)], ['defaults', shownDefaults]], style))
      break
    }
    case 'job': {
      const status = String(value.status)
      const start = Number(value.startTime)
      const end = value.endTime === undefined ? Date.now() : Number(value.endTime)
      const outcome: Array<[string, string | undefined]> =
        status === 'finished' ? [['result', formatJson(value.jobResult ?? null, true)]] : value.jobResult === undefined ? [] : [['error', typeof value.jobResult === 'string' ? value.jobResult : formatJson(value.jobResult, false)]]
      context.print(
        keyValues(
          [
            ['job', str('jobId')],
            ['function', str('function')],
            ['context', str('context')],
            ['status', paintStatus(status, style)],
            ['source', str('source')],
            ['external id', str('externalId')],
            ['worker', str('workerId')],
            ['created', time('createTime')],
            ['started', time('startTime')],
            ['ended', time('endTime')],
            ['took', value.startTime === undefined ? undefined : formatElapsed(end - start)],
            ['arguments', formatJson((value.params as { arguments?: unknown } | undefined)?.arguments ?? {}, false)],
            ...outcome,
          ],
          style,
        ),
      )
      break
    }
    case 'context': {
      const conf = (value.sparkConf ?? {}) as Record<string, string>
      const confLines = Object.entries(conf).map(([key, setting]) => `\n  ${key}=${setting}`).join('')
      context.print(keyValues([['name', str('name')], ['worker mode', str('workerMode')], ['max jobs', str('maxJobs')], ['downtime', str('downtime')], ['precreated', str('precreated')], ['streaming', str('streamingDuration')], ['max conn failures', str('maxConnFailures')], ['run options', str('runOptions') || '-'], ['spark conf', confLines || '-']], style))
      break
    }
    case 'worker': {
      const jobs = (value.jobs as Array<{ jobId?: string }> | undefined)?.map((job) => job.jobId ?? '?')
      context.print(keyValues([['worker', str('name')], ['context', str('context')], ['state', str('state')], ['pid', str('pid')], ['address', str('address')], ['started', time('startTime')], ['spark ui', str('sparkUi')], ['jobs now', jobs && jobs.length > 0 ? jobs.join(', ') : '-']], style))
      break
    }
  }
  return EXIT.ok
}

/** A field as text: strings as they are, numbers with every digit, anything else as JSON. */
function scalar(value: unknown): string {
  return typeof value === 'string' ? value : formatJson(value, false)
}
