// Path discovery end to end (issue 9): the sidecar with `--target` only, polling real HTTP servers
// on 127.0.0.1 that imitate apps of other ecosystems, each counting the requests per path. What a
// target offers is found; what it does not is `unconfigured`, said once in `setup`, never a
// degradation, and asked again only once per re-probe period (the app's 404 metrics stay clean).
import t from 'tap'
import {
  answer,
  appMetrics,
  json,
  noCrash,
  redirect,
  startHarness,
  type FakeApp,
  type Handler,
  type Harness,
  type HarnessOptions
} from '../helpers/fake-app.js'
import { waitFor } from '../helpers/wait-for.js'
import type { ReliabilityReport } from '../../schemas/report.js'

const HEALTH = ['/health', '/healthz', '/actuator/health', '/-/healthy', '/livez', '/status']
const htmlPage: Handler = answer(200, '<html>\n<head><title>Node Exporter</title></head>\n<body><h1>Node Exporter</h1></body>\n</html>\n', 'text/html; charset=utf-8')
const springUp = json({ status: 'UP', components: { db: { status: 'UP' }, diskSpace: { status: 'UP' } } }, 200, 'application/vnd.spring-boot.actuator.v3+json')
const prometheusHealthy = answer(200, 'Prometheus Server is Healthy.\n', 'text/plain; charset=utf-8')

/** A sidecar watching an app that serves `routes` only (and `fallback` elsewhere, else 404). */
async function watch (t: Parameters<typeof startHarness>[0], routes: (metrics: Handler) => Record<string, Handler>, opts: Omit<HarnessOptions, 'routes' | 'only'> = {}) {
  const { metrics } = appMetrics()
  return await startHarness(t, { ...opts, routes: routes(metrics), only: true })
}

/** Waits until `path` has been polled `n` times: that many rounds have run. */
const rounds = (fake: FakeApp, path: string, n: number) => waitFor(`${n} polls of ${path}`, () => fake.hits(path) >= n ? true : undefined)
const hitsOf = (fake: FakeApp, paths: readonly string[]) => Object.fromEntries(paths.map((p) => [p, fake.hits(p)]))
/**
 * What `expected` says each path was asked, allowing one more per failed ask of it: a poll that
 * timed out (a busy machine, a 100 ms deadline) is asked again next round, as it should be, and the
 * app may or may not have seen the one abandoned. Within that range the count seen is returned, so
 * that `t.same` passes; outside it, the expected count, so that the diff shows both.
 */
function withRetries (h: Harness, expected: Record<string, number>): Record<string, number> {
  const failed = (path: string) => h.lines.filter((l) => l.msg === 'poll failed' && String(l.reason).startsWith(`GET ${path} `)).length
  return Object.fromEntries(Object.entries(expected).map(([path, n]) => {
    const seen = h.fake.hits(path)
    return [path, seen >= n && seen <= n + failed(path) ? seen : n]
  }))
}
const targetService = (r: ReliabilityReport) => r.services.find((s) => s.critical)

