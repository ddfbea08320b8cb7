// The sidecar end to end: a real app next door (node:http on 127.0.0.1:0, prom-client metrics),
// the sidecar polling it every 200 ms with a 100 ms deadline, and its routes read through inject.
// Upstream faults, one section at a time, are in test/faults/sidecar-faults.test.ts.
import t from 'tap'
import {
  INTERVAL,
  REPORT,
  allGood,
  answer,
  closedPort,
  ietfPass,
  json,
  noCrash,
  startHarness as harness,
  type Handler
} from '../helpers/fake-app.js'
import { waitFor } from '../helpers/wait-for.js'

t.test('all good: every section filled from the app, ok, /health pass', async (t) => {
  const h = await harness(t)
  const r = await h.waitReport('two scrapes and every source ok', (r) => allGood(r) && r.performance.cpu_percent !== null)
  t.equal(r.overall_status, 'ok')
  t.same(r.services.map((s) => [s.name, s.status, s.critical]), [['app', 'ok', true], ['app:db:responseTime', 'ok', false]])
  t.equal(r.websocket.active_connections, 7)
  t.equal(r.websocket.last_broadcast_ts, '2026-01-01T00:00:00.000Z')
  t.equal(r.infrastructure.memory.rss_bytes, 64_000_000)
  t.ok(r.performance.request_latency_ms.count !== null && r.performance.request_latency_ms.count > 0, 'requests counted')
  t.equal(r.performance.error_rate, 0.5, 'one of the two requests per scrape answered 500')
  t.equal(r.cache.hit_rate, 0.75)
  const health = await h.get('/health')
  t.equal(health.statusCode, 200)
  t.same(JSON.parse(health.body), { status: 'pass' })
  t.match(health.headers['content-type'], /^application\/health\+json/)
  t.equal(await h.ownMetric('reliability_target_up'), 1)
  t.equal(await h.ownMetric('reliability_overall_status{status="ok"}'), 1)
  t.equal(await h.ownMetric('reliability_overall_status{status="down"}'), 0)
  t.equal((await h.get('/livez')).statusCode, 200)
  noCrash(t, h)
})

t.test('the app unreachable: starting (degraded) for 2 polls, down from the 3rd', async (t) => {
  const port = await closedPort()
  const h = await harness(t, { target: () => `http://127.0.0.1:${port}` })
  const observed: Array<{ status: string, error?: string, polls: number }> = []
  await waitFor('down', async () => {
    const r = await h.report()
    // Any reason: on a cold start the first refused connect can come after the 100 ms deadline.
    const polls = await h.ownMetricSum('reliability_poll_failures_total{endpoint="health",')
    observed.push({ status: r.overall_status, error: r.services[0].error, polls })
    return r.overall_status === 'down' ? r : undefined
  })
  for (const o of observed) {
    if (o.status === 'down') t.ok(o.polls >= 3, `down after ${o.polls} failed polls`)
  }
  const before = observed.filter((o) => o.status !== 'down')
  t.ok(before.length > 0, 'seen before down')
  t.ok(before.every((o) => o.status === 'degraded' && /^starting/.test(o.error ?? '')), 'before that: degraded, starting')
  const health = await h.get('/health')
  t.equal(health.statusCode, 503)
  t.same(JSON.parse(health.body), { status: 'fail' })
  t.equal(await h.ownMetric('reliability_overall_status{status="down"}'), 1)
  t.equal(await h.ownMetric('reliability_target_up'), 0)
  t.ok((await h.ownMetric('reliability_poll_failures_total{endpoint="health",reason="upstream_unreachable"}') ?? 0) >= 1, 'counted as unreachable')
  const r = await h.report()
  for (const name of ['health', 'metrics', 'websocket'] as const) t.equal(r.sources[name].status, 'error', `${name}: error`)
  noCrash(t, h)
})

