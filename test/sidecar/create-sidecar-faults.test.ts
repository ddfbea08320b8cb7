// Every upstream fault degrades only its own section, keeps /health answering from state, and
// crashes nothing (SPEC §6; issue 3 "What must show that it works").
import t from 'tap'
import {
  allGood,
  answer,
  bigBody,
  hang,
  noCrash,
  redirect,
  resetMidBody,
  startHarness as harness,
  trickle,
  waitFor,
  type Handler
} from '../helpers/fake-app.js'

// Each fault on one endpoint, from the first poll: that section errors (with a reason), the others
// are untouched, /health answers from state at once, nothing crashes.

interface Fault {
  name: string
  endpoint: 'health' | 'metrics' | 'websocket'
  handler: Handler
  reason: string
  argv?: string[]
}
const paths = { health: '/health', metrics: '/metrics', websocket: '/admin/websocket' } as const
const faults: Fault[] = [
  { name: 'hang on /metrics', endpoint: 'metrics', handler: hang, reason: 'upstream_timeout' },
  { name: 'hang on /health', endpoint: 'health', handler: hang, reason: 'upstream_timeout' },
  { name: 'slow body on /admin/websocket', endpoint: 'websocket', handler: trickle(30, 'application/json'), reason: 'upstream_timeout' },
  { name: 'reset mid-body on /metrics', endpoint: 'metrics', handler: resetMidBody(), reason: 'upstream_unreachable' },
  { name: '500 on /metrics', endpoint: 'metrics', handler: answer(500, 'oops', 'text/plain'), reason: 'upstream_status' },
  // Set explicitly: discovered, a websocket admin that is no JSON object, or a redirect, is "not
  // offered" (create-sidecar-discovery.test.ts); a configured path's fault is an error (issue 9).
  { name: 'invalid JSON on /admin/websocket', endpoint: 'websocket', handler: answer(200, '{"active_connections": 3,'), reason: 'invalid_body', argv: ['--websocket-path', '/admin/websocket'] },
  { name: 'metrics that do not parse', endpoint: 'metrics', handler: answer(200, 'this is { not an exposition\n', 'text/plain'), reason: 'metrics_parse' },
  { name: 'chunked body over the cap on /metrics', endpoint: 'metrics', handler: bigBody(4096, 'chunked'), reason: 'body_too_large', argv: ['--max-body-bytes', '1024'] },
  // The next three are refused before their body is read: the crash of issue 5.
  { name: 'declared body over the cap on /metrics', endpoint: 'metrics', handler: bigBody(4096, 'content-length'), reason: 'body_too_large', argv: ['--max-body-bytes', '1024'] },
  { name: 'a redirect on /admin/websocket', endpoint: 'websocket', handler: redirect(302, '/login'), reason: 'upstream_redirect', argv: ['--websocket-path', '/admin/websocket'] },
  { name: 'a redirect on /health', endpoint: 'health', handler: redirect(301, '/login'), reason: 'upstream_redirect', argv: ['--health-path', '/health'] }
]

