import t from 'tap'
import type { Test } from 'tap'
import { reliabilityCode } from '../../../plugin/errors.js'
import { createUpstreamClient, EXPOSITION_ACCEPT, JSON_ACCEPT, type UpstreamClient } from '../../../sidecar/upstream/upstream-client.js'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'
import {
  answer,
  bigBody,
  captureCrashes,
  closedPort,
  hang,
  json,
  redirect,
  resetMidBody,
  silentAfterHeaders,
  startFakeApp,
  trickle,
  type FakeApp,
  type Handler
} from '../../helpers/fake-app.js'
import { waitFor } from '../../helpers/wait-for.js'

async function app (t: Test, routes: Parameters<typeof startFakeApp>[0] = {}): Promise<FakeApp> {
  const fake = await startFakeApp(routes)
  t.teardown(() => fake.close())
  return fake
}

function client (t: Test, target: string, timeoutMs = 500, maxBodyBytes = 1024 * 1024): UpstreamClient {
  const c = createUpstreamClient({ target, timeoutMs, maxBodyBytes })
  t.teardown(() => c.close())
  return c
}

/** The coded error a request rejects with, and how long it took to reject. */
async function failure (request: () => Promise<unknown>): Promise<{ err: Error, code: string | undefined, ms: number }> {
  // Timed from before the call: its synchronous part (undici's first connect) counts against the deadline too.
  const started = performance.now()
  try {
    await request()
  } catch (err) {
    return { err: err as Error, code: reliabilityCode(err), ms: performance.now() - started }
  }
  throw new Error('expected the request to fail')
}

t.test('200 with a body: status, content type, body, duration', async (t) => {
  const fake = await app(t, { '/health': json({ status: 'pass' }, 200, 'application/health+json') })
  const res = await client(t, fake.url).get('/health')
  t.equal(res.statusCode, 200)
  t.equal(res.contentType, 'application/health+json')
  t.same(JSON.parse(res.body), { status: 'pass' })
  // A duration, not a speed: a busy machine makes it longer, never wrong (issue 10).
  t.ok(Number.isFinite(res.durationMs) && res.durationMs >= 0, `durationMs ${res.durationMs}`)
  t.equal(fake.hits('/health'), 1)
})

t.test('a body sent in parts: lines in pieces that each end a line, and the same text as body', async (t) => {
  // Three writes with pauses, so they arrive as separate reads, the middle one splitting a line
  // and a two-byte character.
  const parts = ['# TYPE a gauge\na 1\nb{x="caf', 'é"} 2\nc 3', '\n']
  const fake = await app(t, {
    '/metrics': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      for (const part of parts) {
        res.write(part)
        await new Promise((resolve) => setTimeout(resolve, 30))
      }
      res.end()
    }
  })
  const res = await client(t, fake.url).get('/metrics')
  const text = parts.join('')
  t.equal(res.lines.join(''), text, 'the pieces are the body')
  t.ok(res.lines.length >= 2, `${res.lines.length} pieces`)
  t.ok(res.lines.every((line) => line.endsWith('\n')), 'each ends at a newline')
  t.equal(res.body, text, 'and body is the whole text')
})

t.test('a 500 is an answer, not an error', async (t) => {
  const fake = await app(t, { '/health': json({ status: 'fail' }, 500) })
  const res = await client(t, fake.url).get('/health')
  t.equal(res.statusCode, 500)
  t.same(JSON.parse(res.body), { status: 'fail' })
})

t.test('timeouts: each is UPSTREAM_TIMEOUT, never before the deadline', async (t) => {
  const cases: Array<[string, Handler, number]> = [
    ['headers never sent', hang, 100],
    ['headers, then silence', silentAfterHeaders(), 100],
    ['headers and part of the body, then silence', silentAfterHeaders('partial'), 100],
    // Each gap (200 ms) is below the deadline: only a deadline on the whole request catches it.
    ['one byte every 200 ms', trickle(200), 500]
  ]
  for (const [name, handler, timeoutMs] of cases) {
    const fake = await app(t, { '/metrics': handler })
    const { code, ms } = await failure(() => client(t, fake.url, timeoutMs).get('/metrics'))
    t.equal(code, 'RELIABILITY_ERR_UPSTREAM_TIMEOUT', `${name}: code`)
    // Not before the deadline (less the staleness of libuv's cached loop clock). No upper bound: a
    // busy machine fires a timer late, and the code above already says the deadline ended it.
    t.ok(ms >= timeoutMs * 0.75, `${name}: rejected after ${Math.round(ms)} ms (deadline ${timeoutMs} ms)`)
  }
})

