/**
 * Splits a context's `runOptions` into spark-submit arguments without a shell, as Mist does:
 * tokens are separated by blanks; a single- or double-quoted run stays one token (quotes removed).
 * There are no escapes. An unclosed quote is an error rather than a silent guess.
 */
import { badRequest } from './errors.js'

export function splitRunOptions(text: string): string[] {
  const tokens: string[] = []
  let current = ''
  let inToken = false
  let quote: '"' | "'" | undefined
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      inToken = true
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current)
      current = ''
      inToken = false
    } else {
      current += char
      inToken = true
    }
  }
  if (quote !== undefined) throw badRequest(`runOptions has an unclosed ${quote} quote: ${JSON.stringify(text)}`)
  if (inToken) tokens.push(current)
  return tokens
}

/**
 * spark-submit's own options that a context may pass, each taking one value, and those that
 * take none. Everything else is refused: an unknown flag would only fail at the next worker's
 * start, and some would break Haze's link to the worker.
 */
const WITH_VALUE = new Set([
  '--conf', '-c', '--properties-file',
  '--driver-memory', '--driver-java-options', '--driver-library-path', '--driver-class-path', '--driver-cores',
  '--executor-memory', '--executor-cores', '--num-executors', '--total-executor-cores',
  '--jars', '--packages', '--exclude-packages', '--repositories', '--py-files', '--files', '--archives',
  '--queue', '--principal', '--keytab', '--proxy-user', '--deploy-mode',
])
const WITHOUT_VALUE = new Set(['--verbose', '-v', '--load-spark-defaults'])

/** Why each refused option is refused, in words a user can act on. */
const REFUSED: Record<string, string> = {
  '--class': 'Haze runs its own worker program; a function is chosen by the function\'s className',
  '--name': 'Haze names each worker\'s Spark application after the worker',
  '--master': 'set spark.master in sparkConf instead, the one place that decides where Spark runs',
  '--supervise': 'it restarts drivers in cluster deploy mode, which Haze does not use',
  '--kill': 'it stops a submission instead of starting a worker',
  '--status': 'it asks about a submission instead of starting a worker',
  '--help': 'it prints help instead of starting a worker',
  '-h': 'it prints help instead of starting a worker',
  '--version': 'it prints a version instead of starting a worker',
  '--usage-error': 'it fails on purpose',
  '--remote': 'it makes a Spark Connect client, and a worker must be a Spark driver',
}

/**
 * Splits and checks `runOptions`: only spark-submit options, each with its value, no
 * application file or argument (the worker is Haze's), `--deploy-mode client` only (a driver
 * launched elsewhere by the cluster would not get Haze's settings). Throws a 400 saying why.
 */
export function checkRunOptions(text: string): string[] {
  const tokens = splitRunOptions(text)
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? ''
    const [flag = '', inline] = token.startsWith('--') && token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token]
    const refusal = REFUSED[flag]
    if (refusal !== undefined) throw badRequest(`runOptions may not hold ${flag}: ${refusal}`)
    if (WITHOUT_VALUE.has(flag)) continue
    if (!WITH_VALUE.has(flag)) {
      if (!flag.startsWith('-')) {
        throw badRequest(`runOptions may hold only spark-submit options; ${JSON.stringify(token)} would be taken as the application or its argument, and Haze runs its own worker`)
      }
      throw badRequest(`runOptions: ${flag} is not a spark-submit option Haze passes on; use one of ${[...WITH_VALUE, ...WITHOUT_VALUE].join(', ')}`)
    }
    const value = inline ?? tokens[i + 1]
    if (inline === undefined) i += 1
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw badRequest(`runOptions: ${flag} needs a value`)
    if (flag === '--deploy-mode' && value !== 'client') {
      throw badRequest(`runOptions: --deploy-mode ${value} is not supported; Haze's workers are Spark drivers in client mode (the driver runs where Haze starts it)`)
    }
    if ((flag === '--conf' || flag === '-c') && !/^[^=\s]+=/.test(value)) throw badRequest(`runOptions: ${flag} takes key=value; got ${JSON.stringify(value)}`)
  }
  return tokens
}
