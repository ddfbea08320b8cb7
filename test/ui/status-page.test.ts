// The status page in a real headless Chromium, reading a real sidecar (dist/sidecar/bin.js) that
// watches a real HTTP app whose health the test flips (SPEC §9, issue 11): it renders the status,
// the timeline and the charts; it follows the app down and back up; it marks its data stale when
// the server goes away; it logs no error and breaks no CSP rule; every request it makes goes to
// its own origin. Every wait is for a state of the page, never for a length of time.
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Browser, Page } from 'playwright-core'
import { appMetrics, ietfPass, json, startFakeApp, websocketAdmin, type FakeApp } from '../helpers/fake-app.js'
import { binBuilt, startSidecar } from '../helpers/spawn-sidecar.js'
import { launchChromium, missingBrowser, openRecorded, type Recorded } from './browser.js'
import { waitForSnapshot, type Snapshot } from './page-snapshot.js'
import { projectPath } from '../helpers/project-root.js'

const REPORT = '/api/v2/diagnostics/reliability'
const CHARTS = ['p95', 'cpu', 'error_rate', 'hit_rate']
const skip = (binBuilt ? undefined : 'dist/sidecar/bin.js is missing: run npm run build') ?? await missingBrowser()
// The README shows these: `SCREENSHOTS=update` writes them there; otherwise they are still taken
// but kept out of the work tree, so a test run leaves no changed file behind.
const shotsDir = process.env.SCREENSHOTS === 'update'
  ? projectPath('docs/screenshots/')
  : join(tmpdir(), 'fastify-reliability-screenshots')

let browser: Browser | undefined
t.before(async () => { if (!skip) browser = await launchChromium() })
t.teardown(async () => { await browser?.close() })

/** The sidecar's target: healthy or failing on demand, with the metrics the charts draw. */
async function flippableApp (): Promise<{ app: FakeApp, setHealthy: (ok: boolean) => void }> {
  const { metrics } = appMetrics()
  const fail = json({ status: 'fail', output: 'database unreachable' }, 503, 'application/health+json')
  let healthy = true
  const app = await startFakeApp({
    '/health': (req, res) => (healthy ? ietfPass : fail)(req, res),
    '/metrics': metrics,
    '/admin/websocket': websocketAdmin
  })
  return { app, setHealthy: (ok) => { healthy = ok } }
}

async function screenshot (t: Test, page: Page, name: string, fullPage: boolean): Promise<void> {
  mkdirSync(shotsDir, { recursive: true })
  const png = await page.screenshot({ fullPage, animations: 'disabled' })
  t.equal(png.subarray(1, 4).toString('latin1'), 'PNG', `${name}: a PNG`)
  writeFileSync(join(shotsDir, `${name}.png`), png)
}

/** A settled healthy page: ok now and on the newest run, every chart drawn and current. */
const healthy = (s: Snapshot) => s.state === 'live' && s.overall === 'ok' && s.runs.at(-1) === 'ok' &&
  CHARTS.every((c) => s.charts[c]?.points >= 3 && s.charts[c].now !== 'no data')

/** Requests that left the page's origin or went elsewhere than the page, the report, the history. */
function strayRequests (base: string, ...tabs: Recorded[]): string[] {
  const allowed = [`${REPORT}/ui`, REPORT, `${REPORT}/history`]
  return tabs.flatMap((tab) => tab.requests.map((r) => new URL(r.url)))
    .filter((url) => url.origin !== base || !allowed.includes(url.pathname))
    .map(String)
}

