/** The `default` context as the built-in configuration defines it (README, Configuration). */
import type { ContextConfig } from '../../src/domain/context.js'

export const BUILT_IN_DEFAULT: ContextConfig = {
  name: 'default',
  sparkConf: { 'spark.master': 'local[*]' },
  downtime: 3_600_000,
  maxJobs: 1,
  precreated: false,
  runOptions: '',
  workerMode: 'exclusive',
  streamingDuration: 1000,
  maxConnFailures: 5,
  spareWorkers: 0,
  maxWorkers: 1,
}
