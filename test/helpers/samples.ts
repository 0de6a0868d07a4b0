/** The sample functions shared with the Python tests (worker/tests/samples). */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HAZE_HOME } from '../../src/config.js'

export const SAMPLES = join(HAZE_HOME, 'worker', 'tests', 'samples')

export const sample = (name: string): Buffer => readFileSync(join(SAMPLES, name))
