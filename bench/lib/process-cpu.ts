/**
 * CPU time used by processes, read from /proc (Linux only): a process together with its live
 * descendants, so that a Haze worker counts as what it is, spark-submit's JVM plus its Python
 * driver plus the Python workers Spark forks.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

export interface ProcessCpu {
  pid: number
  /** The command line, as /proc/<pid>/cmdline has it, arguments joined by spaces. */
  command: string
  /** User plus system CPU seconds since the process started. */
  seconds: number
}

interface Stat {
  pid: number
  ppid: number
  ticks: number
}

const TICKS_PER_SECOND = clockTicks()

/** `root` and every live descendant, with the CPU seconds each has used so far; [] off Linux. */
export function processTree(root: number): ProcessCpu[] {
  const stats = allStats()
  const children = new Map<number, Stat[]>()
  for (const stat of stats.values()) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat])
  const tree: ProcessCpu[] = []
  const pending = [stats.get(root)]
  for (let stat = pending.pop(); stat !== undefined; stat = pending.pop()) {
    tree.push({ pid: stat.pid, command: commandOf(stat.pid), seconds: stat.ticks / TICKS_PER_SECOND })
    pending.push(...(children.get(stat.pid) ?? []))
  }
  return tree
}

/**
 * CPU seconds each process used between two snapshots of a tree. A process born in between
 * counts from zero; one that ended in between is missing from `after` and left out (its
 * time is lost, which the caller should say when it matters).
 */
export function cpuBetween(before: readonly ProcessCpu[], after: readonly ProcessCpu[]): ProcessCpu[] {
  const earlier = new Map(before.map((process) => [process.pid, process.seconds]))
  return after.map((process) => ({ ...process, seconds: process.seconds - (earlier.get(process.pid) ?? 0) }))
}

function allStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>()
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return stats
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(Number(entry))
    if (stat) stats.set(stat.pid, stat)
  }
  return stats
}

function readStat(pid: number): Stat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined // it ended while the list was read
  }
  // The second field is the name in parentheses, which may hold spaces and parentheses itself:
  // the fields after it start past the last ')'. Then: state, ppid, … utime (14th), stime (15th).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
  } catch {
    return ''
  }
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
}

export interface MachineCpu {
  /** CPU seconds spent busy (anything but idle and iowait), over all CPUs and all processes. */
  busy: number
  /** CPU seconds in all, over all CPUs: wall time × CPUs. */
  total: number
}

/** The machine's CPU time so far, from /proc/stat; zeros off Linux. */
export function machineCpu(): MachineCpu {
  let line: string | undefined
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0]
  } catch {
    return { busy: 0, total: 0 }
  }
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guests are inside user)
  const ticks = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((sum, value) => sum + value, 0)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND }
}
