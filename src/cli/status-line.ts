/**
 * The live line `haze run --wait` shows on stderr while a job runs: its status and the time
 * since it entered it, redrawn in place on a terminal. Where stderr is not a terminal (a log
 * file, CI) each status change is one plain line instead, and nothing is redrawn.
 */
import { formatElapsed, paintStatus, type Style } from './output.js'

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export class StatusLine {
  private status = 'submitted'
  private since = Date.now()
  private readonly started = Date.now()
  private detail = ''
  private frame = 0
  private timer: NodeJS.Timeout | undefined
  private shown = false

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly style: Style,
    private readonly label: string,
  ) {
    if (this.live) {
      this.timer = setInterval(() => this.draw(), 100)
      this.timer.unref()
    }
  }

  private get live(): boolean {
    return this.stream.isTTY === true
  }

  /** A new status (queued, started …); `detail` such as the worker is shown after it. */
  update(status: string, detail = ''): void {
    if (status === this.status && detail === this.detail) return
    if (status !== this.status) this.since = Date.now()
    this.status = status
    this.detail = detail
    if (this.live) this.draw()
    else this.stream.write(`${this.label}: ${status}${detail ? ` (${detail})` : ''}\n`)
  }

  /** Prints lines (log lines, notes) above the status line without tearing it. */
  above(text: string): void {
    this.clear()
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`)
    if (this.live) this.draw()
  }

  /** Takes the line away, e.g. before a prompt; `resume()` brings it back. */
  pause(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.clear()
  }

  resume(): void {
    if (!this.live || this.timer) return
    this.timer = setInterval(() => this.draw(), 100)
    this.timer.unref()
    this.draw()
  }

  stop(): void {
    this.pause()
  }

  /** Total time since the job was submitted. */
  elapsed(): number {
    return Date.now() - this.started
  }

  private draw(): void {
    this.frame = (this.frame + 1) % SPINNER.length
    const time = formatElapsed(Date.now() - this.since)
    const text = `${this.style.cyan(SPINNER[this.frame] ?? '')} ${this.label} ${paintStatus(this.status, this.style)} ${this.style.dim(time)}${this.detail ? this.style.dim(` · ${this.detail}`) : ''}`
    this.stream.write(`\r\u001b[2K${text}`)
    this.shown = true
  }

  private clear(): void {
    if (this.live && this.shown) this.stream.write('\r\u001b[2K')
    this.shown = false
  }
}
