/**
 * `haze run FUNCTION`: starts a job. Without --wait it prints the job's id. With --wait it
 * follows the job's events live (a status line on stderr), then prints the result on stdout
 * and exits 0, or the job's error on stderr and exits 1. Ctrl-C while waiting asks whether to
 * cancel the job; a second Ctrl-C (or no answer possible) leaves it running and exits 130.
 */
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { isLosslessNumber, parse as parseLossless } from 'lossless-json'
import type { HazeClient } from './client.js'
import type { CommandContext, CommandSpec } from './command.js'
import { noMore, required } from './command.js'
import { EXIT, usageError } from './errors.js'
import { followJob, type JobFrame } from './job-stream.js'
import { formatElapsed, formatJson } from './output.js'
import { StatusLine } from './status-line.js'

export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'Run a function as a job (--wait: follow it live and print its result)',
  usage: 'FUNCTION [--args JSON|@FILE] [--context NAME] [--wait] [options]',
  description: [
    "Runs a function as a job. The arguments are a JSON object (checked by the server against the",
    "function's signature before any job exists). Without --wait, prints the job's id. With --wait,",
    'shows the job live on stderr, then prints its result on stdout (exit 0), or its error (exit 1).',
    'Ctrl-C while waiting asks whether to cancel the job.',
  ].join('\n'),
  options: {
    args: { type: 'string', short: 'a', value: 'JSON|@FILE', help: 'Arguments as a JSON object, or @file.json (@- reads stdin); default {}', complete: 'file' },
    context: { type: 'string', short: 'c', value: 'NAME', help: "Run in this context instead of the function's default" },
    'start-timeout': { type: 'string', value: 'DURATION', help: 'Longest wait for a worker: 30s, 5min, Inf' },
    'perform-timeout': { type: 'string', value: 'DURATION', help: 'Longest run once on a worker: 10min, Inf' },
    'external-id': { type: 'string', value: 'ID', help: 'A label of yours, stored with the job' },
    wait: { type: 'boolean', short: 'w', help: 'Follow the job to its end and print its result' },
    logs: { type: 'boolean', help: "With --wait, also print the job's log lines on stderr as they come" },
  },
  examples: [
    "haze run pi --args '{\"samples\": 100000}' --wait",
    'haze run report --args @args.json --context big --perform-timeout 10min --wait --logs',
    'id=$(haze run nightly) && haze logs -f "$id"',
  ],
  positionals: ['function'],
  run,
}

async function run(context: CommandContext): Promise<number> {
  const fn = required(context, 0, 'a FUNCTION name', 'run')
  noMore(context, 1, 'run')
  const body = await argumentsText(context.string('args'))
  const query = new URLSearchParams()
  const add = (key: string, option: string) => {
    const value = context.string(option)
    if (value !== undefined) query.set(key, value)
  }
  add('context', 'context')
  add('startTimeout', 'start-timeout')
  add('performTimeout', 'perform-timeout')
  add('externalId', 'external-id')
  const client = context.client()
  const search = query.size > 0 ? `?${query.toString()}` : ''
  const answer = JSON.parse(
    await client.text(`/v2/api/functions/${encodeURIComponent(fn)}/jobs${search}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
  ) as { id: string }
  if (!context.flag('wait')) {
    context.print(answer.id)
    return EXIT.ok
  }
  return waitFor(context, client, answer.id, fn)
}

/** The arguments' exact text (a big integer stays whole), checked to be a JSON object. */
export async function argumentsText(option: string | undefined): Promise<string> {
  let text = option ?? '{}'
  if (text.startsWith('@')) {
    const file = text.slice(1)
    try {
      text = file === '-' ? await readStdin() : await readFile(file, 'utf8')
    } catch (error) {
      throw usageError(`cannot read the arguments from ${file}: ${(error as Error).message}`)
    }
  }
  let parsed: unknown
  try {
    parsed = parseLossless(text)
  } catch (error) {
    throw usageError(`--args is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || isLosslessNumber(parsed)) {
    throw usageError('--args must be a JSON object of argument names and values, such as {"samples": 1000}')
  }
  return text
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function waitFor(context: CommandContext, client: HazeClient, jobId: string, fn: string): Promise<number> {
  const line = new StatusLine(process.stderr, context.err, `${fn} ${jobId.slice(0, 8)}`)
  const stopAsking = askOnInterrupt(context, client, jobId, line)
  try {
    await followJob(client, jobId, {
      withLogs: context.flag('logs'),
      onFrame: (frame) => show(frame, line, context),
    })
  } finally {
    stopAsking()
    line.stop()
  }
  const job = (await client.exact(`/v2/api/jobs/${encodeURIComponent(jobId)}`)) as { status: string; jobResult?: unknown }
  const took = formatElapsed(line.elapsed())
  if (job.status === 'finished') {
    context.note(context.err.dim(`job ${jobId} finished in ${took}`))
    context.print(formatJson(job.jobResult ?? null, process.stdout.isTTY === true))
    return EXIT.ok
  }
  const reason = typeof job.jobResult === 'string' ? job.jobResult : formatJson(job.jobResult ?? `job ${job.status}`, false)
  // One line says what happened; the rest of a Python error (its traceback) follows on a
  // terminal only, and is always in the job's log.
  const [first = '', ...rest] = reason.split('\n')
  context.note(`haze run: ${context.err.red(`job ${jobId} ${job.status}`)} after ${took}: ${first}`)
  const more = rest.join('\n').trim()
  if (more !== '' && process.stderr.isTTY) context.note(context.err.dim(more))
  return EXIT.jobFailed
}

function show(frame: JobFrame, line: StatusLine, context: CommandContext): void {
  switch (frame.event) {
    case 'logs':
      if (context.flag('logs')) for (const event of frame.events ?? []) line.above(context.err.dim(`[${event.from}] ${event.message}`))
      return
    case 'worker-assigned':
      line.update('waiting for its worker', frame.workerId ?? '')
      return
    case 'job-file-downloading':
      line.update('fetching the artifact', frame.workerId ?? '')
      return
    case 'started':
      line.update('started', frame.workerId ?? '')
      return
    case 'initialized':
    case 'queued':
    case 'cancelling':
    case 'finished':
    case 'failed':
    case 'cancelled':
      line.update(frame.event)
      return
    default:
      return
  }
}

/**
 * While waiting, Ctrl-C asks on stderr whether to cancel the job and reads the answer from
 * stdin. Answers the function that stops listening.
 */
function askOnInterrupt(context: CommandContext, client: HazeClient, jobId: string, line: StatusLine): () => void {
  let asking = false
  const detach = () => {
    line.stop()
    context.note(`\nthe job keeps running; follow it with \`haze logs -f ${jobId}\`, stop it with \`haze kill job ${jobId}\``)
    process.exit(130)
  }
  const onInterrupt = () => {
    if (asking) return detach()
    asking = true
    line.pause()
    const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: false })
    let answered = false
    prompt.once('close', () => {
      if (!answered) detach() // stdin ended: nobody can answer, so leave the job alone
    })
    process.stderr.write(`\ncancel job ${jobId}? [y/N] `)
    prompt.once('line', (answer) => {
      answered = true
      prompt.close()
      process.stdin.pause()
      asking = false
      line.resume()
      if (!/^y(es)?$/i.test(answer.trim())) return
      line.above(`cancelling job ${jobId}`)
      client.text(`/v2/api/jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE' }).catch((error: Error) => line.above(`could not cancel the job: ${error.message}`))
    })
  }
  process.on('SIGINT', onInterrupt)
  return () => process.off('SIGINT', onInterrupt)
}
