/**
 * The web UI when its server goes away and comes back (real Chromium, no Spark needed): a
 * banner says the live stream dropped and then that the server cannot be reached, and both
 * clear by themselves once a master answers on the same address again.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { startBrowser, type TestBrowser } from './helpers/browser.js'
import { startHaze, type TestHaze } from './helpers/haze.js'

describe('the web UI across a server restart', { timeout: 120_000 }, () => {
  let haze: TestHaze | undefined
  let browser: TestBrowser
  let page: Page

  before(async () => {
    haze = await startHaze()
    browser = await startBrowser()
    page = await browser.page()
  })
  after(async () => {
    await browser?.close()
    await haze?.close()
  })

  it('shows a banner while the server is gone and reconnects by itself when it is back', async () => {
    const first = haze
    assert.ok(first)
    const port = new URL(first.url).port
    await page.goto(`${first.url}/ui/contexts`)
    await page.waitForSelector('[data-testid=live-state]:has-text("live")')

    await first.close()
    haze = undefined
    await page.waitForSelector('[role=alert]:has-text("The live event stream dropped; reconnecting")')
    // The status is polled every 10 s; the banner names the failure once a poll fails.
    await page.waitForSelector('[role=alert]:has-text("The server cannot be reached")', { timeout: 20_000 })
    assert.equal(await page.locator('[data-testid=live-state]').textContent(), 'offline')

    haze = await startHaze({ port: Number(port) })
    await page.waitForSelector('[data-testid=live-state]:has-text("live")', { timeout: 20_000 })
    await page.waitForSelector('[role=alert]', { state: 'detached', timeout: 20_000 })
    assert.equal(await page.locator('tr[data-context=default]').count(), 1)
  })
})
