/** `haze kill`, `haze delete`, `haze upload`: the commands that stop or change one thing. */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { CommandContext, CommandSpec } from './command.js'
import { kindOf, noMore, required } from './command.js'
import { CliError, EXIT, RefusedError, usageError } from './errors.js'
import { paintStatus } from './output.js'

export const killCommand: CommandSpec = {
  name: 'kill',
  summary: 'Cancel a job, or stop a worker',
  usage: 'job|worker ID',
  description: [
    'kill job: cancels the job (its Spark job group, then its Python code) and waits until it is',
    'cancelled; a job that has already ended is left as it is. kill worker: stops the worker now;',
    'its running jobs fail saying so.',
  ].join('\n'),
  options: {},
  examples: ['haze kill job 5f1c2d9e-…', 'haze kill worker shared_3a9f-pool-1'],
  positionals: [['job', 'worker'], 'name'],
  async run(context: CommandContext): Promise<number> {
    const kind = kindOf(context.positionals[0], ['job', 'worker'] as const, 'kill')
    const id = required(context, 1, `a ${kind} id`, 'kill')
    noMore(context, 2, 'kill')
    const client = context.client()
    if (kind === 'worker') {
      await client.text(`/v2/api/workers/${encodeURIComponent(id)}`, { method: 'DELETE' })
      context.print(`stopped worker ${id}`)
      return EXIT.ok
    }
    const job = JSON.parse(await client.text(`/v2/api/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' })) as { status: string }
    context.print(job.status === 'cancelled' ? `cancelled job ${id}` : `job ${id} had already ended: ${paintStatus(job.status, context.out)}`)
    return EXIT.ok
  },
}

export const deleteCommand: CommandSpec = {
  name: 'delete',
  summary: 'Delete a function, context or artifact',
  usage: 'function|context|artifact NAME',
  description: "Deletes a function (its artifact stays), a context, or an artifact.",
  options: {},
  examples: ['haze delete function pi', 'haze delete context nightly', 'haze delete artifact pi_0.0.1.py'],
  positionals: [['function', 'context', 'artifact'], 'name'],
  async run(context: CommandContext): Promise<number> {
    const kind = kindOf(context.positionals[0], ['function', 'context', 'artifact'] as const, 'delete')
    const name = required(context, 1, `a ${kind} name`, 'delete')
    noMore(context, 2, 'delete')
    await context.client().text(`/v2/api/${kind}s/${encodeURIComponent(name)}`, { method: 'DELETE' })
    context.print(`deleted ${kind} ${name}`)
    return EXIT.ok
  },
}

export const uploadCommand: CommandSpec = {
  name: 'upload',
  summary: 'Upload an artifact (.py, .zip, .egg, .whl, .jar)',
  usage: 'FILE [--name NAME] [--force]',
  description: 'Uploads a file as an artifact and prints the name it is stored under. An existing name is refused (exit 3) unless --force.',
  options: {
    name: { type: 'string', value: 'NAME', help: "Store it under this name (default: the file's name)" },
    force: { type: 'boolean', help: 'Overwrite an artifact of the same name' },
  },
  examples: ['haze upload jobs/pi.py', 'haze upload dist/reports-1.2.egg --name reports_1.2.egg --force'],
  positionals: ['file'],
  async run(context: CommandContext): Promise<number> {
    const file = required(context, 0, 'a FILE', 'upload')
    noMore(context, 1, 'upload')
    let content: Buffer
    try {
      content = await readFile(file)
    } catch (error) {
      throw usageError(`cannot read ${file}: ${(error as Error).message}`)
    }
    const form = new FormData()
    form.append('file', new Blob([content]), context.string('name') ?? basename(file))
    const stored = await context
      .client()
      .text(`/v2/api/artifacts${context.flag('force') ? '?force=true' : ''}`, { method: 'POST', body: form })
      .catch((error: unknown) => {
        if (error instanceof RefusedError && error.status === 409) throw new CliError(EXIT.refused, `${error.message}; \`haze upload --force\` replaces it`)
        throw error
      })
    context.print(stored)
    return EXIT.ok
  },
}
