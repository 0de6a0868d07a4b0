/**
 * A strict parser of Prometheus' text exposition format (0.0.4), for tests that read
 * /metrics as Prometheus would. npm's parse-prometheus-text-format (1.1.1, unmaintained since
 * 2019) merges the series of a labelled histogram into one, so it cannot check these numbers.
 *
 * Strict means: every line is a HELP, a TYPE, a comment or a sample; names and label names
 * are valid; label values use only the format's escapes; a family's TYPE comes before its
 * samples, which are contiguous; no series appears twice; every histogram series has
 * ascending `le` buckets with non-decreasing counts, a `+Inf` bucket equal to its `_count`,
 * and a `_sum`. Anything else throws, naming the line.
 */
import type { TestHaze } from './haze.js'

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
export type Labels = Record<string, string>

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum` …). */
  name: string
  labels: Labels
  value: number
}

export interface Family {
  name: string
  type: MetricType
  help: string
  samples: Sample[]
}

export interface HistogramSeries {
  labels: Labels
  count: number
  sum: number
  /** Cumulative counts by upper bound, ascending, ending with +Inf. */
  buckets: [number, number][]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES: readonly string[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped']

export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  const seen = new Set<string>()
  let current: Family | undefined
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  else throw new Error('the exposition must end with a line feed')
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1} ${JSON.stringify(line)}: ${why}`)
    }
    if (line.trim() === '') return
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line)
      if (!meta) return // a plain comment
      const [, kind, name = '', rest = ''] = meta
      if (!METRIC_NAME.test(name)) fail(`invalid metric name ${name}`)
      let family = families.get(name)
      if (family && family !== current) fail(`family ${name} appears twice, not contiguous`)
      if (!family) {
        if (seen.has(name)) fail(`family ${name} declared after samples with its name`)
        family = { name, type: 'untyped', help: '', samples: [] }
        families.set(name, family)
        current = family
      }
      if (kind === 'TYPE') {
        if (!TYPES.includes(rest)) fail(`unknown type ${rest}`)
        if (family.samples.length > 0) fail('TYPE after samples')
        family.type = rest as MetricType
      } else {
        family.help = unescape(rest, false, fail)
      }
      return
    }
    const sample = parseSample(line, fail)
    if (!current || !belongsTo(sample, current)) fail(`sample outside its family's block (declare # TYPE first)`)
    const family = current as Family
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`
    if (seen.has(key)) fail('the same series appears twice')
    seen.add(key)
    seen.add(sample.name)
    family.samples.push(sample)
  })
  for (const family of families.values()) {
    if (family.type === 'histogram') histogramSeries(family)
  }
  return families
}

function belongsTo(sample: Sample, family: Family): boolean {
  if (family.type === 'histogram') {
    if (sample.name === `${family.name}_bucket`) return 'le' in sample.labels
    return sample.name === `${family.name}_sum` || sample.name === `${family.name}_count`
  }
  if (family.type === 'summary') {
    return sample.name === family.name || sample.name === `${family.name}_sum` || sample.name === `${family.name}_count`
  }
  return sample.name === family.name
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s)/.exec(line)
  if (!head?.[1]) return fail('invalid sample name')
  const name = head[1]
  let at = name.length
  const labels: Labels = {}
  if (line[at] === '{') {
    at += 1
    while (line[at] !== '}') {
      const labelKey = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at))?.[1]
      if (labelKey === undefined || !LABEL_NAME.test(labelKey)) return fail(`invalid label at column ${at + 1}`)
      if (labelKey in labels) fail(`label ${labelKey} twice`)
      at += labelKey.length + 2
      let raw = ''
      for (;;) {
        const char = line[at]
        if (char === undefined) fail('unterminated label value')
        if (char === '"') break
        if (char === '\\') {
          raw += char + (line[at + 1] ?? '')
          at += 2
        } else {
          raw += char
          at += 1
        }
      }
      labels[labelKey] = unescape(raw, true, fail)
      at += 1
      if (line[at] === ',') at += 1
      else if (line[at] !== '}') fail(`expected , or } at column ${at + 1}`)
    }
    at += 1
  }
  const rest = line.slice(at)
  const fields = /^ (\S+)(?: (-?\d+))?$/.exec(rest)
  if (!fields?.[1]) return fail('expected one space, a value and an optional timestamp')
  return { name, labels, value: parseValue(fields[1], fail) }
}

/** As Prometheus reads a value (Go's ParseFloat): also NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string, fail: (why: string) => never): number {
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(text)
  if (special) return special[2]?.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(`invalid value ${text}`)
  return Number(text)
}

/** The format's escapes: `\\` and `\n` everywhere, `\"` in label values; nothing else. */
function unescape(raw: string, quoted: boolean, fail: (why: string) => never): string {
  return raw.replace(/\\(.?)/g, (_match, next: string) => {
    if (next === '\\') return '\\'
    if (next === 'n') return '\n'
    if (next === '"' && quoted) return '"'
    return fail(`invalid escape \\${next}`)
  })
}

