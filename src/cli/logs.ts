/**
 * `haze logs JOB [-f]`: a job's log. With -f it follows the job's `logs` frames until the job
 * ends. Frames carry `fileOffset` (the log's size after their lines), which stitches them onto
 * the log read over HTTP without a line missed or printed twice: the stream is subscribed
 * first, the file read once it is, and any gap (or the tail after the end) read again.
 */
import type { HazeClient } from './client.js'
import type { CommandContext, CommandSpec } from './command.js'
import { noMore, required } from './command.js'
import { EXIT } from './errors.js'
import { followJob, type JobFrame } from './job-stream.js'
import type { Style } from './output.js'

const LEVELS: Record<number, string> = { 1: 'DEBUG', 2: 'INFO', 3: 'WARN', 4: 'ERROR' }

export const logsCommand: CommandSpec = {
  name: 'logs',
  summary: "Print a job's log (-f: follow it until the job ends)",
  usage: 'JOB [-f]',
  description: [
    "Prints a job's log: its print and logging output, Spark's lines, Haze's lifecycle lines.",
    'With -f, follows new lines live until the job ends; then exits 0 if it finished, 1 if it',
    'failed or was cancelled.',
  ].join('\n'),
  options: { follow: { type: 'boolean', short: 'f', help: 'Follow new lines until the job ends' } },
  examples: ['haze logs 5f1c2d9e-…', 'haze logs -f "$(haze run pi --args \'{"samples": 10}\')"'],
  positionals: ['job'],
  run: logs,
}

async function logs(context: CommandContext): Promise<number> {
  const jobId = required(context, 0, 'a JOB id', 'logs')
  noMore(context, 1, 'logs')
  const client = context.client()
  const path = `/v2/api/jobs/${encodeURIComponent(jobId)}/logs`
  const write = (text: string) => process.stdout.write(paintLog(text, context.out))
  if (!context.flag('follow')) {
    write(await client.text(path))
    return EXIT.ok
  }
  const cursor = new LogCursor(client, path, write)
  let queue = Promise.resolve()
  let first = true
  const ended = await followJob(client, jobId, {
    withLogs: true,
    onFrame: (frame) => {
      // The first frame proves the subscription is live: only now is reading the file safe.
      const step = first ? () => cursor.catchUp() : frame.event === 'logs' ? () => cursor.batch(frame) : undefined
      first = false
      if (step) queue = queue.then(step)
    },
  })
  await queue
  await cursor.catchUp() // lines written after the last frame, or after the end event
  return ended.event === 'finished' ? EXIT.ok : EXIT.jobFailed
}

class LogCursor {
  /** Bytes of the log already printed. */
  private offset = 0

  constructor(
    private readonly client: HazeClient,
    private readonly path: string,
    private readonly write: (text: string) => void,
  ) {}

  /** Prints whatever the log file holds past what was printed. */
  async catchUp(): Promise<void> {
    const all = Buffer.from(await this.client.text(this.path), 'utf8')
    if (all.length > this.offset) this.write(all.subarray(this.offset).toString('utf8'))
    this.offset = Math.max(this.offset, all.length)
  }

  /** Prints a frame's lines, or only those past what was printed. */
  async batch(frame: JobFrame): Promise<void> {
    const end = frame.fileOffset
    if (end === undefined) return
    if (end <= this.offset) return
    const text = Buffer.from((frame.events ?? []).map(formatEvent).join(''), 'utf8')
    const start = end - text.length
    if (start > this.offset) return this.catchUp() // lines we never saw: read them from the file
    this.write(text.subarray(this.offset - start).toString('utf8'))
    this.offset = end
  }
}

/** A frame's log event as its line in the file (`LEVEL yyyy-MM-ddTHH:mm:ss.SSS [source] message`). */
export function formatEvent(event: { from: string; message: string; timeStamp: number; level: number }): string {
  const time = new Date(event.timeStamp).toISOString().replace(/Z$/, '')
  return `${LEVELS[event.level] ?? 'INFO'} ${time} [${event.from}] ${event.message.replace(/\r?\n$/, '')}\n`
}

function paintLog(text: string, style: Style): string {
  if (!style.enabled) return text
  return text.replace(/^(DEBUG|INFO|WARN|ERROR) (\S+) (\[[^\]]*\])/gm, (_all, level: string, time: string, source: string) => {
    const paint = level === 'ERROR' ? style.red : level === 'WARN' ? style.yellow : level === 'DEBUG' ? style.dim : (word: string) => word
    return `${paint(level)} ${style.dim(time)} ${style.cyan(source)}`
  })
}