t.test('health formats: Spring DOWN turns the report down after 3 polls, one good poll brings it back', async (t) => {
  const h = await harness(t)
  await h.waitReport('up', (r) => r.overall_status === 'ok')
  const springDown = json({ status: 'DOWN', components: { db: { status: 'DOWN', details: { error: 'connection refused' } }, diskSpace: { status: 'UP' } } }, 503)
  const atSwitch = h.fake.hits('/health')
  h.fake.route('/health', springDown)
  const observed: Array<{ status: string, polls: number }> = []
  const down = await waitFor('down', async () => {
    const r = await h.report()
    observed.push({ status: r.overall_status, polls: h.fake.hits('/health') - atSwitch })
    return r.overall_status === 'down' ? r : undefined
  })
  for (const o of observed) if (o.status === 'down') t.ok(o.polls >= 3, `down only after ${o.polls} polls answered DOWN`)
  const early = observed.filter((o) => o.polls < 3)
  t.ok(early.every((o) => o.status !== 'down'), 'not down before the third poll')
  t.ok(early.some((o) => o.status === 'degraded'), 'degraded (1 or 2 of 3) on the way')
  t.same(down.services.map((s) => [s.name, s.status, s.critical]),
    [['app', 'down', true], ['app:db', 'down', false], ['app:diskSpace', 'ok', false]], 'Spring components under their own names')
  t.equal(down.services[1].error, 'connection refused')
  t.equal(down.sources.health.status, 'ok', 'an app saying down is data, not a source error')
  let res = await h.get('/health')
  t.equal(res.statusCode, 503)
  t.same(JSON.parse(res.body), { status: 'fail' })
  t.equal(await h.ownMetric('reliability_overall_status{status="down"}'), 1)
  t.equal(await h.ownMetric('reliability_target_up'), 0)

  const atRecovery = h.fake.hits('/health')
  h.fake.route('/health', json({ status: 'UP', components: { db: { status: 'UP' } } }))
  res = await waitFor('/health 200', async () => {
    const r = await h.get('/health')
    return r.statusCode === 200 ? r : undefined
  })
  // One good poll suffices (successThreshold 1); the poll in flight at the switch may be a DOWN one.
  t.ok(h.fake.hits('/health') - atRecovery <= 2, `up after ${h.fake.hits('/health') - atRecovery} polls`)
  t.same(JSON.parse(res.body), { status: 'pass' })
  t.equal(await h.ownMetric('reliability_target_up'), 1)
  noCrash(t, h)
})

t.test('health formats: an IETF fail body and a 500 without a body are the app saying down', async (t) => {
  const cases: Array<[string, Handler, string | undefined]> = [
    ['IETF fail', json({ status: 'fail', output: 'database unreachable' }, 503, 'application/health+json'), 'database unreachable'],
    ['bare 500', answer(500, '', 'text/plain'), undefined]
  ]
  // Side by side: each waits for three polls.
  await Promise.all(cases.map(async ([name, handler, output]) => {
    const h = await harness(t, { routes: { '/health': handler }, argv: ['--metrics-path', 'off', '--websocket-path', 'off'] })
    const r = await h.waitReport(`${name}: down`, (r) => r.overall_status === 'down')
    t.equal(r.services[0].status, 'down', `${name}: the app is down`)
    if (output !== undefined) t.match(r.services[0].error, output, `${name}: the app's own words`)
    t.equal(r.sources.health.status, 'ok', `${name}: read fine`)
    t.equal((await h.get('/health')).statusCode, 503, `${name}: /health 503`)
    noCrash(t, h)
  }))
})

