/**
 * The load generator of the throughput comparison. It runs as a child process of the
 * benchmark, so that its HTTP work is neither done on the master's event loop nor counted as
 * the master's CPU time:
 *
 *   node --import tsx bench/execution/submit-load.ts <baseUrl> <path> <jobs> <connections>
 *
 * It keeps <connections> keep-alive connections busy, each sending `POST <path>` with `{}` (an
 * asynchronous submit, answered {"id"} once the job is queued) one after another until <jobs>
 * have been sent, then prints one line of JSON: a `LoadReport`.
 */
import { KeepAliveClient, summarize, type Latency } from '../lib/http-timing.js'

export interface LoadReport {
  /** Epoch milliseconds when the first submit was sent and when the last answer came. */
  firstSentAt: number
  lastAnsweredAt: number
  accepted: number
  /** Answers other than 200 {"id"}, by status, with the first body for each. */
  refused: Record<string, { count: number; example: string }>
  latency: Latency
  connectionsOpened: number
  /** This process's CPU seconds from the first submit to the last answer. */
  cpuSeconds: number
}

async function main(): Promise<void> {
  const [baseUrl, path, jobsText, connectionsText] = process.argv.slice(2)
  const jobs = Number(jobsText)
  const connections = Number(connectionsText)
  if (!baseUrl || !path || !(jobs > 0) || !(connections > 0)) {
    throw new Error('usage: submit-load.ts <baseUrl> <path> <jobs> <connections>')
  }
  const client = new KeepAliveClient(baseUrl, connections)
  const latencies: number[] = []
  const refused: LoadReport['refused'] = {}
  let sent = 0
  let lastAnsweredAt = 0
  const cpuAtStart = process.cpuUsage()
  const firstSentAt = performance.timeOrigin + performance.now()
  // Each loop is one connection's worth of work: the next submit leaves as soon as the last is answered.
  const loop = async () => {
    while (sent < jobs) {
      sent++
      const response = await client.post(path, '{}')
      latencies.push(response.milliseconds)
      lastAnsweredAt = response.sentAt + response.milliseconds
      if (response.status !== 200 || !response.body.startsWith('{"id":')) {
        const entry = (refused[String(response.status)] ??= { count: 0, example: response.body.slice(0, 300) })
        entry.count++
      }
    }
  }
  await Promise.all(Array.from({ length: connections }, loop))
  const cpu = process.cpuUsage(cpuAtStart)
  client.close()
  const refusedCount = Object.values(refused).reduce((sum, entry) => sum + entry.count, 0)
  const report: LoadReport = {
    firstSentAt,
    lastAnsweredAt,
    accepted: latencies.length - refusedCount,
    refused,
    latency: summarize(latencies),
    connectionsOpened: client.connections,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }
  process.stdout.write(`${JSON.stringify(report)}\n`)
}

await main()
