// A real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the status
// page's tests; and a recorder of everything a page does that a test must see: each request it
// makes (URL and headers), console errors, uncaught errors and CSP violations.
import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can. */
export async function missingBrowser (): Promise<string | undefined> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (Debian package chromium; .ci/run installs it)`
  try {
    await import('playwright-core')
  } catch {
    return 'playwright-core is not installed (a devDependency: npm ci)'
  }
  return undefined
}

export async function launchChromium (): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless=new'] })
}

export interface Seen {
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string>
}

export interface Recorded {
  readonly page: Page
  readonly context: BrowserContext
  /** Every request the page made, in order, the page's own navigation included. */
  readonly requests: Seen[]
  /** Console errors and warnings, uncaught errors, CSP violations: each a line of text. */
  readonly problems: string[]
}

/**
 * A new browser context (its own sessionStorage, like a new tab of its own) and page, recorded
 * from its first request. CSP violations are caught twice: Chromium's console line, and the
 * document's `securitypolicyviolation` event, listened to by a script the browser injects itself
 * (through the DevTools protocol, so the page's CSP does not apply to it).
 */
export async function openRecorded (browser: Browser, opts: { width: number, height: number, scale?: number }): Promise<Recorded> {
  const context = await browser.newContext({ viewport: { width: opts.width, height: opts.height }, deviceScaleFactor: opts.scale ?? 1 })
  const page = await context.newPage()
  return record(context, page)
}

export async function record (context: BrowserContext, page: Page): Promise<Recorded> {
  const requests: Seen[] = []
  const problems: string[] = []
  page.on('request', (r) => { requests.push({ url: r.url(), method: r.method(), headers: r.headers() }) })
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`) })
  page.on('pageerror', (err) => { problems.push(`page error: ${err.message}`) })
  await page.exposeFunction('__reportCspViolation', (text: string) => { problems.push(`CSP violation: ${text}`) })
  // Text, not a function: it runs in the browser, whose globals this file's types do not know.
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => window.__reportCspViolation(e.violatedDirective + ' ' + e.blockedURI))"
  })
  return { page, context, requests, problems }
}