t.test('connection refused is UPSTREAM_UNREACHABLE', async (t) => {
  const port = await closedPort()
  const { code } = await failure(() => client(t, `http://127.0.0.1:${port}`, 1000).get('/health'))
  // UNREACHABLE, not TIMEOUT: the refusal ended it, not the deadline (an order, not a time).
  t.equal(code, 'RELIABILITY_ERR_UPSTREAM_UNREACHABLE')
})

t.test('a reset in the middle of the body is an error, not a hang', async (t) => {
  const fake = await app(t, { '/metrics': resetMidBody() })
  const { code } = await failure(() => client(t, fake.url, 2000).get('/metrics'))
  // UNREACHABLE, not TIMEOUT: the reset ended it, before the deadline could.
  t.equal(code, 'RELIABILITY_ERR_UPSTREAM_UNREACHABLE')
})

// Regression (issue 5, the soak): a body refused unread was destroyed with no 'error' listener, and
// undici's RequestAbortedError on it ended the process.
t.test('issue 5: an unread body (redirect, declared over the cap) is dropped without crashing the process', async (t) => {
  const crashes = captureCrashes(t)
  const fake = await app(t, {
    '/redirect': redirect(302, 'http://127.0.0.1:1/elsewhere'),
    '/declared': bigBody(2048, 'content-length')
  })
  const c = client(t, fake.url, 1000, 1024)
  t.equal((await failure(() => c.get('/redirect'))).code, 'RELIABILITY_ERR_UPSTREAM_REDIRECT')
  t.equal((await failure(() => c.get('/declared'))).code, 'RELIABILITY_ERR_BODY_TOO_LARGE')
  // The stream's 'error' is emitted on a later tick.
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(crashes.uncaught.length, 0, 'no uncaught exception')
  t.equal(crashes.unhandledRejections.length, 0, 'no unhandled rejection')
})

t.test('the body cap', async (t) => {
  captureCrashes(t) // should issue 5 come back, the other cases still run
  const cap = 1024
  const fake = await app(t, {
    '/declared': bigBody(cap + 1, 'content-length'),
    '/chunked': bigBody(4 * cap, 'chunked'),
    '/chunked-just-over': bigBody(cap + 1, 'chunked'),
    '/at-cap-declared': bigBody(cap, 'content-length'),
    '/at-cap-chunked': bigBody(cap, 'chunked')
  })
  const c = client(t, fake.url, 1000, cap)
  for (const path of ['/declared', '/chunked', '/chunked-just-over']) {
    const { code } = await failure(() => c.get(path))
    t.equal(code, 'RELIABILITY_ERR_BODY_TOO_LARGE', `${path}: over the cap`)
  }
  for (const path of ['/at-cap-declared', '/at-cap-chunked']) {
    const res = await c.get(path)
    t.equal(res.body.length, cap, `${path}: exactly the cap is read`)
  }
})

t.test('redirects are not followed', async (t) => {
  captureCrashes(t) // should issue 5 come back, the other cases still run
  for (const status of [301, 302, 303, 307, 308]) {
    const other = await app(t, { '/health': json({ status: 'pass' }) })
    const fake = await app(t, { '/health': redirect(status, `${other.url}/health`) })
    const { code } = await failure(() => client(t, fake.url).get('/health'))
    t.equal(code, 'RELIABILITY_ERR_UPSTREAM_REDIRECT', `${status}: code`)
    // Long enough for a followed redirect to have landed (it would take a millisecond or two).
    await new Promise((resolve) => setTimeout(resolve, 50))
    t.equal(other.requests.length, 0, `${status}: the other host never received a request`)
    t.equal(other.connections(), 0, `${status}: nor a connection`)
  }
})

