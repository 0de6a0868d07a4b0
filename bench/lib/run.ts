/**
 * A benchmark's entry point: runs `main`, then its releases in reverse order, all of them,
 * even when one fails. A first ctrl-C aborts the run between two steps and still cleans up
 * (worker and baseline processes, temp dirs); a second one ends Node at once.
 */
export type Release = () => unknown

export async function runBenchmark(main: (signal: AbortSignal, releases: Release[]) => Promise<number>): Promise<void> {
  const releases: Release[] = []
  const abort = new AbortController()
  const onSignal = () => abort.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    process.exitCode = await main(abort.signal, releases)
  } catch (error) {
    console.error(abort.signal.aborted ? 'interrupted; cleaning up' : error)
    process.exitCode = abort.signal.aborted ? 130 : 1
  } finally {
    for (const release of releases.reverse()) {
      try {
        await release()
      } catch (error) {
        console.error('cleanup step failed:', error)
      }
    }
  }
}
