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
