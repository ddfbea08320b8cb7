// The sidecar registers the plugin, so it serves the status page too (SPEC §9): checked here without
// a browser, so it holds where Chromium is missing; test/ui/status-page.test.ts renders it.
import t from 'tap'
import { REPORT, startHarness } from '../helpers/fake-app.js'

t.test('the sidecar serves <path>/ui with its CSP; a token guards the data, not the page', async (t) => {
  const h = await startHarness(t, { argv: ['--token', 'sidecar-page-token-123'] })
  const page = await h.sidecar.app.inject({ url: `${REPORT}/ui`, remoteAddress: '10.1.2.3' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(String(page.headers['content-security-policy']), /^default-src 'none'; script-src 'sha256-/)
  t.equal(page.headers['cache-control'], 'no-store')
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.notMatch(page.body, 'sidecar-page-token-123')
  const report = await h.sidecar.app.inject({ url: REPORT, remoteAddress: '10.1.2.3' })
  t.equal(report.statusCode, 401, 'the data still needs the token')
})

t.test('without a token: loopback only, like the report', async (t) => {
  const h = await startHarness(t)
  t.equal((await h.sidecar.app.inject({ url: `${REPORT}/ui`, remoteAddress: '127.0.0.1' })).statusCode, 200)
  t.equal((await h.sidecar.app.inject({ url: `${REPORT}/ui`, remoteAddress: '10.1.2.3' })).statusCode, 403)
})
