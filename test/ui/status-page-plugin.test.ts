// The status page served by the in-app plugin (not the sidecar) to a real headless Chromium, with
// `authorize` deciding who reads the data: a 403 keeps the last data on screen, marked stale, with
// a clear message, and the page comes back by itself once access is given again.
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import type { Browser } from 'playwright-core'
import { createReliabilityPlugin } from '../../plugin/reliability-plugin.js'
import { launchChromium, missingBrowser, openRecorded } from './browser.js'
import { waitForSnapshot } from './page-snapshot.js'

const skip = await missingBrowser()
let browser: Browser | undefined
t.before(async () => { if (!skip) browser = await launchChromium() })
t.teardown(async () => { await browser?.close() })

t.test('authorize says no: a clear message, the last data kept and marked stale; yes again: live', { skip }, async (t) => {
  let allowed = true
  const app = Fastify() as unknown as FastifyInstance
  // Only the check: the test process's own CPU, busy with a browser, must not decide the status.
  await app.register(createReliabilityPlugin({ builtinSources: false }), {
    authorize: () => allowed,
    sources: { services: [{ name: 'db', critical: true, check: async () => {} }] }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as { port: number }
  const tab = await openRecorded(browser!, { width: 1024, height: 768 })
  t.teardown(() => tab.context.close())

  await tab.page.goto(`http://127.0.0.1:${port}/api/v2/diagnostics/reliability/ui?refresh=1`)
  let s = await waitForSnapshot(tab.page, 'the report', (s) => s.state === 'live' && s.overall === 'ok' && s.runs.length > 0)
  t.equal(s.services.db?.status, 'ok')

  allowed = false
  s = await waitForSnapshot(tab.page, 'the refusal', (s) => s.state === 'stale')
  t.match(s.message, /Access denied \(403\)/)
  t.match(s.message, /not current/, 'the data shown is said to be old')
  t.equal(s.overall, 'ok', 'the last status stays on screen')
  t.equal(s.services.db?.status, 'ok', 'and its sections')
  t.ok(s.tokenFormShown, 'a token may be what authorize wants: the form is offered')

  allowed = true
  s = await waitForSnapshot(tab.page, 'the page live again', (s) => s.state === 'live')
  t.equal(s.message, null, 'the message is gone')
  t.same(tab.problems.filter((p) => !/status of 403/.test(p)), [], 'nothing logged but the refused reads')
})
