import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveContext } from '../src/domain/context.js'
import { describeDuration, formatBodyDuration, INFINITE, parseBodyDuration, parseQueryDuration } from '../src/domain/duration.js'
import { HazeError } from '../src/domain/errors.js'
import { canTransition, isTerminal, JOB_STATUSES, OPEN_STATUSES, statusesBefore, TERMINAL_STATUSES } from '../src/domain/job.js'
import { checkArtifactName, checkEntityName } from '../src/domain/names.js'
import { checkRunOptions, splitRunOptions } from '../src/domain/run-options.js'
import { BUILT_IN_DEFAULT } from './helpers/contexts.js'

const isBadRequest = (pattern: RegExp) => (error: unknown) =>
  error instanceof HazeError && error.code === 'bad_request' && pattern.test(error.message)

describe('durations', () => {
  it("reads and writes Mist's body durations", () => {
    assert.equal(parseBodyDuration('d', 'Inf'), INFINITE)
    assert.equal(parseBodyDuration('d', '3600s'), 3_600_000)
    assert.equal(parseBodyDuration('d', '0s'), 0)
    for (const bad of ['1m', '1.5s', '10 seconds', '', 's', '-1s', 'inf']) {
      assert.throws(() => parseBodyDuration('downtime', bad), isBadRequest(/downtime must be "Inf"/), bad)
    }
    assert.equal(formatBodyDuration(INFINITE), 'Inf')
    assert.equal(formatBodyDuration(3_600_000), '3600s')
    assert.equal(formatBodyDuration(1500), '1s')
  })

  it("reads query durations in Scala's syntax", () => {
    const cases: [string, number][] = [
      ['10s', 10_000],
      ['100ms', 100],
      ['10min', 600_000],
      ['10 minutes', 600_000],
      ['1 second', 1000],
      ['2h', 7_200_000],
      ['1 day', 86_400_000],
      ['1.5s', 1500],
      ['500 millis', 500],
      ['Inf', INFINITE],
      ['+Inf', INFINITE],
      ['PlusInf', INFINITE],
    ]
    for (const [text, ms] of cases) assert.equal(parseQueryDuration('t', text), ms, text)
    for (const bad of ['10', 'abc', '10 parsecs', '-Inf', '-5s', '']) {
      assert.throws(() => parseQueryDuration('startTimeout', bad), isBadRequest(/startTimeout must be a duration/), bad)
    }
    assert.equal(describeDuration(10_000), '10 seconds')
    assert.equal(describeDuration(1000), '1 second')
    assert.equal(describeDuration(250), '250 milliseconds')
  })
})