t.test('/readyz: 503 before the first round, 200 after it, 503 once draining', async (t) => {
  const h = await harness(t, { start: false, argv: ['--timeout-ms', '180'] })
  // The app asks /readyz itself while it holds the first round's /health poll: "not ready while
  // the first round is in flight" is then an order of events, whatever the machine's load.
  const duringFirstRound: number[] = []
  h.fake.route('/health', async (req, res) => {
    if (duringFirstRound.length === 0) duringFirstRound.push((await h.get('/readyz')).statusCode)
    await ietfPass(req, res)
  })
  t.equal((await h.get('/readyz')).statusCode, 503, 'not started')
  t.equal((await h.get('/livez')).statusCode, 200, 'alive though')
  await h.sidecar.start()
  await waitFor('the first /health poll', () => duringFirstRound.length === 1 ? true : undefined)
  t.same(duringFirstRound, [503], 'not ready while the first round is in flight')
  const ready = await waitFor('ready', async () => {
    const r = await h.get('/readyz')
    return r.statusCode === 200 ? r : undefined
  })
  t.same(JSON.parse(ready.body), { status: 'pass' })
  t.equal(ready.headers['cache-control'], 'no-store')

  const draining = h.sidecar.drain()
  const res = await h.get('/readyz')
  t.equal(res.statusCode, 503, 'readiness fails at once')
  t.same(JSON.parse(res.body), { status: 'fail' }, 'answered by /readyz itself')
  await draining
  // A request written just before the stop can still be read by the app a moment later (same
  // process, busy loop): count from a short settle on, then give two intervals for a new round.
  await new Promise((resolve) => setTimeout(resolve, 100))
  const hits = h.fake.requests.length
  await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL))
  t.equal(h.fake.requests.length, hits, 'polling stopped')
  noCrash(t, h)
})

t.test('drain lets an in-flight request finish, then closes within a grace', async (t) => {
  const h = await harness(t, { start: false })
  // A slow route of the test's own, to have a request surely in flight when the drain starts.
  // The handler holds until the test releases it, once the drain has begun: in flight for sure.
  let entered = false
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  h.sidecar.app.get('/test-slow', async () => {
    entered = true
    await released
    return { done: true }
  })
  const address = await h.sidecar.start()
  // A keep-alive client, as Prometheus and most load balancers are.
  const inFlight = fetch(`${address}/test-slow`)
  await waitFor('the request in the handler', () => entered ? true : undefined, undefined, 5)
  let drained = false
  const draining = h.sidecar.drain().then(() => { drained = true })
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(drained, 'the drain waits for the request in flight')
  release()
  const res = await inFlight
  t.equal(res.status, 200, 'finished, not cut off')
  t.same(await res.json(), { done: true })
  // Regression: the in-flight request's keep-alive connection used to hold close() until the
  // keep-alive timeout (~72 s); answers sent while draining now close their connection. The
  // keep-alive timeout is beyond the hang guard (60 s): waiting for it fails here, with a message.
  await waitFor('drain() to resolve with the keep-alive connection open', () => drained ? true : undefined).catch(() => {})
  t.ok(drained, 'drain resolved, not held by the keep-alive connection')
  if (!drained) h.sidecar.app.server.closeAllConnections()
  await draining
  noCrash(t, h)
})

t.test('own /metrics: a firing anomaly, poll durations', async (t) => {
  // A short window, so that the CPU figure falls back quickly once the load stops.
  const h = await harness(t, { argv: ['--window-ms', '600'] })
  // Two CPU seconds per scrape, scrapes ~200 ms apart: far above 85% of one core.
  h.setCpuPerScrape(2)
  const r = await h.waitReport('HIGH_CPU firing', (r) => r.anomalies.some((a) => a.code === 'HIGH_CPU'))
  t.ok((r.performance.cpu_percent ?? 0) > 85, `cpu_percent ${r.performance.cpu_percent}`)
  t.equal(r.overall_status, 'degraded')
  t.equal(await h.ownMetric('reliability_anomaly_firing{code="HIGH_CPU",severity="warning"}'), 1)
  t.equal(await h.ownMetric('reliability_overall_status{status="degraded"}'), 1)
  t.ok((await h.ownMetric('reliability_poll_duration_seconds_count{endpoint="metrics"}') ?? 0) >= 2, 'poll durations recorded')
  const res = await h.get('/metrics')
  t.match(res.headers['content-type'], /^text\/plain/)

  h.setCpuPerScrape(0)
  await h.waitReport('HIGH_CPU cleared', (r) => !r.anomalies.some((a) => a.code === 'HIGH_CPU'))
  t.equal(await h.ownMetric('reliability_anomaly_firing{code="HIGH_CPU",severity="warning"}'), undefined, 'a cleared anomaly leaves the gauge')
  noCrash(t, h)
})

