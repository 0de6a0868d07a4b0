/**
 * Manual runners (Mist's `mist.workers.runner = manual`): a context's workers are started by a
 * command of the operator's instead of spark-submit on this machine, so they can run on other
 * hosts or under another scheduler (Slurm, Nomad, a Kubernetes Job). The command runs without
 * a shell and gets the worker's settings in its environment, under Mist's names and Haze's:
 *
 * - `MIST_MASTER_ADDRESS` (host:port), `MIST_WORKER_NAME`, `MIST_WORKER_RUN_OPTIONS`,
 *   `MIST_WORKER_SPARK_CONF` (`k=v` pairs joined by `|+|`), `MIST_WORKER_SPARK_CONF_PREPARED`
 *   (`--conf k=v …`), as Mist's scripts expect;
 * - everything a worker needs to reach this master (`HAZE_MASTER_URL`, `HAZE_WORKER_ID`, the
 *   one-time `HAZE_WORKER_TOKEN`, `HAZE_WORKER_CREDENTIAL`, …), `HAZE_WORKER_ENTRY` (the
 *   worker program) and `HAZE_WORKER_COMMAND`, the spark-submit command line Haze would have
 *   run, as a JSON array.
 */
import type { RunnerConfig } from '../config.js'
import type { ContextConfig } from '../domain/context.js'
import type { Command } from './spark-submit.js'

export function manualCommands(
  runner: RunnerConfig,
  submit: Command,
  context: ContextConfig,
  workerId: string,
  entryScript: string,
): { start: Command; stop?: Command | undefined } {
  const conf = Object.entries(context.sparkConf)
  const env: Record<string, string> = {
    ...submit.env,
    MIST_MASTER_ADDRESS: new URL(submit.env.HAZE_MASTER_URL ?? 'http://localhost').host,
    MIST_WORKER_NAME: workerId,
    MIST_WORKER_RUN_OPTIONS: context.runOptions,
    MIST_WORKER_SPARK_CONF: conf.map(([key, value]) => `${key}=${value}`).join('|+|'),
    MIST_WORKER_SPARK_CONF_PREPARED: conf.map(([key, value]) => `--conf ${key}=${value}`).join(' '),
    HAZE_WORKER_ENTRY: entryScript,
    HAZE_WORKER_COMMAND: JSON.stringify([submit.command, ...submit.args]),
  }
  const [command = '', ...args] = runner.start
  const start = { command, args, env }
  if (runner.stop === undefined) return { start }
  const [stopCommand = '', ...stopArgs] = runner.stop
  // The stop command learns which worker to stop, and no secret of it.
  const stopEnv = { ...env }
  delete stopEnv.HAZE_WORKER_TOKEN
  delete stopEnv.HAZE_WORKER_CREDENTIAL
  return { start, stop: { command: stopCommand, args: stopArgs, env: stopEnv } }
}
