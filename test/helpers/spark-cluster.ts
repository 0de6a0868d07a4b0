/**
 * A real Spark standalone cluster for a test, on loopback, from the installed PySpark: Spark's
 * own Master and Workers started through its `spark-class`, each worker with its own work dir,
 * cores and memory. Its state is read from the master's JSON status (`/json` on its web UI
 * port). Every process dies with the test process (`setpriv --pdeathsig`), and `stop()` stops
 * them and removes their dirs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveSparkHome } from '../../src/workers/launcher.js'
import { HAZE_HOME } from '../../src/config.js'
import { brokerProcess, freePort, type BrokerProcess } from './broker-process.js'
import { until } from './wait.js'

export interface SparkWorkerStatus {
  id: string
  state: string
  cores: number
  coresused: number
  webuiaddress: string
}

export interface SparkAppStatus {
  id: string
  name: string
  state: string
  cores: number
}

export interface MasterStatus {
  workers: SparkWorkerStatus[]
  activeapps: SparkAppStatus[]
  completedapps: SparkAppStatus[]
}

export interface SparkCluster {
  /** `spark://127.0.0.1:<port>`, for a context's spark.master. */
  url: string
  status(): Promise<MasterStatus>
  /** Kills worker `index` (0-based) at once, as a crash would. */
  killWorker(index: number): Promise<void>
  stop(): Promise<void>
}

export async function startSparkCluster(workers: number, options: { cores?: number; memory?: string } = {}): Promise<SparkCluster> {
  const sparkHome = await resolveSparkHome(join(HAZE_HOME, '.venv', 'bin', 'python'))
  const sparkClass = join(sparkHome, 'bin', 'spark-class')
  const dir = mkdtempSync(join(tmpdir(), 'haze-spark-cluster-'))
  // Loopback only, and no configuration from the machine's own Spark installation.
  process.env.SPARK_LOCAL_IP = '127.0.0.1'
  process.env.SPARK_HOME = sparkHome
  const processes: BrokerProcess[] = []
  const stopAll = async () => {
    await Promise.all(processes.map((started) => started.halt('SIGKILL')))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const port = await freePort()
    const webUi = await freePort()
    const master = brokerProcess(
      'spark master',
      sparkClass,
      ['org.apache.spark.deploy.master.Master', '--host', '127.0.0.1', '--port', String(port), '--webui-port', String(webUi)],
      webUi,
      120_000,
    )
    processes.push(master)
    await master.launch()
    const url = `spark://127.0.0.1:${port}`
    const status = async (): Promise<MasterStatus> => (await (await fetch(`http://127.0.0.1:${webUi}/json`)).json()) as MasterStatus
    for (let i = 0; i < workers; i++) {
      const workerUi = await freePort()
      const worker = brokerProcess(
        `spark worker ${i}`,
        sparkClass,
        [
          'org.apache.spark.deploy.worker.Worker',
          '--host', '127.0.0.1',
          '--cores', String(options.cores ?? 1),
          '--memory', options.memory ?? '1g',
          '--work-dir', join(dir, `worker-${i}`),
          '--webui-port', String(workerUi),
          url,
        ],
        workerUi,
        120_000,
      )
      processes.push(worker)
      await worker.launch()
    }
    await until(async () => (await status()).workers.filter((w) => w.state === 'ALIVE').length === workers, `${workers} Spark workers registered`, 60_000)
    return {
      url,
      status,
      async killWorker(index) {
        await processes[index + 1]?.halt('SIGKILL')
      },
      stop: stopAll,
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}