const sameLabels = (a: Labels, b: Labels): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([key, value]) => b[key] === value)

const without = (labels: Labels, name: string): Labels => Object.fromEntries(Object.entries(labels).filter(([key]) => key !== name))

/** Every series of a histogram, checked for consistency. */
export function histogramSeries(family: Family): HistogramSeries[] {
  const series: HistogramSeries[] = []
  const find = (labels: Labels): HistogramSeries => {
    let entry = series.find((candidate) => sameLabels(candidate.labels, labels))
    if (!entry) {
      entry = { labels, count: NaN, sum: NaN, buckets: [] }
      series.push(entry)
    }
    return entry
  }
  for (const sample of family.samples) {
    if (sample.name.endsWith('_bucket')) {
      const le = sample.labels.le ?? ''
      find(without(sample.labels, 'le')).buckets.push([parseValue(le, (why) => { throw new Error(`${family.name}: ${why}`) }), sample.value])
    } else if (sample.name.endsWith('_sum')) find(sample.labels).sum = sample.value
    else find(sample.labels).count = sample.value
  }
  for (const entry of series) {
    const where = `${family.name}${JSON.stringify(entry.labels)}`
    if (Number.isNaN(entry.sum) || Number.isNaN(entry.count)) throw new Error(`${where}: _sum or _count missing`)
    entry.buckets.forEach(([le, count], i) => {
      const previous = entry.buckets[i - 1]
      if (previous && (previous[0] >= le || previous[1] > count)) throw new Error(`${where}: buckets not ascending and cumulative`)
    })
    const last = entry.buckets.at(-1)
    if (!last || last[0] !== Infinity || last[1] !== entry.count) throw new Error(`${where}: the +Inf bucket must equal _count`)
  }
  return series
}

/** One scrape of a master's /metrics, parsed, with lookups that fail loudly. */
export class Scrape {
  constructor(readonly families: Map<string, Family>) {}

  family(name: string): Family {
    const family = this.families.get(name)
    if (!family) throw new Error(`no metric family ${name}; have ${[...this.families.keys()].join(', ')}`)
    return family
  }

  /** The value of the counter or gauge series with exactly these labels, or undefined if absent. */
  value(name: string, labels: Labels = {}): number | undefined {
    return this.family(name).samples.find((sample) => sameLabels(sample.labels, labels))?.value
  }

  /** The histogram series with exactly these labels (besides `le`), or undefined if absent. */
  histogram(name: string, labels: Labels = {}): HistogramSeries | undefined {
    return histogramSeries(this.family(name)).find((series) => sameLabels(series.labels, labels))
  }

  /** Every label set of a family's series (histograms: without `le`). */
  labelSets(name: string): Labels[] {
    const family = this.family(name)
    return family.type === 'histogram' ? histogramSeries(family).map((series) => series.labels) : family.samples.map((sample) => sample.labels)
  }
}

/** GETs /metrics (with `init`, e.g. a token) and parses it; throws unless it is a 200 in the text format. */
export async function scrape(haze: Pick<TestHaze, 'api'>, init?: RequestInit): Promise<Scrape> {
  const response = await haze.api('/metrics', init)
  const text = await response.text()
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${text}`)
  const type = response.headers.get('content-type') ?? ''
  if (!/^text\/plain; version=0\.0\.4/.test(type)) throw new Error(`GET /metrics has content-type ${type}, not the text format 0.0.4`)
  return new Scrape(parsePrometheus(text))
}
