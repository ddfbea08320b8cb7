// GET <path>/ui (SPEC §9): one static page, its scripts and styles allowed by hash only, no data in
// it; served to loopback clients only when the report is, and to anyone who can reach it once a token
// or `authorize` guards the report (the page must load for the token to be entered).
import { createHash } from 'node:crypto'
import t from 'tap'
import { buildApp } from '../../helpers/build-app.js'

const REPORT = '/api/v2/diagnostics/reliability'
const UI = `${REPORT}/ui`
const TOKEN = 'page-test-token-0123456789'

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
/** The CSP's directives by name. */
function directives (csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0] !== '').map(([name, ...values]) => [name, values]))
}
const inline = (html: string, tag: 'script' | 'style') => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1])

t.test('the page: html, strict CSP whose hashes are its own inline script and style, no-store, nosniff', async (t) => {
  const { app } = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject(UI)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['referrer-policy'], 'no-referrer')
  const csp = directives(String(res.headers['content-security-policy']))
  t.same(csp.get('default-src'), ["'none'"])
  t.same(csp.get('connect-src'), ["'self'"], 'fetches go to this origin only')
  t.same(csp.get('base-uri'), ["'none'"])
  t.same(csp.get('form-action'), ["'none'"], 'a form can never send the token anywhere, a URL least of all')
  t.same(csp.get('frame-ancestors'), ["'none'"])
  const scripts = inline(res.body, 'script')
  const styles = inline(res.body, 'style')
  t.equal(scripts.length, 1, 'one inline script')
  t.equal(styles.length, 1, 'one inline style')
  t.same(csp.get('script-src'), [sha256(scripts[0])], 'the script runs by its hash, nothing else does')
  t.same(csp.get('style-src'), [sha256(styles[0])])
  t.notMatch(res.body, /\s(?:src|href)=/, 'nothing loaded from anywhere')
  t.notMatch(String(res.headers['content-security-policy']), /http|unsafe|\*/, 'no origin, no unsafe-*, no wildcard')
})

t.test('the page holds no data: the same bytes whatever the report says', async (t) => {
  let failing = false
  const { app } = await buildApp({
    builtinSources: false,
    sources: { services: [{ name: 'db-secret-name', critical: true, check: async () => { if (failing) throw new Error('refused') } }] }
  })
  t.teardown(() => app.close())
  const first = await app.inject(UI)
  t.equal(first.statusCode, 200)
  const before = first.body
  failing = true
  await app.reliability.refresh()
  t.equal((await app.reliability.report()).overall_status, 'down')
  const after = (await app.inject(UI)).body
  t.equal(after, before)
  t.notMatch(after, /db-secret-name/)
})

t.test('who gets the page, next to who gets the report', async (t) => {
  const cases = [
    // Neither token nor authorize: loopback only, like the report, so a port-forward just works.
    { name: 'default, loopback', options: {}, remoteAddress: '127.0.0.1', page: 200, report: 200 },
    { name: 'default, ::1', options: {}, remoteAddress: '::1', page: 200, report: 200 },
    { name: 'default, a remote client', options: {}, remoteAddress: '10.0.0.7', page: 403, report: 403 },
    // With a credential the page is the way to enter it: served, while the data stays behind it.
    { name: 'token, a remote client without it', options: { token: TOKEN }, remoteAddress: '10.0.0.7', page: 200, report: 401 },
    { name: 'authorize refusing', options: { authorize: () => false }, remoteAddress: '10.0.0.7', page: 200, report: 403 }
  ]
  for (const c of cases) {
    const { app } = await buildApp(c.options)
    t.teardown(() => app.close())
    const page = await app.inject({ url: UI, remoteAddress: c.remoteAddress })
    const report = await app.inject({ url: REPORT, remoteAddress: c.remoteAddress })
    const history = await app.inject({ url: `${REPORT}/history`, remoteAddress: c.remoteAddress })
    t.equal(page.statusCode, c.page, `${c.name}: page`)
    t.equal(report.statusCode, c.report, `${c.name}: report`)
    t.equal(history.statusCode, c.report, `${c.name}: history, as the report`)
    if (c.page !== 200) t.equal(page.json().code, 'RELIABILITY_ERR_FORBIDDEN')
  }
})

t.test('the page follows the report path option', async (t) => {
  const { app } = await buildApp({ path: '/ops/reliability' })
  t.teardown(() => app.close())
  t.equal((await app.inject('/ops/reliability/ui')).statusCode, 200)
  t.equal((await app.inject(UI)).statusCode, 404)
})