t.test('a Spring app: /actuator/health and /actuator/prometheus found, no websocket admin, ok', async (t) => {
  const h = await watch(t, (metrics) => ({ '/actuator/health': springUp, '/actuator/prometheus': metrics }))
  await rounds(h.fake, '/actuator/prometheus', 5)
  // Waited for, not just read: on a busy machine one poll may time out and degrade a report.
  const r = await h.waitReport('ok, health and metrics read', (r) => r.overall_status === 'ok' && r.sources.health.status === 'ok' && r.sources.metrics.status === 'ok')
  t.equal(r.sources.websocket.status, 'unconfigured', 'not offered is not a failure')
  t.match(r.setup.detected, { health_path: '/actuator/health', metrics_path: '/actuator/prometheus', websocket_path: null })
  t.same(r.setup.unconfigured.find((u) => u.path === 'websocket'),
    { path: 'websocket', reason: 'not offered: /admin/websocket answered 404; probed again every 5 min' })
  t.notOk(r.notes.some((n) => /websocket|not offered|404/.test(n)), 'no note about it in the report')
  t.same(r.services.map((s) => [s.name, s.status, s.critical]), [['app', 'ok', true], ['app:db', 'ok', false], ['app:diskSpace', 'ok', false]])
  t.equal(targetService(r)?.details?.format, 'spring', 'the app judged by its own health')
  // Each candidate before the one found asked once, in five rounds and more; the found ones every round.
  t.same(hitsOf(h.fake, ['/health', '/healthz', '/-/healthy', '/livez', '/status', '/metrics', '/admin/websocket']),
    withRetries(h, { '/health': 1, '/healthz': 1, '/-/healthy': 0, '/livez': 0, '/status': 0, '/metrics': 1, '/admin/websocket': 1 }))
  t.ok(h.fake.hits('/actuator/health') >= 5, 'the health found is polled every round')
  t.equal(await h.ownMetric('reliability_target_up'), 1)
  noCrash(t, h)
})

t.test('a Prometheus-server-like target: health text at /-/healthy, /metrics, 404 elsewhere: ok', async (t) => {
  const h = await watch(t, (metrics) => ({ '/-/healthy': prometheusHealthy, '/metrics': metrics }))
  await rounds(h.fake, '/metrics', 5)
  const r = await h.waitReport('ok, health and metrics read', (r) => r.overall_status === 'ok' && r.sources.health.status === 'ok' && r.sources.metrics.status === 'ok')
  t.match(r.setup.detected, { health_path: '/-/healthy', metrics_path: '/metrics', websocket_path: null })
  t.same(r.services.map((s) => [s.name, s.status]), [['app', 'ok']])
  t.same(hitsOf(h.fake, HEALTH.filter((p) => p !== '/-/healthy')), withRetries(h, { '/health': 1, '/healthz': 1, '/actuator/health': 1, '/livez': 0, '/status': 0 }))
  t.same(hitsOf(h.fake, ['/actuator/prometheus', '/admin/websocket']), withRetries(h, { '/actuator/prometheus': 0, '/admin/websocket': 1 }))
  t.equal(await h.ownMetric('reliability_target_up'), 1)
  noCrash(t, h)
})

t.test('a node_exporter-like target: HTML on every unknown path, /metrics: ok, health judged by metrics, target up', async (t) => {
  const h = await watch(t, (metrics) => ({ '/metrics': metrics }), { fallback: htmlPage })
  await rounds(h.fake, '/metrics', 5)
  const r = await h.waitReport('ok, judged by metrics', (r) => r.overall_status === 'ok' && r.sources.metrics.status === 'ok' && targetService(r)?.status === 'ok')
  t.equal(r.sources.health.status, 'unconfigured')
  t.equal(r.sources.websocket.status, 'unconfigured')
  t.match(r.setup.detected, { health_path: null, metrics_path: '/metrics', websocket_path: null })
  t.same(r.setup.unconfigured.filter((u) => u.path === 'health' || u.path === 'websocket'), [
    { path: 'health', reason: `not offered: ${HEALTH.join(', ')} answered HTML; probed again every 5 min` },
    { path: 'websocket', reason: 'not offered: /admin/websocket answered HTML; probed again every 5 min' }
  ])
  t.same(r.services, [{ name: 'app', status: 'ok', critical: true, latency_ms: targetService(r)?.latency_ms, details: { based_on: 'metrics', path: '/metrics' } }],
    'one critical service, saying what it is based on')
  t.same(hitsOf(h.fake, [...HEALTH, '/admin/websocket', '/actuator/prometheus']),
    withRetries(h, Object.fromEntries([...HEALTH, '/admin/websocket'].map((p) => [p, 1]).concat([['/actuator/prometheus', 0]]))), 'each candidate asked once')
  t.equal(await h.ownMetric('reliability_target_up'), 1, 'up: it answers the endpoints it offers')
  t.equal(await h.ownMetricSum('reliability_poll_failures_total'), 0, 'not offered is no poll failure')
  noCrash(t, h)
})

