/**
 * API tokens end to end, on real Spark and in a real browser: the web UI asks for a token when
 * the API answers 401 and follows the live stream with it; a job started with a `run` token
 * runs on a real worker, which downloads its artifact with its own credential (an unauthenticated
 * download would be refused), and records the token's name; a change above the token's role is
 * refused with the server's words on the page.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { startBrowser, type TestBrowser } from './helpers/browser.js'
import { jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'
import { until } from './helpers/wait.js'

const SPARK_MS = 180_000
const TOKENS = { deploy: 'deploy-token-0123456789abcdef', run: 'run-token-0123456789abcdef', admin: 'admin-token-0123456789abcdef' }
const as = (token: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` },
})

describe('API tokens on real Spark, in the web UI', { timeout: 600_000 }, () => {
  let haze: TestHaze
  let browser: TestBrowser
  let page: Page

  before(async () => {
    haze = await startHaze({
      auth: {
        tokens: [
          { name: 'deployer', role: 'deploy', token: TOKENS.deploy },
          { name: 'runner', role: 'run', token: TOKENS.run },
          { name: 'root', role: 'admin', token: TOKENS.admin },
        ],
      },
    })
    assert.equal((await haze.api('/v2/api/artifacts', as(TOKENS.deploy, upload('jobs.py', sample('jobs.py'))))).status, 200)
    const context = { name: 'secure', workerMode: 'shared', maxJobs: 2, precreated: true, downtime: 'Inf', sparkConf: { 'spark.master': 'local[1]', 'spark.ui.port': '0' } }
    assert.equal((await haze.api('/v2/api/contexts', as(TOKENS.deploy, jsonBody('POST', context)))).status, 200)
    const fn = { name: 'echo', path: 'jobs.py', className: 'echo', defaultContext: 'secure' }
    assert.equal((await haze.api('/v2/api/functions', as(TOKENS.deploy, jsonBody('POST', fn)))).status, 200)
    browser = await startBrowser()
    page = await browser.page()
  })
  after(async () => {
    await browser?.close()
    await haze?.close()
  })

  it('asks for a token, says when one is refused, and follows the live stream with the right one', async () => {
    await page.goto(`${haze.url}/ui/`)
    const dialog = page.locator('form.dialog')
    await dialog.waitFor()
    assert.match((await dialog.textContent()) ?? '', /This Haze needs an API token.*requires an API token/)
    await page.fill('form.dialog input[name=token]', 'not-a-token-0123456789abcdef')
    await page.getByRole('button', { name: 'Use this token' }).click()
    await page.waitForSelector('form.dialog h2:has-text("This token was refused")')
    assert.match((await dialog.textContent()) ?? '', /the API token is not valid/)
    await page.fill('form.dialog input[name=token]', TOKENS.run)
    await page.getByRole('button', { name: 'Use this token' }).click()
    await page.waitForSelector('[data-testid=live-state]:has-text("live")')
    assert.equal(await page.locator('form.dialog').count(), 0)
  })

  it('runs a job with a run token: its worker fetches the artifact with its own credential, and the job names the token', async () => {
    await page.goto(`${haze.url}/ui/functions/echo`)
    await page.waitForSelector('[data-testid=live-state]:has-text("live")')
    await page.locator('#arg-value').fill('{"n": 12345678901234567890}')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.waitForURL('**/ui/jobs/*')
    const id = new URL(page.url()).pathname.split('/').at(-1) ?? ''
    // Followed over the WebSocket the page opened with ?token=, no reload.
    await page.waitForSelector('.page-head .badge:has-text("finished")', { timeout: SPARK_MS })
    const job = await haze.json<{ status: string; startedBy: string; jobResult: unknown }>(`/v2/api/jobs/${id}`, as(TOKENS.run))
    assert.equal(job.body.status, 'finished')
    assert.equal(job.body.startedBy, 'runner')
    const logs = await (await haze.api(`/v2/api/jobs/${id}/logs`, as(TOKENS.run))).text()
    assert.match(logs, /accepted \(externalId=none, source=Http, startedBy=runner\)/)
    assert.equal(logs.includes(TOKENS.run), false, 'the token value is not in the job log')
  })

  it('shows the server\'s refusal when the token\'s role is too low, and changes nothing', async () => {
    await page.goto(`${haze.url}/ui/contexts/new`)
    await page.waitForSelector('[data-testid=live-state]:has-text("live")')
    await page.fill('input[name=name]', 'not-mine')
    await page.getByRole('button', { name: 'Create' }).click()
    await until(
      async () => /token "runner" has role run; POST \/v2\/api\/contexts needs role deploy \(or admin\)/.test((await page.locator('main').textContent()) ?? ''),
      'the refusal on the page',
      10_000,
    )
    assert.equal((await haze.api('/v2/api/contexts/not-mine', as(TOKENS.admin))).status, 404)
  })

  it('forgets the token on request and asks again', async () => {
    await page.getByRole('button', { name: 'Forget token' }).click()
    await page.goto(`${haze.url}/ui/jobs`)
    await page.locator('form.dialog').waitFor()
    // What a browser says of the refused requests (401 and 403 answers, refused WebSockets) is expected.
    const expected = /status of 40[13]|WebSocket connection to .* failed: HTTP Authentication failed/
    assert.deepEqual(browser.problems.filter((problem) => !expected.test(problem)), [])
  })
})