for (const f of faults) {
  t.test(`fault: ${f.name}`, async (t) => {
    const h = await harness(t, { routes: { [paths[f.endpoint]]: f.handler }, ...(f.argv ? { argv: f.argv } : {}) })
    const others = (['health', 'metrics', 'websocket'] as const).filter((e) => e !== f.endpoint)
    const r = await h.waitReport(`${f.endpoint} in error, the others ok`, (r) =>
      r.sources[f.endpoint]?.status === 'error' && others.every((e) => r.sources[e]?.status === 'ok'))
    const failed = r.sources[f.endpoint]
    t.ok(typeof failed.error === 'string' && failed.error.length > 0, `an error in words: ${failed.error}`)
    t.ok(r.notes.some((n) => n.startsWith(`${f.endpoint}:`)), 'a note says it')
    if (f.endpoint === 'health') {
      // The app's own health unread: starting (degraded) for two polls, down from the third.
      const failures = await h.ownMetricSum('reliability_poll_failures_total{endpoint="health",')
      t.ok(r.overall_status === 'degraded' || (r.overall_status === 'down' && failures >= 3), `${r.overall_status} after ${failures} failed polls`)
      t.match(r.services[0].error, r.overall_status === 'down' ? /^down: \d+ polls failed in a row \(down after 3\)/ : /^starting/)
      t.equal(r.services[0].status, r.overall_status === 'down' ? 'down' : 'degraded')
    } else {
      t.equal(r.overall_status, 'degraded', 'a failing source degrades, no more')
    }
    t.ok(await waitFor('the failure counted by reason', async () =>
      (await h.ownMetric(`reliability_poll_failures_total{endpoint="${f.endpoint}",reason="${f.reason}"}`) ?? 0) >= 1 ? true : undefined, 2000),
    `reliability_poll_failures_total{endpoint="${f.endpoint}",reason="${f.reason}"}`)

    // Its own section only.
    if (f.endpoint === 'metrics') {
      t.equal(r.infrastructure.memory.rss_bytes, null, 'metrics figures null')
      t.equal(r.performance.request_latency_ms.p95, null)
    } else {
      t.equal(r.infrastructure.memory.rss_bytes, 64_000_000, 'metrics figures still there')
    }
    if (f.endpoint === 'websocket') t.same(r.websocket, { active_connections: null, last_broadcast_ts: null, connection_rate: null })
    else t.equal(r.websocket.active_connections, 7, 'websocket figures still there')
    if (f.endpoint !== 'health') t.same(r.services.map((s) => s.status), ['ok', 'ok'], 'health untouched')

    // /health answers from state whatever the app does: pass/warn/fail as the report says. That it
    // never waits on the app is shown by order below ("while the whole app hangs"), not in ms here.
    for (let i = 0; i < 5; i++) {
      const [res, now] = await Promise.all([h.get('/health'), h.report()])
      const expected = now.overall_status === 'down' ? [503, 'fail'] : [200, 'warn']
      t.same([res.statusCode, JSON.parse(res.body).status], expected, `${now.overall_status}: ${expected.join(' ')}`)
    }
    t.equal((await h.get('/livez')).statusCode, 200, 'the sidecar itself is alive')
    noCrash(t, h)
  })
}

t.test('a fault after good polls: stale first (the last good data shown), then error', async (t) => {
  const h = await harness(t)
  await h.waitReport('every source ok', allGood)
  h.fake.route('/admin/websocket', hang)
  const seen = new Set<string>()
  const r = await h.waitReport('websocket in error', (r) => {
    seen.add(r.sources.websocket.status)
    if (r.sources.websocket.status === 'stale') {
      t.equal(r.websocket.active_connections, 7, 'stale shows the last good value')
      t.ok((r.sources.websocket.age_ms ?? -1) >= 0, 'with its age')
    }
    return r.sources.websocket.status === 'error'
  })
  t.ok(seen.has('stale'), 'went through stale')
  t.equal(r.websocket.active_connections, null, 'past three intervals the old value is gone')
  t.equal(r.sources.health.status, 'ok')
  t.equal(r.sources.metrics.status, 'ok')
  noCrash(t, h)
})

t.test('while the whole app hangs, /health answers from state, before the hung polls end', async (t) => {
  // Polls with a deadline no busy machine reaches between two probes: /health answering while a
  // poll is still held open at the app is the order of events that shows it never waits on one.
  const h = await harness(t, { argv: ['--interval-ms', '3000', '--timeout-ms', '2900'] })
  await h.waitReport('every source ok', allGood)
  const held = new Set<object>()
  const holding: Handler = (req, res) => {
    held.add(req)
    res.on('close', () => held.delete(req))
  }
  for (const path of Object.values(paths)) h.fake.route(path, holding)
  await waitFor('a poll held by the app', () => held.size > 0 ? true : undefined)
  const codes = new Set<number>()
  for (let i = 0; i < 10; i++) {
    const polls = [...held]
    const res = await h.get('/health')
    codes.add(res.statusCode)
    t.ok(polls.some((p) => held.has(p)), `probe ${i}: answered while a poll it could have waited on was still held`)
  }
  t.same([...codes].filter((c) => c !== 200 && c !== 503), [], 'every probe answered 200 or 503')
  t.ok(codes.has(200), 'still 200 (warn) while below the failure threshold')
  noCrash(t, h)
})
