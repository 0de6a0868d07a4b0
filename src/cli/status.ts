/** `haze status`: is the server up, which versions it runs, and how busy it is. */
import type { CommandContext, CommandSpec } from './command.js'
import { noMore } from './command.js'
import { EXIT } from './errors.js'
import { formatJson, keyValues } from './output.js'

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: "The server's versions and how many jobs and workers it has now",
  usage: '[--json]',
  options: { json: { type: 'boolean', help: "The server's /v2/api/status JSON, for scripts" } },
  examples: ['haze status', 'haze status --url http://spark-gw:2004', 'haze status --json | jq -r .sparkVersion'],
  async run(context: CommandContext): Promise<number> {
    noMore(context, 0, 'status')
    const client = context.client()
    const status = await client.data(client.api.GET('/v2/api/status'))
    if (context.flag('json')) {
      context.print(formatJson(status, process.stdout.isTTY === true))
      return EXIT.ok
    }
    const count = async (statuses: string[]) => {
      const query = new URLSearchParams([...statuses.map((status): [string, string] => ['status', status]), ['paginate', 'true'], ['limit', '1']])
      return (JSON.parse(await client.text(`/v2/api/jobs?${query.toString()}`)) as { total: number }).total
    }
    const [running, queued, workers] = await Promise.all([
      count(['job-file-downloading', 'started', 'cancelling']),
      count(['initialized', 'queued']),
      client.data(client.api.GET('/v2/api/workers')),
    ])
    context.print(
      keyValues(
        [
          ['server', `${client.connection.url} ${context.out.green('up')} since ${status.started.replace('T', ' ')} UTC`],
          ['haze', status.hazeVersion],
          ['spark', status.sparkVersion],
          ['python', status.pythonVersion],
          ['java', `${status.javaVersion.runtimeVersion} (${status.javaVersion.vmVendor})`],
          ['jobs', `${running} running, ${queued} queued`],
          ['workers', String(workers.length)],
        ],
        context.out,
      ),
    )
    return EXIT.ok
  },
}