describe('runOptions', () => {
  it('splits on blanks and keeps quoted runs whole, without a shell', () => {
    assert.deepEqual(splitRunOptions(''), [])
    assert.deepEqual(splitRunOptions('  --driver-memory 1g  --verbose '), ['--driver-memory', '1g', '--verbose'])
    assert.deepEqual(splitRunOptions(`--conf "spark.driver.extraJavaOptions=-Da=1 -Db=2" --name 'my app'`), [
      '--conf',
      'spark.driver.extraJavaOptions=-Da=1 -Db=2',
      '--name',
      'my app',
    ])
    assert.deepEqual(splitRunOptions('$(rm -rf /) `x` ;|&'), ['$(rm', '-rf', '/)', '`x`', ';|&'])
    assert.deepEqual(splitRunOptions('""'), [''])
    assert.throws(() => splitRunOptions('--name "open'), isBadRequest(/unclosed " quote/))
  })

  it("passes spark-submit's own options with their values", () => {
    const passed = [
      '--driver-memory 600m',
      '--executor-memory 1g',
      '--total-executor-cores 2',
      '--jars /opt/a.jar,/opt/b.jar',
      '--py-files /opt/deps.zip',
      '--packages org.apache.commons:commons-text:1.12.0',
      '--conf spark.sql.shuffle.partitions=4',
      '--conf=spark.executor.cores=1',
      '--deploy-mode client',
      '--verbose',
    ]
    for (const options of passed) assert.deepEqual(checkRunOptions(options), splitRunOptions(options), options)
  })

  it('refuses what would break the worker, saying why', () => {
    const refused: [string, RegExp][] = [
      ['--class com.example.Main', /may not hold --class: Haze runs its own worker program/],
      ['--name other', /may not hold --name: Haze names each worker's Spark application/],
      ['--master yarn', /may not hold --master: set spark.master in sparkConf instead/],
      ['--deploy-mode cluster', /--deploy-mode cluster is not supported; Haze's workers are Spark drivers in client mode/],
      ['other_app.py', /only spark-submit options; "other_app.py" would be taken as the application/],
      ['--driver-memory 1g second.py arg', /"second.py" would be taken as the application/],
      ['--no-such-option', /--no-such-option is not a spark-submit option Haze passes on; use one of --conf/],
      ['--driver-memory', /--driver-memory needs a value/],
      ['--jars --verbose', /--jars needs a value/],
      ['--conf spark.x', /--conf takes key=value; got "spark.x"/],
      ['--remote sc://host', /may not hold --remote: it makes a Spark Connect client/],
    ]
    for (const [options, why] of refused) assert.throws(() => checkRunOptions(options), isBadRequest(why), options)
  })
})

describe('names', () => {
  it('accepts ordinary artifact names and refuses path tricks', () => {
    for (const good of ['hello.py', 'root_hello-mist_0.0.1.jar', 'my job.zip', 'ünïcode.py']) {
      assert.equal(checkArtifactName(good), good)
    }
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', 'x\u0000', 'x\n', '.hidden', ' lead', 'a'.repeat(256)]) {
      assert.throws(() => checkArtifactName(bad), isBadRequest(/invalid artifact name/), JSON.stringify(bad))
    }
  })

  it('keeps function and context names portable', () => {
    for (const good of ['default', 'root_foo', 'hello-mist', 'a.b', 'user@ctx', 'X1']) {
      assert.equal(checkEntityName('context', good), good)
    }
    for (const bad of ['', '-x', 'a/b', 'a b', 'a..b', 'ä', 'x'.repeat(129)]) {
      assert.throws(() => checkEntityName('function', bad), isBadRequest(/invalid function name/), bad)
    }
  })
})

describe('contexts', () => {
  const defaults = BUILT_IN_DEFAULT

  it('takes absent and null fields from default; sparkConf replaces rather than merges', () => {
    const context = resolveContext({ name: 'c', sparkConf: { 'spark.executor.cores': 2 }, maxJobs: null }, defaults)
    assert.deepEqual(context, { ...defaults, name: 'c', sparkConf: { 'spark.executor.cores': '2' } })
  })
})

describe('the job state machine', () => {
  it('has exactly three terminal statuses, and none of them changes', () => {
    assert.deepEqual([...TERMINAL_STATUSES], ['finished', 'failed', 'cancelled'])
    for (const from of TERMINAL_STATUSES) {
      for (const to of JOB_STATUSES) assert.equal(canTransition(from, to), false, `${from} → ${to}`)
    }
  })

  it('lets every open job end in every terminal status', () => {
    for (const from of OPEN_STATUSES) {
      for (const to of TERMINAL_STATUSES) assert.equal(canTransition(from, to), true, `${from} → ${to}`)
    }
  })

  it('never goes back to initialized or from cancelling to work', () => {
    for (const from of JOB_STATUSES) assert.equal(canTransition(from, 'initialized'), false, from)
    for (const to of ['queued', 'job-file-downloading', 'started'] as const) assert.equal(canTransition('cancelling', to), false, to)
    assert.equal(canTransition('initialized', 'started'), false)
    assert.equal(canTransition('started', 'job-file-downloading'), false)
  })

  it('answers which statuses a write may start from', () => {
    assert.deepEqual(statusesBefore('started'), ['queued', 'job-file-downloading'])
    assert.deepEqual(statusesBefore(undefined), OPEN_STATUSES)
    assert.equal(isTerminal('cancelling'), false)
  })
})
