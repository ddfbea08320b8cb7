// Issue 5, fault matrix (sidecar): every upstream fault against every polled endpoint (health,
// metrics, websocket admin). Each cell is a sidecar watching a fake app whose one endpoint is faulty
// from the first poll, the others answering well; a row's three cells run side by side. (One sidecar
// per row would need three intervals per cell for the faulty section to pass from stale to error.)
// For each cell: the report is 200 at once, only that endpoint's section is affected and says why in
// words, /health answers from state, nothing crashes; after drain(), no timer or socket is left.
// Each failed poll is also counted in the sidecar's own /metrics by its reason. Then two faults
// that come later: after good polls (stale, then error), and the whole app holding every poll.
// TLS to a plain port is not in the table: the sidecar speaks plain HTTP to its target.
import t from 'tap'
import type { Test } from 'tap'
import {
  allGood,
  answer,
  bigBody,
  closedPort,
  hang,
  ietfPass,
  noCrash,
  redirect,
  resetMidBody,
  silentAfterHeaders,
  startFakeApp,
  startHarness as harness,
  trickle,
  websocketAdmin,
  REPORT,
  TIMEOUT,
  type Handler,
  type Harness
} from '../helpers/fake-app.js'
import { waitFor } from '../helpers/wait-for.js'
import type { ReliabilityReport } from '../../schemas/report.js'
import { handlesBeyond, openHandles } from '../helpers/open-handles.js'

const endpoints = ['health', 'metrics', 'websocket'] as const
type Endpoint = typeof endpoints[number]
const paths: Record<Endpoint, string> = { health: '/health', metrics: '/metrics', websocket: '/admin/websocket' }
// A cap the good answers stay under (the app's metrics are ~2 KiB) and the big ones break.
const CAP = 4096
const RSS = 64_000_000 // the fake app's process_resident_memory_bytes

/**
 * How the faulty endpoint shows in the report:
 * - `error`: `sources[endpoint]` is error, saying why (transport, timeout, caps, an unreadable body),
 *   and the poll counted in `reliability_poll_failures_total` under `reason`;
 * - `says-down`: health only: any answer is data, a non-2xx is the app saying down (SPEC §8): the
 *   source is ok and the app's own service is not, saying why;
 * - `reads-ok`: health only: a 2xx in no known format is read by its bare HTTP status (SPEC §6).
 */
type Reading = { kind: 'error', why: RegExp, reason: string } | { kind: 'says-down', why: RegExp } | { kind: 'reads-ok', output?: RegExp }

interface Fault {
  readonly name: string
  readonly handler: (endpoint: Endpoint) => Handler
  readonly reading: (endpoint: Endpoint) => Reading
  /** The whole target fails (nothing listens): every endpoint at once, by nature. */
  readonly whole?: boolean
  /** Endpoints whose path the row leaves to discovery (issue 9): a found path's fault is a fault too. */
  readonly discovered?: readonly Endpoint[]
}

// Where the redirects point: another origin, which must never be asked anything.
const other = await startFakeApp({ '/health': ietfPass, '/admin/websocket': websocketAdmin, '/metrics': answer(200, '', 'text/plain') })
t.teardown(() => other.close())

const htmlPage = '<!DOCTYPE html>\n<html><head><title>Not Found</title></head><body><h1>Oops</h1><p>Try the home page.</p></body></html>\n'
const err = (why: RegExp, reason: string) => (): Reading => ({ kind: 'error', why, reason })
const timedOut = err(new RegExp(`did not complete within ${TIMEOUT} ms`), 'upstream_timeout')
const status = (code: number) => (e: Endpoint): Reading =>
  e === 'health' ? { kind: 'says-down', why: new RegExp(`HTTP ${code}`) } : { kind: 'error', why: new RegExp(`answered HTTP ${code}`), reason: 'upstream_status' }
/** An unreadable 2xx body: the exposition or the JSON. */
const unreadable = (e: Endpoint): Reading => e === 'metrics'
  ? { kind: 'error', why: /metrics exposition line 1/, reason: 'metrics_parse' }
  : { kind: 'error', why: /not valid JSON/, reason: 'invalid_body' }