t.test('an app with no health at all: ok while its metrics answer; down when it stops answering', async (t) => {
  const h = await watch(t, (metrics) => ({ '/metrics': metrics }))
  const up = await h.waitReport('ok', (r) => r.overall_status === 'ok' && r.sources.metrics.status === 'ok')
  t.match(up.setup.detected, { health_path: null, metrics_path: '/metrics', websocket_path: null })
  t.match(up.setup.unconfigured.find((u) => u.path === 'health')?.reason, `not offered: ${HEALTH.join(', ')} answered 404; probed again every 5 min`)
  t.equal(await h.ownMetric('reliability_target_up'), 1)

  const atStop = h.fake.hits('/metrics')
  await h.fake.close()
  const observed: Array<{ status: string, error?: string }> = []
  const down = await h.waitReport('down', (r) => {
    observed.push({ status: r.overall_status, error: targetService(r)?.error })
    return r.overall_status === 'down'
  })
  t.match(targetService(down)?.error, /^down: \d+ polls of \/metrics failed in a row \(down after 3\)/, 'why, and on what it is based')
  t.same(targetService(down)?.details, { based_on: 'metrics', path: '/metrics' })
  t.ok(observed.some((o) => o.status === 'degraded'), 'degraded on the way (1 or 2 failed polls of 3)')
  t.equal(h.fake.hits('/metrics'), atStop, 'the app saw nothing more')
  t.equal(await h.ownMetric('reliability_target_up'), 0)
  t.equal((await h.get('/health')).statusCode, 503, '/health fails: the target is down')
  noCrash(t, h)
})

t.test('re-probe: nothing asked again within the period; after it, a health the app now offers is found', async (t) => {
  let offset = 0
  const h = await watch(t, (metrics) => ({ '/metrics': metrics }), { now: () => Date.now() + offset })
  await h.waitReport('health not offered', (r) => r.sources.health.status === 'unconfigured' && r.sources.metrics.status === 'ok')
  await rounds(h.fake, '/metrics', 6)
  t.same(hitsOf(h.fake, HEALTH), withRetries(h, Object.fromEntries(HEALTH.map((p) => [p, 1]))), 'once each, however many rounds')

  // The app is redeployed with a health endpoint; the clock passes the re-probe period.
  h.fake.route('/healthz', json({ status: 'pass' }, 200, 'application/health+json'))
  offset = 5 * 60_000
  const r = await h.waitReport('health found', (r) => r.sources.health.status === 'ok')
  t.equal(r.setup.detected.health_path, '/healthz')
  t.equal(targetService(r)?.details?.format, 'ietf', 'judged by its health again')
  t.notOk(r.setup.unconfigured.some((u) => u.path === 'health'))
  await rounds(h.fake, '/healthz', 3)
  t.same(hitsOf(h.fake, HEALTH.filter((p) => p !== '/healthz')), withRetries(h, { '/health': 2, '/actuator/health': 1, '/-/healthy': 1, '/livez': 1, '/status': 1 }),
    'the candidates before it asked once more, those after it not at all')
  t.same(hitsOf(h.fake, ['/admin/websocket']), withRetries(h, { '/admin/websocket': 2 }), 'the websocket admin asked again too, once')
  noCrash(t, h)
})