t.test('credentials in the target: sent as Basic auth, never in an error', async (t) => {
  captureCrashes(t) // should issue 5 come back, the other cases still run
  const user = 'us@er'
  const pass = 'p:ss w0rd'
  const fake = await app(t, {
    '/health': json({ status: 'pass' }),
    '/hang': hang,
    '/big': bigBody(2048, 'chunked'),
    '/reset': resetMidBody(),
    '/redirect': redirect(302, 'http://127.0.0.1:1/elsewhere')
  })
  const target = `http://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${fake.port}`
  const c = client(t, target, 200, 1024)
  await c.get('/health')
  t.equal(fake.requests[0].headers.authorization, `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`)

  const port = await closedPort()
  const refused = client(t, `http://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`, 200, 1024)
  const errors = [
    await failure(() => c.get('/hang')),
    await failure(() => c.get('/big')),
    await failure(() => c.get('/reset')),
    await failure(() => c.get('/redirect')),
    await failure(() => refused.get('/health'))
  ]
  t.same(errors.map((e) => e.code), [
    'RELIABILITY_ERR_UPSTREAM_TIMEOUT',
    'RELIABILITY_ERR_BODY_TOO_LARGE',
    'RELIABILITY_ERR_UPSTREAM_UNREACHABLE',
    'RELIABILITY_ERR_UPSTREAM_REDIRECT',
    'RELIABILITY_ERR_UPSTREAM_UNREACHABLE'
  ])
  const secrets = [user, pass, encodeURIComponent(user), encodeURIComponent(pass), 'us%40er', 'w0rd']
  for (const { err, code } of errors) {
    const cause = (err as { cause?: unknown }).cause
    const texts = [err.message, err.stack ?? '', cause instanceof Error ? cause.message : String(cause ?? '')]
    for (const text of texts) {
      for (const secret of secrets) t.notOk(text.includes(secret), `${code}: no "${secret}" in "${text.split('\n')[0]}"`)
    }
  }
})

const tick = () => new Promise((resolve) => setTimeout(resolve, 10))

t.test('keep-alive: sequential requests share one socket', async (t) => {
  const fake = await app(t, { '/health': json({ status: 'pass' }), '/metrics': answer(200, '# EOF\n', 'text/plain') })
  const c = client(t, fake.url)
  // Polls are an interval apart. (Back to back, undici's Pool may open a second socket before it
  // sees the first one free again: the next case bounds that.)
  await c.get('/health')
  await tick()
  await c.get('/metrics')
  await tick()
  await c.get('/health')
  t.equal(fake.requests.length, 3)
  t.equal(fake.connections(), 1, 'one TCP connection for three requests')
})

t.test('keep-alive: back-to-back requests never need more sockets than the pool holds', async (t) => {
  const fake = await app(t, { '/metrics': answer(200, '# EOF\n', 'text/plain') })
  const c = client(t, fake.url)
  for (let i = 0; i < 20; i++) await c.get('/metrics')
  t.equal(fake.requests.length, 20)
  t.ok(fake.connections() <= 3, `${fake.connections()} connections for 20 requests`)
})

t.test('a 500 answer keeps the socket too', async (t) => {
  const fake = await app(t, { '/metrics': answer(500, 'boom', 'text/plain') })
  const c = client(t, fake.url)
  await c.get('/metrics')
  await tick()
  await c.get('/metrics')
  t.equal(fake.connections(), 1)
})

t.test('a base path in the target prefixes every path', async (t) => {
  const fake = await app(t, { '/app/health': json({ status: 'pass' }), '/health': json({ status: 'wrong one' }) })
  for (const target of [`${fake.url}/app`, `${fake.url}/app/`]) {
    const res = await client(t, target).get('/health')
    t.same(JSON.parse(res.body), { status: 'pass' }, target)
  }
  t.same(fake.requests.map((r) => r.path), ['/app/health', '/app/health'])
})

t.test('a parent signal aborts the request early', async (t) => {
  const fake = await app(t, { '/health': hang })
  // A deadline no busy machine reaches: the parent's abort must be what ends the request.
  const c = client(t, fake.url, 60_000)
  const parent = new AbortController()
  const failed = failure(() => c.get('/health', parent.signal))
  // Aborted once the request is in flight (the app has it), not after a guessed delay.
  await waitFor('the request at the app', () => fake.hits('/health') === 1 ? true : undefined)
  parent.abort()
  const { code } = await failed
  t.ok(code !== undefined && code.startsWith('RELIABILITY_ERR_UPSTREAM_'), `coded: ${code}`)
  t.not(code, 'RELIABILITY_ERR_UPSTREAM_TIMEOUT', 'ended by the parent, not by its deadline')
})