const faults: Fault[] = [
  {
    name: 'connection refused',
    handler: () => hang,
    reading: err(/failed: ECONNREFUSED/, 'upstream_unreachable'),
    whole: true
  },
  { name: 'no answer at all', handler: () => hang, reading: timedOut, discovered: ['health', 'metrics'] },
  {
    // Refused for one endpoint only: the socket is closed on the request, before any answer.
    name: 'connection dropped before any answer',
    handler: () => (req) => { req.socket.destroy() },
    reading: err(/failed: UND_ERR_SOCKET/, 'upstream_unreachable')
  },
  { name: 'reset mid-body', handler: () => resetMidBody(), reading: err(/failed: UND_ERR_SOCKET/, 'upstream_unreachable'), discovered: ['metrics'] },
  { name: 'headers, then silence', handler: () => silentAfterHeaders('{'), reading: timedOut },
  { name: '1 byte every 30 ms', handler: () => trickle(30), reading: timedOut, discovered: ['websocket'] },
  { name: 'HTTP 500', handler: () => answer(500, 'oops', 'text/plain'), reading: status(500), discovered: ['metrics'] },
  { name: 'HTTP 503', handler: () => answer(503, '{"status":"fail"}', 'application/health+json'), reading: status(503) },
  { name: 'HTTP 404', handler: () => answer(404, 'not found', 'text/plain'), reading: status(404) },
  {
    name: 'invalid JSON / invalid exposition',
    handler: (e) => e === 'metrics'
      ? answer(200, 'http_requests_total{method="GET" 12\n', 'text/plain; version=0.0.4')
      : answer(200, '{"status": "pass", "checks": {', 'application/json'),
    reading: (e) => e === 'health' ? { kind: 'reads-ok', output: /body was not valid JSON/ } : unreadable(e),
    discovered: ['metrics']
  },
  {
    // An SPA fallback or a proxy's page: 200, text/html, whatever was asked.
    name: 'wrong content type (an HTML page)',
    handler: () => answer(200, htmlPage, 'text/html; charset=utf-8'),
    reading: (e) => e === 'health' ? { kind: 'reads-ok' } : unreadable(e)
  },
  { name: 'declared body over the cap', handler: () => bigBody(4 * CAP, 'content-length'), reading: err(new RegExp(`over the ${CAP} byte cap`), 'body_too_large'), discovered: ['metrics'] },
  { name: 'chunked body over the cap', handler: () => bigBody(4 * CAP, 'chunked'), reading: err(new RegExp(`over the ${CAP} byte cap`), 'body_too_large'), discovered: ['metrics'] },
  {
    name: 'redirect to another host',
    handler: (e) => redirect(302, `http://localhost:${other.port}${paths[e]}`),
    reading: err(/answered a redirect \(HTTP 302\), which is not followed/, 'upstream_redirect')
  },
  // To the same host: not followed either.
  { name: 'redirect to a login page', handler: () => redirect(301, '/login'), reading: err(/answered a redirect \(HTTP 301\)/, 'upstream_redirect') }
]

const serviceStatuses = (r: ReliabilityReport) => r.services.map((s) => s.status)

/** Whether the report shows the fault on `e` yet, for its reason (the first poll has to finish first). */
function shows (r: ReliabilityReport, e: Endpoint, reading: Reading): boolean {
  if (reading.kind === 'error') return r.sources[e]?.status === 'error' && reading.why.test(r.sources[e].error ?? '')
  if (r.sources.health?.status !== 'ok') return false
  return reading.kind === 'says-down' ? reading.why.test(r.services[0]?.error ?? '') : r.services[0]?.status === 'ok'
}