t.test('a found path that later answers 404 (redeployed without it): searched again, then judged by metrics', async (t) => {
  const h = await watch(t, (metrics) => ({ '/actuator/health': springUp, '/actuator/prometheus': metrics }))
  await h.waitReport('found', (r) => r.setup.detected.health_path === '/actuator/health' && r.overall_status === 'ok')
  h.fake.route('/actuator/health', answer(404, '{"error":"Not Found"}', 'application/json'))
  // Not a degradation: ok (waited for, as one poll timed out on a busy machine would degrade it).
  const r = await h.waitReport('health not offered, ok', (r) => r.sources.health.status === 'unconfigured' && r.overall_status === 'ok')
  t.equal(r.setup.detected.health_path, null)
  t.match(r.setup.unconfigured.find((u) => u.path === 'health')?.reason, /^not offered: \/actuator\/health, \/health, \/healthz, \/-\/healthy, \/livez, \/status answered 404/)
  t.same(targetService(r)?.details, { based_on: 'metrics', path: '/actuator/prometheus' })
  t.equal(await h.ownMetric('reliability_target_up'), 1)
  t.same(hitsOf(h.fake, ['/health', '/healthz']), withRetries(h, { '/health': 2, '/healthz': 2 }), 'once at start, once after the loss')
  t.ok(h.lines.some((l) => l.msg === 'endpoint no longer offered: looking again' && l.path === '/actuator/health'), 'the change is logged')
  noCrash(t, h)
})

t.test('an explicit path keeps today\'s behaviour: its 404 is the app\'s answer, not hidden, and nothing else is asked', async (t) => {
  const h = await watch(t, (metrics) => ({ '/actuator/health': springUp, '/metrics': metrics }), { argv: ['--health-path', '/health'] })
  // Down by its answers, not by a poll timed out on a busy machine.
  const r = await h.waitReport('down, the 404 read', (r) => r.overall_status === 'down' && r.sources.health.status === 'ok')
  t.match(targetService(r)?.error, /HTTP 404/, 'a 404 is the app speaking')
  t.equal(r.setup.detected.health_path, '/health')
  t.same(hitsOf(h.fake, ['/healthz', '/actuator/health']), { '/healthz': 0, '/actuator/health': 0 })
  t.equal(await h.ownMetric('reliability_target_up'), 0)
  noCrash(t, h)
})

t.test('the websocket admin is opt-in: a redirect or a page that is not a JSON object is not offered', async (t) => {
  const cases: Array<[string, Handler, string]> = [
    ['a redirect (not followed)', redirect(302, '/login'), 'answered a redirect'],
    ['plain text', answer(200, 'ok', 'text/plain'), 'answered no JSON object'],
    ['a JSON array', json([1, 2]), 'answered no JSON object']
  ]
  await Promise.all(cases.map(async ([name, handler, reason]) => {
    const h = await startHarness(t, { routes: { '/admin/websocket': handler } })
    const r = await h.waitReport(`${name}: not offered, ok`, (r) => r.sources.websocket.status === 'unconfigured' && r.overall_status === 'ok')
    t.same(r.setup.unconfigured.find((u) => u.path === 'websocket'), { path: 'websocket', reason: `not offered: /admin/websocket ${reason}; probed again every 5 min` }, name)
    t.same(r.websocket, { active_connections: null, last_broadcast_ts: null, connection_rate: null }, `${name}: no figures`)
    noCrash(t, h)
  }))
})

t.test('an app that offers neither health nor metrics: target_up 0, nothing polled each round', async (t) => {
  const h = await watch(t, () => ({ '/': answer(200, 'hello', 'text/plain') }))
  const r = await h.waitReport('nothing offered', (r) => ['health', 'metrics', 'websocket'].every((name) => r.sources[name].status === 'unconfigured'))
  t.match(r.setup.detected, { health_path: null, metrics_path: null, websocket_path: null })
  t.notOk(r.services.some((s) => s.critical), 'nothing to judge the app by')
  t.same(r.notes, [], 'and no note per report: setup says it')
  t.equal(await h.ownMetric('reliability_target_up'), 0)
  const asked = h.fake.requests.length
  // Every round refreshes the report: three new timestamps, three rounds.
  const seen = new Set<string>([r.timestamp])
  await h.waitReport('three more rounds', (later) => seen.add(later.timestamp).size > 3)
  t.equal(h.fake.requests.length, asked, 'no request between re-probes')
  noCrash(t, h)
})