t.test('close() resolves, with an idle keep-alive socket open', async (t) => {
  const fake = await app(t, { '/health': json({ status: 'pass' }) })
  const c = createUpstreamClient({ target: fake.url, timeoutMs: 500, maxBodyBytes: 1024 })
  await c.get('/health')
  // Resolving at all is the point: a close() waiting on the idle socket would hang (the hang guard
  // of this file's timeout catches that), however busy the machine.
  await c.close()
  t.pass('closed with the idle keep-alive socket open')
  const { code } = await failure(() => c.get('/health'))
  t.equal(code, 'RELIABILITY_ERR_UPSTREAM_UNREACHABLE', 'a closed client refuses further requests with a coded error')
})

// Issue 9: the metrics endpoint is asked for what Prometheus 3 asks for (scrape.acceptHeader with
// the default scrape_protocols, prometheus/prometheus d15adb9), UTF-8 names unescaped; the JSON
// endpoints for JSON. A MicroProfile Metrics app answers JSON on /metrics to an Accept that puts
// JSON first, so one header for all endpoints cannot serve both.
t.test('issue 9: one Accept per endpoint; the metrics one asks for OpenMetrics and text with allow-utf-8', async (t) => {
  const fake = await app(t, { '/health': json({ status: 'pass' }), '/metrics': answer(200, 'up 1\n', 'text/plain') })
  const c = client(t, fake.url)
  await c.get('/health')
  await c.get('/metrics', undefined, EXPOSITION_ACCEPT)
  await c.get('/health', undefined, JSON_ACCEPT)
  t.same(fake.requests.map((r) => [r.path, r.headers.accept]), [
    ['/health', JSON_ACCEPT],
    ['/metrics', EXPOSITION_ACCEPT],
    ['/health', JSON_ACCEPT]
  ], 'JSON unless asked otherwise; each request its own header')
  t.equal(JSON_ACCEPT.split(',')[0].trim(), 'application/json', 'JSON endpoints ask for JSON first')
  const ranges = EXPOSITION_ACCEPT.split(',').map((r) => r.split(';').map((p) => p.trim()))
  t.same(ranges.map((r) => r[0]), ['application/openmetrics-text', 'application/openmetrics-text', 'text/plain', 'text/plain', '*/*'],
    'OpenMetrics, then the text format, then anything, as Prometheus orders them')
  t.same(ranges.filter((r) => r.includes('version=1.0.0')).map((r) => r.includes('escaping=allow-utf-8')), [true, true],
    'the formats that can carry UTF-8 names ask for them unescaped')
  t.ok(ranges[3].includes('version=0.0.4'), 'text 0.0.4 is asked for')
  t.notOk(EXPOSITION_ACCEPT.includes('json'), 'never JSON from the metrics endpoint')
})

t.test('issue 9: an app that negotiates as Go\'s client does answers UTF-8 names only when asked, and they parse', async (t) => {
  // The negotiation of prometheus/common expfmt.NegotiateAccept, reduced to what matters here: the
  // escaping asked for anywhere in the header applies; no allow-utf-8, and names are underscored.
  const metrics: Handler = (req, res) => {
    const utf8 = /escaping=allow-utf-8/.test(req.headers.accept ?? '')
    const om = /application\/openmetrics-text/.test(req.headers.accept ?? '')
    const body = utf8
      ? '# TYPE "http.server.requests" counter\n{"http.server.requests_total","http.method"="GET"} 3\n'
      : '# TYPE http_server_requests counter\nhttp_server_requests_total{http_method="GET"} 3\n'
    const escaping = `escaping=${utf8 ? 'allow-utf-8' : 'underscores'}`
    res.writeHead(200, { 'content-type': om ? `application/openmetrics-text; version=1.0.0; charset=utf-8; ${escaping}` : `text/plain; version=0.0.4; charset=utf-8; ${escaping}` })
    res.end(om ? body + '# EOF\n' : body)
  }
  const fake = await app(t, { '/metrics': metrics })
  const c = client(t, fake.url)
  const asked = await c.get('/metrics', undefined, EXPOSITION_ACCEPT)
  t.match(asked.contentType, /^application\/openmetrics-text;/, 'OpenMetrics chosen')
  const e = parseExposition(asked.lines)
  t.equal(e.value('http.server.requests_total', { 'http.method': 'GET' }), 3, 'the UTF-8 name, read')
  const unasked = await c.get('/metrics')
  t.equal(parseExposition(unasked.lines).value('http.server.requests_total', { 'http.method': 'GET' }), undefined,
    'without the Accept, the name is not the app\'s')
})
