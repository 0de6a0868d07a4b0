/** What is still running, read from /proc. Zombies (exited, not yet reaped) do not count. */
import { readdirSync, readFileSync } from 'node:fs'

interface ProcessStat {
  pid: number
  state: string
  pgrp: number
}

function readStat(pid: string): ProcessStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may contain blanks: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { pid: Number(pid), state: fields[0] ?? '?', pgrp: Number(fields[2]) }
  } catch {
    return undefined
  }
}

/** True while a live process is in process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .some((pid) => {
      const stat = readStat(pid)
      return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z'
    })
}

/** The live children of `pid`, with their command names (e.g. a worker's JVM → its Python driver). */
export function childrenOf(pid: number): { pid: number; name: string }[] {
  const children: { pid: number; name: string }[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[1]) === pid && fields[0] !== 'Z') children.push({ pid: Number(entry), name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) })
    } catch {
      // It ended while we looked.
    }
  }
  return children
}
