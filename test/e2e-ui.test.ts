/**
 * The web UI end to end: headless Chromium (Debian's, through playwright-core) against a real
 * master with real Spark workers. Everything is done by clicking and typing, as a person would:
 * upload an artifact, deploy functions, create and edit a context, run a function from its
 * generated form with typed arguments, watch it finish live, read its logs, see a bad argument
 * refused, cancel a slow job, stop a worker.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { startBrowser, type TestBrowser } from './helpers/browser.js'
import { jobApi, startHaze, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const SPARK_MS = 180_000

describe('the web UI in a browser', { timeout: 900_000 }, () => {
  let haze: TestHaze
  let browser: TestBrowser
  let page: Page
  const files = mkdtempSync(join(tmpdir(), 'haze-ui-files-'))
  const open = async (path: string) => {
    await page.goto(`${haze.url}${path}`)
    await page.waitForSelector('[data-testid=live-state]:has-text("live")')
  }
  const upload = async (name: string) => {
    const file = join(files, name)
    writeFileSync(file, sample(name))
    await page.getByTestId('artifact-file').setInputFiles(file)
    await page.waitForSelector(`tr[data-artifact="${name}"]`)
  }
  const deploy = async (name: string, artifact: string, className: string, context: string) => {
    await open('/ui/functions')
    await page.getByRole('button', { name: 'Deploy a function' }).click()
    await page.fill('form.deploy input[name=name]', name)
    await page.selectOption('form.deploy select[name=path]', artifact)
    await page.fill('form.deploy input[name=className]', className)
    await page.selectOption('form.deploy select[name=defaultContext]', context)
    await page.getByRole('button', { name: 'Deploy', exact: true }).click()
    await page.waitForURL(`**/ui/functions/${name}`)
  }
  /** With HAZE_SCREENSHOTS=<dir>, the main pages are saved there as this run shows them (docs/screenshots). */
  const shoot = async (name: string) => {
    const dir = process.env.HAZE_SCREENSHOTS
    if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
  }
  const jobIdOfPage = () => new URL(page.url()).pathname.split('/').at(-1) ?? ''

  before(async () => {
    haze = await startHaze()
    browser = await startBrowser()
    page = await browser.page()
  })
  after(async () => {
    await browser?.close()
    await haze?.close()
    rmSync(files, { recursive: true, force: true })
  })

  it('leads from / to the UI, and a deep link reloads to the same page', async () => {
    await page.goto(`${haze.url}/`)
    await page.waitForURL('**/ui/')
    await page.getByRole('link', { name: 'Contexts' }).click()
    await page.waitForSelector('tr[data-context=default]')
    await page.reload()
    assert.equal(await page.locator('h1').textContent(), 'Contexts')
  })

  it('uploads artifacts and lists them with their SHA-1', async () => {
    await open('/ui/artifacts')
    await upload('typed_kinds.py')
    await upload('jobs.py')
    const sha = (await haze.api('/v2/api/artifacts/jobs.py/sha').then((r) => r.text())).trim()
    assert.equal((await page.locator('tr[data-artifact="jobs.py"] td.mono').textContent())?.trim(), sha)
    // The size as the UI writes it: KiB with one decimal under 10 KiB.
    const size = Buffer.byteLength(sample('jobs.py'))
    assert.equal(await page.locator('tr[data-artifact="jobs.py"] td').nth(1).textContent(), `${(size / 1024).toFixed(1)} KiB`)
  })

  it('creates a context, refusing a bad number as it is typed', async () => {
    await open('/ui/contexts/new')
    await page.fill('input[name=name]', 'ui')
    await page.selectOption('select[name=workerMode]', 'shared')
    await page.fill('input[name=maxJobs]', '0')
    assert.match((await page.getByTestId('context-problem').textContent()) ?? '', /^maxJobs must be a whole number of at least 1 and at most 10000; got 0$/)
    assert.equal(await page.getByRole('button', { name: 'Create' }).isDisabled(), true)
    await page.fill('input[name=maxJobs]', '2')
    await page.fill('textarea[name=sparkConf]', 'spark.master=local[2]\nspark.ui.port=0')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.waitForURL('**/ui/contexts/ui')
    const stored = await haze.json<{ maxJobs: number; workerMode: string; sparkConf: Record<string, string> }>('/v2/api/contexts/ui')
    assert.deepEqual([stored.body.maxJobs, stored.body.workerMode, stored.body.sparkConf['spark.master']], [2, 'shared', 'local[2]'])
  })

  it('edits a context', async () => {
    await open('/ui/contexts/ui')
    // The form holds this context's own settings, not the default's it was made from.
    await page.waitForSelector('input[name=maxJobs][value="2"]')
    await page.fill('input[name=downtime]', '600s')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForSelector('text=Saved.')
    const stored = (await haze.json<{ downtime: string; maxJobs: number }>('/v2/api/contexts/ui')).body
    assert.deepEqual([stored.downtime, stored.maxJobs], ['600s', 2])
  })

  it('deploys a function and shows an argument form generated from its signature', async () => {
    await deploy('kinds', 'typed_kinds.py', 'all_kinds', 'ui')
    await page.waitForSelector('form.run')
    for (const id of ['arg-name', 'arg-ratio', 'arg-verbose', 'arg-ids', 'arg-weights', 'arg-point']) {
      assert.equal(await page.locator(`#${id}`).count(), 1, `an input for ${id}`)
    }
    assert.equal(await page.locator('#arg-count').inputValue(), '3', 'the default of count is filled in')
    await shoot('function')
  })

  it('shows a bad argument with the reason, next to it, and starts nothing', async () => {
    await page.fill('#arg-name', 'x')
    await page.fill('#arg-ratio', 'half')
    await page.fill('#arg-point', '{"x": 1, "y": 2}')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const problem = page.locator('.argument.invalid .problem')
    await problem.first().waitFor()
    assert.match((await problem.first().textContent()) ?? '', /^ratio must be a number; got the string "half"/)
    assert.match(page.url(), /\/ui\/functions\/kinds$/)
    assert.equal((await haze.json<unknown[]>('/v2/api/jobs')).body.length, 0)
  })

  it('runs it with typed arguments and follows it to its result, live, with its logs', async () => {
    await page.fill('#arg-ratio', '0.5')
    await page.check('#arg-verbose')
    await page.getByRole('button', { name: 'Add item' }).click()
    await page.fill('#arg-ids-0', '12345678901234567890')
    await page.getByRole('button', { name: 'Add entry' }).click()
    await page.fill('.nested .row input[placeholder=key]', 'a')
    await page.fill('#arg-weights-0', '1.5')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.waitForURL('**/ui/jobs/*')
    const id = jobIdOfPage()
    // No reload: the page follows the job over WebSocket until its result is shown.
    await page.waitForSelector('.page-head .badge:has-text("finished")', { timeout: SPARK_MS })
    const result = JSON.parse((await page.getByTestId('result').getByTestId('json').textContent()) ?? '') as Record<string, unknown>
    assert.deepEqual(result, { name: 'x', ratio: 0.5, verbose: true, ids: [Number('12345678901234567890')], weights: { a: 1.5 }, nickname: null, point: { x: 1, y: 2 }, count: 3 })
    assert.match((await page.getByTestId('result').getByTestId('json').textContent()) ?? '', /12345678901234567890/, 'the big integer exact')
    const logLine = 'job of function kinds accepted'
    await until(async () => ((await page.getByTestId('logs').textContent()) ?? '').includes(logLine), 'the lifecycle lines in the log view', 30_000)
    const stored = await jobApi(haze).job(id)
    assert.equal(stored.status, 'finished')
    await shoot('job')
  })

  it('cancels a slow job', async () => {
    await deploy('slow', 'jobs.py', 'slow_count', 'ui')
    await page.fill('#arg-seconds', '300')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.waitForURL('**/ui/jobs/*')
    await page.waitForSelector('.page-head .badge:has-text("started")', { timeout: SPARK_MS })
    if (process.env.HAZE_SCREENSHOTS) {
      const jobPage = page.url()
      await open('/ui/')
      await page.waitForSelector('[data-testid=by-context]')
      await shoot('overview')
      await open('/ui/jobs')
      await page.waitForSelector('[data-testid=job-table]')
      await shoot('jobs')
      await page.goto(jobPage)
    }
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.waitForSelector('.page-head .badge:has-text("cancelled")', { timeout: 60_000 })
    assert.equal((await jobApi(haze).job(jobIdOfPage())).status, 'cancelled')
  })

  it('stops a worker', async () => {
    const [worker] = await until(async () => {
      const workers = await jobApi(haze).workers()
      return workers.length > 0 && workers
    }, 'a live worker', 30_000)
    await open('/ui/workers')
    await shoot('workers')
    await page.locator(`tr[data-worker="${worker?.name}"] button:has-text("Stop")`).click()
    await page.waitForSelector(`tr[data-worker="${worker?.name}"]`, { state: 'detached', timeout: 60_000 })
    assert.equal((await jobApi(haze).workers()).some((w) => w.name === worker?.name), false)
  })

  it('filters the job list by status, context and source, with the real total', async () => {
    await open('/ui/jobs')
    await page.selectOption('select[name=context]', 'ui')
    await page.waitForURL('**/ui/jobs?context=ui')
    await page.waitForSelector('[data-testid=job-total]:has-text("of 2")')
    await page.getByRole('button', { name: 'cancelled', exact: true }).click()
    await page.waitForSelector('[data-testid=job-total]:has-text("1–1 of 1")')
    assert.equal(await page.locator('[data-testid=job-table] tbody tr').count(), 1)
    await page.selectOption('select[name=source]', 'Cli')
    await page.waitForSelector('[data-testid=job-total]:has-text("none")')
    // The filters are in the URL: a reload shows the same list.
    await page.reload()
    assert.equal(await page.locator('select[name=source]').inputValue(), 'Cli')
  })

  it('runs a job again with the same arguments', async () => {
    const [finished] = (await haze.json<{ jobs: { jobId: string }[] }>('/v2/api/jobs?paginate=true&function=kinds')).body.jobs
    await open(`/ui/jobs/${finished?.jobId}`)
    await page.getByRole('button', { name: 'Run again' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/ui/jobs/') && !url.pathname.endsWith(finished?.jobId ?? ''))
    const again = await jobApi(haze).ended(jobIdOfPage(), SPARK_MS)
    type Stored = { params: { arguments: unknown } }
    const [first, second] = await Promise.all([finished?.jobId ?? '', again.jobId].map(async (id) => (await haze.json<Stored>(`/v2/api/jobs/${id}`)).body))
    assert.equal(again.status, 'finished')
    assert.deepEqual(second?.params.arguments, first?.params.arguments)
  })

  it('deletes a context and an artifact, and offers no delete for the default context', async () => {
    await open('/ui/contexts/default')
    await page.waitForSelector('form.context-form')
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0)
    await haze.json('/v2/api/contexts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "doomed"}' })
    page.once('dialog', (dialog) => void dialog.accept())
    await open('/ui/contexts/doomed')
    await page.getByRole('button', { name: 'Delete' }).click()
    await page.waitForURL('**/ui/contexts')
    assert.equal((await haze.json('/v2/api/contexts/doomed')).status, 404)

    await open('/ui/artifacts')
    await upload('typed_pi.py')
    page.once('dialog', (dialog) => void dialog.accept())
    await page.locator('tr[data-artifact="typed_pi.py"] button:has-text("Delete")').click()
    await page.waitForSelector('tr[data-artifact="typed_pi.py"]', { state: 'detached' })
    assert.equal((await haze.api('/v2/api/artifacts/typed_pi.py')).status, 404)
  })

  it('raised no error in the page', () => {
    assert.deepEqual(browser.problems, [])
  })
})
