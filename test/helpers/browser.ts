/**
 * Headless Chromium for the UI tests: Debian's /usr/bin/chromium driven by playwright-core
 * (never a browser a test tool downloads), with a fresh profile (Playwright's own temp dir), and the flags that keep it
 * off the network this machine does not have.
 */
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

export interface TestBrowser {
  browser: Browser
  /** A new page; its console errors and failed requests are kept in `problems`. */
  page(): Promise<Page>
  problems: string[]
  close(): Promise<void>
}

export async function startBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const problems: string[] = []
  return {
    browser,
    problems,
    async page() {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      page.on('pageerror', (error) => problems.push(`page error: ${error.message} at ${page.url()}: ${error.stack ?? ""}`))
      page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`))
      return page
    },
    async close() {
      await browser.close()
    },
  }
}