/** The cell's assertions on a report that shows the fault on `e`. */
function checkReport (t: Test, r: ReliabilityReport, e: Endpoint, reading: Reading, whole: boolean): void {
  const target = r.services[0]
  if (reading.kind === 'error') {
    const entry = r.sources[e]
    t.equal(entry.status, 'error', `${e}: sources.${e} is error`)
    t.ok(typeof entry.error === 'string' && /[a-z]{3}/i.test(entry.error), `${e}: in words: ${entry.error}`)
    t.match(entry.error, reading.why, `${e}: the reason`)
    t.ok(r.notes.some((n) => n.startsWith(`${e}:`)), `${e}: a note says it`)
  }
  if (e === 'health') {
    if (reading.kind === 'reads-ok') {
      t.same([target.status, target.critical], ['ok', true], 'health: the app is read as up by its HTTP status')
      t.equal((target.details as Record<string, unknown>).format, 'http', 'health: read as a bare HTTP status')
      if (reading.output) t.match((target.details as Record<string, unknown>).output, reading.output, 'health: what was wrong with the body is said')
    } else {
      // Starting (degraded) until failureThreshold polls have failed, then down: never up.
      t.match(target.status, /^(degraded|down)$/, `health: the app is ${target.status}`)
      t.ok(target.critical, 'health: the app is the critical service')
      t.match(target.error, reading.why, `health: the app's service says why: ${target.error}`)
      t.equal(target.status === 'down' ? 'down' : 'degraded', r.overall_status === 'down' ? 'down' : 'degraded', 'health: the report is as down as the app')
      if (reading.kind === 'error') t.match(target.error, target.status === 'down' ? /^down: \d+ polls failed in a row \(down after 3\)/ : /^starting/, 'health: starting, then down after 3')
    }
  }
  if (whole) return
  // Only that endpoint's sections are affected.
  const others = endpoints.filter((o) => o !== e)
  t.same(others.filter((o) => r.sources[o]?.status !== 'ok'), [], `${e}: every other source ok`)
  if (e === 'metrics') {
    t.same([r.infrastructure.memory.rss_bytes, r.performance.request_latency_ms.p95, r.cache.hits, r.metrics.series_count], [null, null, null, null], 'metrics: its figures null')
  } else {
    t.equal(r.infrastructure.memory.rss_bytes, RSS, `${e}: metrics figures untouched`)
    t.ok((r.metrics.series_count ?? 0) > 0, `${e}: metrics series counted`)
  }
  if (e === 'websocket') t.same(r.websocket, { active_connections: null, last_broadcast_ts: null, connection_rate: null }, 'websocket: its figures null')
  else t.equal(r.websocket.active_connections, 7, `${e}: websocket figures untouched`)
  if (e !== 'health') t.same(serviceStatuses(r), ['ok', 'ok'], `${e}: health untouched`)
  if (reading.kind === 'reads-ok') t.equal(r.overall_status, 'ok', `${e}: nothing failed, the report is ok`)
  else if (e === 'health') t.match(r.overall_status, /^(degraded|down)$/, `${e}: ${r.overall_status}`)
  else t.equal(r.overall_status, 'degraded', `${e}: a failing source degrades, no more`)
}

/** A failed poll is counted by its reason; health down only after three of them (failureThreshold). */
async function checkCounted (t: Test, h: Harness, r: ReliabilityReport, e: Endpoint, reading: Reading): Promise<void> {
  if (reading.kind !== 'error') return
  const sample = `reliability_poll_failures_total{endpoint="${e}",reason="${reading.reason}"}`
  t.ok(await waitFor(`${e}: the failure counted by reason`, async () => ((await h.ownMetric(sample)) ?? 0) >= 1 ? true : undefined), sample)
  if (e === 'health' && r.services[0].status === 'down') {
    t.ok(await h.ownMetricSum('reliability_poll_failures_total{endpoint="health",') >= 3, 'health: down after 3 failed polls, not before')
  }
}

/**
 * The report route answers 200, /health answers from state as the report says, /livez says the
 * sidecar itself is alive. That /health never waits on the app is asserted by order of events
 * below ("while the whole app hangs"), not by timing it here: a busy machine makes it slow, not
 * wrong (issue 10).
 */
