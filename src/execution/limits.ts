/**
 * Bounds on what a job's code can make the master keep: its error text (a function may raise
 * an exception whose message is 10 MB; the traceback repeats it) and sizes in messages.
 */

/** Characters of a job's failure reason kept in the store, its log and its events. */
export const REASON_LIMIT = 64 * 1024

/**
 * The reason, whole if short; else its head and its tail (a traceback's last line names the
 * exception) around a line saying how much was left out.
 */
export function capReason(text: string, limit = REASON_LIMIT): string {
  if (text.length <= limit) return text
  const tail = Math.floor(limit / 4)
  const head = limit - tail
  return (
    `${text.slice(0, head)}\n… ${text.length - head - tail} characters left out here: ` +
    `Haze keeps ${limit} characters of a job's error …\n${text.slice(text.length - tail)}`
  )
}

/** 1536 → "1.5 KiB": sizes in messages people read. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'everything'
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} bytes` : `${Number(value.toFixed(1))} ${units[unit] ?? ''}`
}