t.test('the report route: token required when set; the token never shown', async (t) => {
  const token = 'tok-3f9c2a7b-very-secret'
  const h = await harness(t, { argv: ['--token', token] })
  await waitFor('first round', async () => (await h.get('/readyz')).statusCode === 200 ? true : undefined)
  const inject = (headers: Record<string, string>, remoteAddress: string) =>
    h.sidecar.app.inject({ method: 'GET', url: REPORT, headers, remoteAddress })
  const responses = []
  const cases: Array<[string, Record<string, string>, string, number, string | undefined]> = [
    ['no token, remote', {}, '10.1.2.3', 401, 'RELIABILITY_ERR_UNAUTHORIZED'],
    ['wrong token, remote', { authorization: 'Bearer nope' }, '10.1.2.3', 401, 'RELIABILITY_ERR_UNAUTHORIZED'],
    ['token as Basic, remote', { authorization: `Basic ${token}` }, '10.1.2.3', 401, 'RELIABILITY_ERR_UNAUTHORIZED'],
    ['no token, loopback (a token set means a token required)', {}, '127.0.0.1', 401, 'RELIABILITY_ERR_UNAUTHORIZED'],
    ['right token, remote', { authorization: `Bearer ${token}` }, '10.1.2.3', 200, undefined]
  ]
  for (const [name, headers, remote, status, code] of cases) {
    const res = await inject(headers, remote)
    responses.push(res)
    t.equal(res.statusCode, status, name)
    if (code !== undefined) t.equal(res.json().code, code, `${name}: code`)
  }
  for (const url of ['/health', '/livez', '/readyz', '/metrics']) responses.push(await h.sidecar.app.inject({ method: 'GET', url }))
  for (const res of responses) {
    t.notOk(res.body.includes(token), `no token in the body of ${res.statusCode}`)
    t.notOk(JSON.stringify(res.headers).includes(token), 'nor in its headers')
  }
  await h.sidecar.drain()
  t.ok(h.lines.length > 0, 'log lines captured')
  t.notOk(h.lines.some((l) => JSON.stringify(l).includes(token)), 'no log line holds the token')
  noCrash(t, h)
})

t.test('the report route without a token: loopback only', async (t) => {
  const h = await harness(t)
  const remote = await h.sidecar.app.inject({ method: 'GET', url: REPORT, remoteAddress: '10.1.2.3' })
  t.equal(remote.statusCode, 403)
  t.equal(remote.json().code, 'RELIABILITY_ERR_FORBIDDEN')
  const local = await h.sidecar.app.inject({ method: 'GET', url: REPORT, remoteAddress: '127.0.0.1' })
  t.equal(local.statusCode, 200)
  noCrash(t, h)
})

t.test('credentials in the target: sent as Basic auth, never in the report, /metrics or the log', async (t) => {
  const secret = 'hunter2-pa55word'
  const withCredentials = (url: string) => {
    const u = new URL(url)
    u.username = 'watcher'
    u.password = secret
    return u.href
  }
  const good = await harness(t, { target: (fake) => withCredentials(fake.url) })
  const r = await good.waitReport('every source ok', allGood)
  t.equal(good.fake.requests[0].headers.authorization, `Basic ${Buffer.from(`watcher:${secret}`).toString('base64')}`)
  t.notOk(JSON.stringify(r).includes(secret), 'not in a good report')

  // Every error path, with the password in the target URL.
  const port = await closedPort()
  const bad = await harness(t, { target: () => withCredentials(`http://127.0.0.1:${port}`) })
  const failing = await bad.waitReport('health in error', (r) => r.sources.health.status === 'error')
  t.notOk(JSON.stringify(failing).includes(secret), 'not in a failing report')
  t.notOk((await bad.get('/metrics')).body.includes(secret), 'not in /metrics')
  await good.sidecar.drain()
  await bad.sidecar.drain()
  t.ok(bad.lines.some((l) => l.msg === 'poll failed'), 'poll failures were logged')
  t.notOk([...good.lines, ...bad.lines].some((l) => JSON.stringify(l).includes(secret)), 'not in the log')
  noCrash(t, bad)
})