async function checkRoutes (t: Test, h: Harness, e: string): Promise<void> {
  const res = await h.sidecar.app.inject({ method: 'GET', url: REPORT })
  t.equal(res.statusCode, 200, `${e}: the report answers 200`)
  for (let i = 0; i < 5; i++) {
    const [health, now] = await Promise.all([h.get('/health'), h.report()])
    const expected = now.overall_status === 'down' ? [503, 'fail'] : now.overall_status === 'degraded' ? [200, 'warn'] : [200, 'pass']
    t.same([health.statusCode, JSON.parse(health.body).status], expected, `${e}: /health says ${expected.join(' ')} as the report (${now.overall_status})`)
  }
  t.equal((await h.get('/livez')).statusCode, 200, `${e}: the sidecar itself is alive`)
}

/**
 * A sidecar watching a fake app, warmed before it polls: the report route's first request costs
 * one-time work (~150 ms on a loaded machine) that would otherwise hold the loop while the first
 * polls run, and turn a refused connection into a timeout.
 */
async function start (t: Test, opts: Parameters<typeof harness>[1], discovered: readonly Endpoint[] = []): Promise<Harness> {
  // The paths set (but those the row leaves to discovery), as configured names win: discovered, a
  // 404, a redirect or an HTML page is "not offered" instead of a fault (issue 9;
  // test/sidecar/create-sidecar-discovery.test.ts).
  const set = endpoints.filter((e) => !discovered.includes(e)).flatMap((e) => [`--${e}-path`, paths[e]])
  const argv = [...(opts?.argv ?? []), ...set]
  const h = await harness(t, { ...opts, argv, start: false })
  await h.get(REPORT)
  await h.sidecar.start()
  return h
}

for (const fault of faults) {
  t.test(`fault: ${fault.name}`, async (t) => {
    const baseline = openHandles()
    const argv = ['--max-body-bytes', String(CAP)]
    const harnesses: Harness[] = []

    if (fault.whole) {
      const port = await closedPort()
      const h = await start(t, { argv, target: () => `http://127.0.0.1:${port}` })
      harnesses.push(h)
      const r = await h.waitReport('every endpoint in error', (r) => endpoints.every((e) => shows(r, e, fault.reading(e))))
      t.same(Object.keys(r.sources).sort(), [...endpoints].sort(), 'the matrix has a column for every source the sidecar polls')
      for (const e of endpoints) {
        checkReport(t, r, e, fault.reading(e), true)
        await checkCounted(t, h, r, e, fault.reading(e))
      }
      t.same([r.infrastructure.memory.rss_bytes, r.websocket.active_connections], [null, null], 'no figures from an app nobody answers for')
      await checkRoutes(t, h, 'all')
      noCrash(t, h)
    } else {
      await Promise.all(endpoints.map(async (e) => {
        const reading = fault.reading(e)
        const h = await start(t, { argv, routes: { [paths[e]]: fault.handler(e) } }, fault.discovered?.includes(e) ? [e] : [])
        harnesses.push(h)
        const others = endpoints.filter((o) => o !== e)
        const r = await h.waitReport(`${e}: ${fault.name}`, (r) => shows(r, e, reading) && others.every((o) => r.sources[o]?.status === 'ok'))
        checkReport(t, r, e, reading, false)
        await checkCounted(t, h, r, e, reading)
        await checkRoutes(t, h, e)
        noCrash(t, h)
      }))
    }

    t.equal(other.requests.length, 0, 'the other host never got a request')
    for (const h of harnesses) {
      await h.sidecar.drain()
      await h.fake.close()
    }
    // Sockets finish closing on later turns of the loop: wait for the baseline (a leak never gets
    // there, and fails below once the hang guard ends the wait), rather than a guessed 20 ms.
    await waitFor('handles back to the baseline', () => handlesBeyond(baseline).length === 0 ? true : undefined).catch(() => {})
    t.same(handlesBeyond(baseline), [], 'no timer or socket left after drain()')
    for (const h of harnesses) noCrash(t, h)
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