t.test('renders a real sidecar\'s report, follows the app down and back up, then marks its data stale', { skip }, async (t) => {
  const { app, setHealthy } = await flippableApp()
  t.teardown(() => app.close())
  const sidecar = await startSidecar(t, ['--target', app.url, '--interval-ms', '500', '--window-ms', '5000'])
  const pageUrl = `${sidecar.base}${REPORT}/ui?refresh=1`
  const desktop = await openRecorded(browser!, { width: 1280, height: 900 })
  const phone = await openRecorded(browser!, { width: 375, height: 812, scale: 2 })
  t.teardown(() => desktop.context.close())
  t.teardown(() => phone.context.close())
  for (const tab of [desktop, phone]) t.equal((await tab.page.goto(pageUrl))?.status(), 200)

  let s = await waitForSnapshot(desktop.page, 'a healthy report with history', healthy)
  // Drawn: a line where consecutive reports had p95, a dot for one alone between gaps (a poll a
  // busy machine made late leaves a report without p95, and a gap is drawn as a gap, not a zero).
  t.ok(s.charts.p95.lines + s.charts.p95.dots >= 1, `p95 drawn (${s.charts.p95.lines} line(s), ${s.charts.p95.dots} dot(s))`)
  t.equal(s.charts.hit_rate.now, '75 %', 'the fake app hits its cache 3 times in 4')
  t.equal(s.charts.error_rate.now, '50 %', 'one request in two is a 500')
  t.equal(s.services.app?.status, 'ok')
  t.ok(s.transitions.some((x) => x.kind === 'status' && x.subject === 'overall'), 'the first status is a transition')
  t.match(s.sources.health, /^health ok/)
  const p = await waitForSnapshot(phone.page, 'the phone to show the same', healthy)
  t.equal(p.scrollWidth, 375, 'readable at 375 px: nothing wider than the screen')
  await screenshot(t, desktop.page, 'status-healthy-desktop', true)
  await screenshot(t, phone.page, 'status-healthy-phone', false)

  setHealthy(false)
  s = await waitForSnapshot(desktop.page, 'the app down on the page', (s) => s.overall === 'down' && s.runs.includes('down') &&
    s.transitions.some((x) => x.kind === 'status' && x.to === 'down'))
  t.match(s.services.app.error, /database unreachable/, 'the app\'s own words')
  t.equal(s.services.app.status, 'down')
  t.equal(s.state, 'live', 'a down app is news, not a failure of the page')
  t.ok(s.runs.indexOf('ok') < s.runs.lastIndexOf('down'), 'ok, then down, on the timeline')
  await waitForSnapshot(phone.page, 'the phone to show it down', (s) => s.overall === 'down')
  await screenshot(t, desktop.page, 'status-failing-desktop', true)
  await screenshot(t, phone.page, 'status-failing-phone', false)

  setHealthy(true)
  s = await waitForSnapshot(desktop.page, 'the app back up on the page', (s) => s.overall === 'ok' && s.runs.at(-1) === 'ok' &&
    s.transitions.some((x) => x.kind === 'status' && x.to === 'ok' && s.transitions.some((y) => y.to === 'down')))
  const down = s.runs.indexOf('down')
  t.ok(down > 0 && s.runs.slice(0, down).includes('ok'), `the timeline reads ok, down, ok: ${s.runs.join(', ')}`)
  // The list is newest first: the recovery sits above the failure.
  const newestOk = s.transitions.findIndex((x) => x.kind === 'status' && x.to === 'ok')
  const newestDown = s.transitions.findIndex((x) => x.kind === 'status' && x.to === 'down')
  t.ok(newestOk < newestDown, 'the recovery is listed above the failure')

  t.same(desktop.problems, [], 'no console error, page error or CSP violation while the server was up')
  t.same(phone.problems, [], 'none on the phone either')
  t.same(strayRequests(sidecar.base, desktop, phone), [], 'every request to the page, the report or the history, on its own origin')

  // The server goes away: the last report stays on screen, marked stale, with a message.
  sidecar.child.kill('SIGKILL')
  await sidecar.exited
  s = await waitForSnapshot(desktop.page, 'the data marked stale', (s) => s.state === 'stale')
  t.match(s.message, /Cannot reach the server/)
  t.match(s.message, /not current/)
  t.equal(s.overall, 'ok', 'the last status is still shown')
  t.ok(s.runs.length > 0 && CHARTS.every((c) => s.charts[c].points > 0), 'and its timeline and charts')
  t.same(desktop.problems.filter((p) => !/ERR_CONNECTION_REFUSED/.test(p)), [], 'the refused connections are the only thing logged')
})