t.test('a path set to off: that source is unconfigured and never polled', async (t) => {
  const h = await harness(t, { argv: ['--websocket-path', 'off', '--metrics-path', 'off'] })
  const r = await h.waitReport('health ok', (r) => r.sources.health.status === 'ok')
  t.equal(r.sources.websocket.status, 'unconfigured')
  t.equal(r.sources.metrics.status, 'unconfigured')
  t.same(r.setup.unconfigured.filter((u) => u.path === 'websocket' || u.path === 'metrics'),
    [{ path: 'metrics', reason: 'off (--metrics-path off)' }, { path: 'websocket', reason: 'off (--websocket-path off)' }], 'setup says it once, and why')
  t.same(r.setup.detected, { health_path: '/health', metrics_path: null, websocket_path: null }, 'the paths in use: none for off')
  t.notOk(r.notes.some((n) => n.startsWith('websocket:') || n.startsWith('metrics:')), 'and no note repeats it')
  t.same(r.notes, [], 'nor a "no data" note per rule reading the metrics figures (issue 9)')
  t.ok(r.setup.idle_rules.includes('HIGH_CPU'), 'those rules are idle instead')
  t.equal(r.overall_status, 'ok', 'unconfigured is not a failure')
  await waitFor('a few rounds', () => h.fake.hits('/health') >= 3 ? true : undefined)
  t.equal(h.fake.hits('/admin/websocket'), 0)
  t.equal(h.fake.hits('/metrics'), 0)
  noCrash(t, h)
})

t.test('each endpoint is asked for its own format: the metrics poll for OpenMetrics or text with UTF-8 names (issue 9)', async (t) => {
  const h = await harness(t)
  await h.waitReport('a first round', (r) => r.sources.metrics.status === 'ok')
  const accept = (path: string) => h.fake.requests.find((r) => r.path === path)?.headers.accept ?? ''
  t.match(accept('/metrics'), /^application\/openmetrics-text;version=1\.0\.0;escaping=allow-utf-8/, 'OpenMetrics first')
  t.match(accept('/metrics'), /text\/plain;version=0\.0\.4/, 'then the text format')
  t.match(accept('/health'), /^application\/json/, 'health answers JSON')
  t.match(accept('/admin/websocket'), /^application\/json/, 'and so does the websocket admin')
})

t.test('a plain checks map answered 503: each check a service with its reason, the app "reported down", never "4 of 3" (issue 9)', async (t) => {
  const h = await harness(t, {
    routes: { '/health': json({ status: 'error', checks: { database: { status: 'unhealthy', error: 'connection refused' }, redis: 'ok' } }, 503) }
  })
  const r = await h.waitReport('down after 3 polls, and one more', (r) => r.overall_status === 'down' && /reported down [4-9] times/.test(r.services[0].error ?? ''), 10_000)
  t.match(r.services[0].error, /^down: the app reported down \d+ times in a row \(down after 3\)/)
  t.notMatch(r.services[0].error, /\d+ of \d+ polls/)
  t.same(r.services.slice(1).map((s) => [s.name, s.status, s.error ?? null]), [['app:database', 'down', 'connection refused'], ['app:redis', 'ok', null]])
  t.equal(r.sources.health.status, 'ok', 'the app answered: not a source error')
})
