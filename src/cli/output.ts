/**
 * What the commands print: aligned tables, key/value blocks, and colour — only when the stream
 * is a terminal, never when NO_COLOR is set (https://no-color.org) or --no-color is given, so
 * piped output is plain text a script can read.
 */
import { stringify as stringifyLossless } from 'lossless-json'

export interface Style {
  readonly enabled: boolean
  bold: (text: string) => string
  dim: (text: string) => string
  red: (text: string) => string
  green: (text: string) => string
  yellow: (text: string) => string
  cyan: (text: string) => string
}

export function colourWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag) return false
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stream.isTTY === true
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text)
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g
export const visibleWidth = (text: string): number => [...text.replace(ANSI, '')].length

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(header: string[], rows: string[][], style: Style): string {
  const widths = header.map((title, column) => Math.max(visibleWidth(title), ...rows.map((row) => visibleWidth(row[column] ?? ''))))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visibleWidth(cell))))
      .join('  ')
      .trimEnd()
  return [style.bold(line(header)), ...rows.map(line)].join('\n')
}

/** `key: value` lines with the keys aligned. */
export function keyValues(pairs: Array<[string, string | undefined]>, style: Style): string {
  const shown = pairs.filter((pair): pair is [string, string] => pair[1] !== undefined)
  const width = Math.max(0, ...shown.map(([key]) => key.length))
  // A value of several lines starts on the next line, indented by itself.
  return shown.map(([key, value]) => (value.startsWith('\n') ? `${style.dim(`${key}:`)}${value}` : `${style.dim(`${key}:`.padEnd(width + 1))} ${value}`)).join('\n')
}

/** Status words in colour: green for done, red for failed, yellow while in flight. */
export function paintStatus(status: string, style: Style): string {
  if (status === 'finished') return style.green(status)
  if (status === 'failed' || status === 'cancelled') return style.red(status)
  if (status === 'started' || status === 'cancelling') return style.yellow(status)
  return style.cyan(status)
}

/** Local date and time to the second, as people read it in a table. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined) return '-'
  const date = new Date(ms)
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/** "850ms", "12.3s", "4m05s", "2h01m". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const seconds = Math.floor(ms / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
}

/** JSON for people (indented on a terminal) or for scripts (one line), never losing a digit. */
export function formatJson(value: unknown, pretty: boolean): string {
  return stringifyLossless(value, undefined, pretty ? 2 : undefined) ?? 'null'
}