t.test('a token: asked for once, kept in the tab, sent as a header, never in a URL', { skip }, async (t) => {
  const TOKEN = 'tok-3fb1e0c9-page-secret'
  const { app } = await flippableApp()
  t.teardown(() => app.close())
  const sidecar = await startSidecar(t, ['--target', app.url, '--interval-ms', '500'], { env: { RELIABILITY_TOKEN: TOKEN } })
  const pageUrl = `${sidecar.base}${REPORT}/ui?refresh=1`
  const tab = await openRecorded(browser!, { width: 1024, height: 768 })
  t.teardown(() => tab.context.close())
  const { page } = tab

  await page.goto(pageUrl)
  let s = await waitForSnapshot(page, 'the token prompt', (s) => s.state === 'locked')
  t.ok(s.tokenFormShown)
  t.match(s.message, /needs a token \(401\)/)

  await page.locator('#token-input').fill('not-the-token')
  await page.locator('#token-form button[type="submit"]').click()
  s = await waitForSnapshot(page, 'the wrong token refused', (s) => /refused \(401\)/.test(s.message ?? ''))
  t.ok(s.tokenFormShown, 'asked again')
  t.equal(await page.evaluate(() => (globalThis as unknown as { sessionStorage: Storage }).sessionStorage.length), 0, 'a refused token is not kept')

  await page.locator('#token-input').fill(TOKEN)
  await page.locator('#token-form button[type="submit"]').click()
  s = await waitForSnapshot(page, 'the report with the token', (s) => s.state === 'live' && s.overall !== null && s.overall !== 'unknown')
  t.notOk(s.tokenFormShown, 'the prompt is gone')
  t.equal(await page.locator('#token-input').inputValue(), '', 'the field is emptied')

  // A reload in the same tab keeps the token (sessionStorage): not asked again.
  await page.reload()
  s = await waitForSnapshot(page, 'the report after a reload', (s) => s.state === 'live')
  t.notOk(s.tokenFormShown, 'not asked again in the same tab')
  t.equal(await page.evaluate(() => (globalThis as unknown as { localStorage: Storage }).localStorage.length), 0, 'nothing kept beyond the tab')

  // Another session (a browser context of its own) starts without it.
  const other = await openRecorded(browser!, { width: 1024, height: 768 })
  t.teardown(() => other.context.close())
  await other.page.goto(pageUrl)
  await waitForSnapshot(other.page, 'another session asked for the token', (s) => s.state === 'locked')

  // Forgetting it locks the page again.
  await page.locator('#token-forget').click()
  await waitForSnapshot(page, 'the page locked again', (s) => s.state === 'locked' && s.tokenFormShown)

  const data = tab.requests.filter((r) => new URL(r.url).pathname !== `${REPORT}/ui`)
  t.ok(data.some((r) => r.headers.authorization === `Bearer ${TOKEN}`), 'the token went as a bearer header')
  const urls = [...tab.requests, ...other.requests].map((r) => r.url)
  t.same(urls.filter((u) => u.includes(TOKEN) || u.includes(encodeURIComponent(TOKEN))), [], 'no request URL holds the token')
  t.notMatch(page.url(), TOKEN, 'nor the page\'s URL')
  t.equal(new URL(page.url()).hash, '', 'nor a fragment')
  t.same(strayRequests(sidecar.base, tab, other), [])
  // Chromium logs each refused read ("status of 401"): asked for here. Nothing else.
  t.same([...tab.problems, ...other.problems].filter((p) => !/status of 401/.test(p)), [], 'no other console error, page error or CSP violation')
})
