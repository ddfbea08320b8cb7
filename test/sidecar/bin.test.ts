// The built `reliability-sidecar` (dist/sidecar/bin.js, what the package's `bin` and `npm start` run)
// as a real child process against a fake app on a real socket: the load balancer's /health following
// the app, the report about the app, shutdown under traffic (issue 5) and the demo mode. SPEC §6, §8.
// The runs that end by themselves (bad settings, --check-config, --help) are in bin-config.test.ts:
// two files, so tap's jobs run them side by side (issue 10).
import t from 'tap'
import { appMetrics, json, startFakeApp, websocketAdmin, type FakeApp, type Handler } from '../helpers/fake-app.js'
import {
  binBuilt,
  binPath,
  get,
  rawRequest,
  startSidecar,
  type Answer
} from '../helpers/spawn-sidecar.js'
import { waitFor } from '../helpers/wait-for.js'

t.ok(binBuilt, `${binPath} exists (\`npm test\` builds it; alone, run \`npm run build\` first)`)
// Without the build every case below would only time out: skip them, the assertion above says why.
const built = binBuilt ? {} : { skip: 'dist/sidecar/bin.js is missing: run npm run build' }

const REPORT = '/api/v2/diagnostics/reliability'
// Short, with a deadline a busy machine meets: a poll that misses it counts as a failure and would
// turn the app's health to warn while a test expects pass (issue 10: both cores busy elsewhere).
// Nothing below measures a duration: tests wait for events (a wait's deadline only catches a hang).
const INTERVAL_MS = 1000
const TIMEOUT_MS = 900
const fast = ['--interval-ms', String(INTERVAL_MS), '--timeout-ms', String(TIMEOUT_MS)]
// A grace no test reaches unless shutdown hangs: exit 0 without "grace period over" is the event
// that shows shutdown did not wait for it; a short grace would turn a slow machine into exit 1.
const LONG_GRACE_MS = 60_000

interface Report {
  overall_status: string
  services: Array<{ name: string, status: string, critical: boolean, error?: string }>
  performance: { cpu_percent: number | null, request_latency_ms: { count: number | null, p95: number | null } }
  infrastructure: { memory: { rss_bytes: number | null } }
  websocket: { active_connections: number | null, connection_rate: number | null }
  edge_engine: { active_edges: number | null }
  sources: Record<string, { status: string, error?: string }>
}

interface WatchedApp {
  fake: FakeApp
  setHealthy (healthy: boolean): void
}

/**
 * The watched app: the shared fake app (test/helpers/fake-app.ts) with IETF health (pass, or 503
 * fail), prom-client metrics that move with every scrape, and the websocket admin JSON. With
 * `basicAuth` ("user:pass") every path answers 401 without those credentials.
 */
async function startWatchedApp (tt: { teardown: (fn: () => Promise<void>) => void }, opts: { basicAuth?: string } = {}): Promise<WatchedApp> {
  let healthy = true
  const pass = json({ status: 'pass', checks: { 'db:connections': [{ status: 'pass', observedValue: 4 }] } }, 200, 'application/health+json')
  const fail = json({ status: 'fail', output: 'database unreachable', checks: { 'db:connections': [{ status: 'fail', observedValue: 0 }] } }, 503, 'application/health+json')
  const expected = opts.basicAuth === undefined ? undefined : `Basic ${Buffer.from(opts.basicAuth).toString('base64')}`
  const unauthorized = json({ error: 'unauthorized' }, 401)
  const guarded = (h: Handler): Handler => (req, res) => expected !== undefined && req.headers.authorization !== expected ? unauthorized(req, res) : h(req, res)
  const fake = await startFakeApp({
    '/health': guarded((req, res) => (healthy ? pass : fail)(req, res)),
    '/metrics': guarded(appMetrics().metrics),
    '/admin/websocket': guarded(websocketAdmin)
  }, guarded(json({ error: 'not found' }, 404)))
  tt.teardown(() => fake.close())
  return { fake, setHealthy: (h) => { healthy = h } }
}

/** The `msg` of each pino line the child wrote on stdout, in order. */
const messages = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg)
const report = async (base: string, headers: Record<string, string> = {}): Promise<Report> => {
  const res = await get(`${base}${REPORT}`, headers)
  if (res.status !== 200) throw new Error(`report answered ${res.status}: ${res.body}`)
  return JSON.parse(res.body) as Report
}

t.test('/health follows the app: pass, fail after failureThreshold polls, pass again', built, async (t) => {
  const app = await startWatchedApp(t)
  const sidecar = await startSidecar(t, ['--target', app.fake.url, ...fast, '--failure-threshold', '2'])

  let health: Answer | undefined
  await waitFor('/health pass while the app is healthy', async () => (health = await get(`${sidecar.base}/health`)).body === '{"status":"pass"}')
  t.equal(health?.status, 200)
  t.equal(health?.body, '{"status":"pass"}')
  t.match(health?.headers['content-type'], /^application\/health\+json/)

  app.setHealthy(false)
  // Counted, not timed: the polls the app answered "fail" before /health turned.
  const healthyPolls = app.fake.hits('/health')
  await waitFor('/health 503 once the app says fail', async () => (health = await get(`${sidecar.base}/health`)).status === 503)
  const failedPolls = app.fake.hits('/health') - healthyPolls
  t.ok(failedPolls >= 2, `not down on the first failed poll: down after ${failedPolls} failed polls`)
  t.equal(health?.status, 503)
  t.equal(health?.body, '{"status":"fail"}')

  const down = await report(sidecar.base)
  t.equal(down.overall_status, 'down', 'from loopback without a token: the report says down')
  t.match(down.services[0], { name: 'app', status: 'down', critical: true })
  const inARow = Number(/the app reported down (\d+) times in a row \(down after 2\)/.exec(down.services[0].error ?? '')?.[1])
  t.ok(inARow >= 2 && inARow <= app.fake.hits('/health') - healthyPolls, `down after two failed polls in a row, counted by the sidecar: ${down.services[0].error}`)
  t.equal(down.sources.health.status, 'ok', 'a 503 is the app saying down, not a failure to read it (SPEC §8)')
  t.equal((await get(`${sidecar.base}/livez`)).status, 200, 'the sidecar itself stays alive')
  t.equal((await get(`${sidecar.base}/readyz`)).status, 200, 'and ready: readiness is about the sidecar')

  app.setHealthy(true)
  await waitFor('/health 200 again once the app says pass', async () => (health = await get(`${sidecar.base}/health`)).status === 200)
  t.equal(health?.body, '{"status":"pass"}')
  t.equal((await report(sidecar.base)).overall_status, 'ok')
})

t.test('the report served by the child is about the app, and no secret is shown', built, async (t) => {
  const app = await startWatchedApp(t, { basicAuth: 'watcher:hunter2' })
  const target = app.fake.url.replace('http://', 'http://watcher:hunter2@')
  const sidecar = await startSidecar(t, ['--target', target, '--target-name', 'shop-api', ...fast, '--log-level', 'debug'], {
    env: { RELIABILITY_TOKEN: 's3cr3t-value' }
  })

  const refused = await get(`${sidecar.base}${REPORT}`)
  t.equal(refused.status, 401, 'with a token configured, loopback alone is not enough')
  const auth = { authorization: 'Bearer s3cr3t-value' }

  let last: Report | undefined
  // The CPU rate and the latency delta need two scrapes.
  await waitFor('two polls of every endpoint', async () => {
    last = await report(sidecar.base, auth)
    return last.overall_status === 'ok' && last.sources.metrics?.status === 'ok' &&
      last.performance.cpu_percent !== null && last.performance.request_latency_ms.count !== null
  })
  const r = last as Report
  t.equal(r.overall_status, 'ok')
  t.match(r.services[0], { name: 'shop-api', status: 'ok', critical: true })
  t.ok(r.services.some((s) => s.name === 'shop-api:db:connections'), 'the app\'s own checks keep their names')
  t.equal(r.sources.health.status, 'ok')
  t.equal(r.sources.metrics.status, 'ok')
  t.equal(r.sources.websocket.status, 'ok')
  t.ok((r.performance.cpu_percent as number) > 0, `cpu_percent ${r.performance.cpu_percent}`)
  t.ok((r.performance.request_latency_ms.count as number) > 0, `request count ${r.performance.request_latency_ms.count}`)
  t.equal(r.infrastructure.memory.rss_bytes, 64_000_000)
  t.equal(r.websocket.active_connections, 7)
  t.equal(r.websocket.connection_rate, 0.5)
  t.same([...new Set(app.fake.requests.filter((r) => r.path === '/health').map((r) => r.headers.authorization))], [`Basic ${Buffer.from('watcher:hunter2').toString('base64')}`], 'the target\'s credentials go as Basic auth')

  const own = await get(`${sidecar.base}/metrics`)
  t.equal(own.status, 200, 'the sidecar\'s own metrics')
  // Every route, the sidecar's own included, is never cached and never sniffed (issue 5).
  for (const path of ['/health', '/livez', '/readyz', '/metrics', REPORT]) {
    const res = await get(`${sidecar.base}${path}`, auth)
    t.equal(res.headers['cache-control'], 'no-store', `${path}: Cache-Control no-store`)
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${path}: nosniff`)
  }
  const everything = [JSON.stringify(r), refused.body, own.body, sidecar.stdout(), sidecar.stderr()].join('\n')
  t.notMatch(everything, 'hunter2', 'the target\'s password is never shown')
  t.notMatch(everything, 's3cr3t-value', 'nor the token')
  t.match(sidecar.stdout(), 'http://***:***@127.0.0.1:', 'the start line names the target, redacted')
})

t.test('SIGTERM during traffic: readiness fails at once, in-flight requests finish, exit 0', built, async (t) => {
  const app = await startWatchedApp(t)
  const sidecar = await startSidecar(t, ['--target', app.fake.url, ...fast, '--grace-period-ms', String(LONG_GRACE_MS)])
  await waitFor('/health 200', async () => (await get(`${sidecar.base}/health`)).status === 200)

  // In flight for sure: requests read by the server (it answered 100 Continue) whose bodies are
  // still coming, so shutdown must wait for them.
  const held = await Promise.all([0, 1, 2, 3].map((i) => rawRequest(sidecar.base, i % 2 === 0 ? '/health' : REPORT, { hold: 'body' })))
  // An idle keep-alive client (a load balancer's): it must not hold shutdown.
  const idle = await rawRequest(sidecar.base, '/livez')
  t.teardown(() => { for (const h of [...held, idle]) h.destroy() })

  type Outcome = { path: string, answer?: Answer, err?: Error & { code?: string, afterHeaders?: boolean } }
  const burst: Array<Promise<Outcome>> = Array.from({ length: 40 }, (_, i) => {
    const path = i % 2 === 0 ? '/health' : REPORT
    return get(`${sidecar.base}${path}`).then((answer) => ({ path, answer }), (err) => ({ path, err }))
  })
  await Promise.race(burst)
  sidecar.child.kill('SIGTERM')

  let seen = ''
  await waitFor('/readyz to stop answering 200', async () => {
    const res = await get(`${sidecar.base}/readyz`).then((a) => String(a.status), (err: { code?: string }) => err.code ?? 'error')
    seen = res
    return res !== '200'
  })
  t.ok(['503', 'ECONNREFUSED', 'ECONNRESET'].includes(seen), `/readyz after SIGTERM: ${seen}`)
  t.ok(sidecar.alive(), 'still draining: the held requests are in flight')

  for (const h of held) h.finish()
  const answers = await Promise.all(held.map((h) => h.closed))
  for (const [i, a] of answers.entries()) {
    t.ok(a.complete, `held request ${i}: a complete answer (${JSON.stringify(a.raw.slice(0, 40))})`)
    // A POST: no route takes it, so its answer is the 404, given in full though the server is closing.
    t.equal(a.status, 404, `held request ${i}: status ${a.status}`)
    t.doesNotThrow(() => JSON.parse(a.body), `held request ${i}: a JSON body`)
  }
  const idleClosed = await idle.closed
  t.equal(idleClosed.status, 200, 'the idle keep-alive connection had its answer, then was closed by the server')

  // A request the server read is answered in full: 200 with its answer, or 503 once Fastify is
  // closing. Only connections it never read may fail: refused once the listener is closed, or
  // reset (still in the accept backlog, or accepted but idle when the idle ones were closed).
  const outcomes = await Promise.all(burst)
  const tally: Record<string, number> = {}
  const wrong: string[] = []
  for (const o of outcomes) {
    const key = o.answer ? String(o.answer.status) : o.err?.code ?? 'error'
    tally[key] = (tally[key] ?? 0) + 1
    if (o.answer) {
      const { status, body } = o.answer
      let parsed: { status?: string, overall_status?: string } | undefined
      try { parsed = JSON.parse(body) } catch {}
      // The figures are not under test here (a poll may miss its deadline on a loaded runner): the
      // shape is. A report with a status, a health answer, or Fastify's closing 503 in JSON.
      const valid = status === 200
        ? (o.path === '/health' ? ['pass', 'warn'].includes(parsed?.status ?? '') : ['ok', 'degraded', 'down'].includes(parsed?.overall_status ?? ''))
        : status === 503 && parsed !== undefined
      if (!valid) wrong.push(`${o.path}: ${status} ${body.slice(0, 80)}`)
    } else if (o.err?.afterHeaders === true || !['ECONNREFUSED', 'ECONNRESET'].includes(o.err?.code ?? '')) {
      wrong.push(`${o.path}: ${o.err?.code} ${o.err?.message}`)
    }
  }
  t.same(wrong, [], `every burst request answered in full or never read: ${JSON.stringify(tally)} ${wrong.join('; ')}`)
  t.ok((tally['200'] ?? 0) >= 1, 'traffic was flowing when the signal came')

  const exit = await sidecar.exited
  t.equal(exit.code, 0, 'a clean shutdown exits 0')
  // Once the held requests were answered, nothing held shutdown: it ended without the grace.
  t.notMatch(sidecar.stdout(), 'grace period over')
  const said = messages(sidecar.stdout())
  t.ok(said.indexOf('stopped') > said.findIndex((m) => m.startsWith('draining: readiness fails')), `draining, then stopped: ${JSON.stringify(said)}`)
})

t.test('a second signal while draining exits at once', built, async (t) => {
  const app = await startWatchedApp(t)
  const sidecar = await startSidecar(t, ['--target', app.fake.url, ...fast, '--grace-period-ms', String(LONG_GRACE_MS)])
  const held = await rawRequest(sidecar.base, '/health', { hold: 'body' })
  t.teardown(() => held.destroy())

  sidecar.child.kill('SIGTERM')
  await waitFor('/readyz to stop answering 200', async () => (await get(`${sidecar.base}/readyz`).then((a) => a.status, () => 0)) !== 200)
  await waitFor('the draining line', () => messages(sidecar.stdout()).some((m) => m.startsWith('draining')))
  t.ok(sidecar.alive(), 'draining waits for the held request')

  sidecar.child.kill('SIGINT')
  const exit = await sidecar.exited
  t.equal(exit.code, 1, 'with code 1: the drain was cut short')
  const said = messages(sidecar.stdout())
  t.ok(said.includes('second signal: exiting at once'), `the second signal ended it: ${JSON.stringify(said)}`)
  t.notOk(said.some((m) => m.startsWith('grace period over')), 'not the grace, which was a minute away')
  t.equal((await held.closed).complete, false, 'the held request never had its answer')
})

t.test('an in-flight request that never ends cannot hold shutdown past the grace', built, async (t) => {
  const app = await startWatchedApp(t)
  const sidecar = await startSidecar(t, ['--target', app.fake.url, ...fast, '--grace-period-ms', '600'])
  const held = await rawRequest(sidecar.base, REPORT, { hold: 'body' })
  t.teardown(() => held.destroy())

  sidecar.child.kill('SIGTERM')
  const exit = await sidecar.exited
  t.equal(exit.code, 1, 'the grace ran out: code 1')
  // The order of events, not their times: draining began, the grace timer fired, and the request
  // was still in flight when the process ended (its connection closed without an answer).
  const said = messages(sidecar.stdout())
  t.ok(said.findIndex((m) => m.startsWith('grace period over')) > said.findIndex((m) => m.startsWith('draining')), `draining, then the grace ran out: ${JSON.stringify(said)}`)
  t.notOk(said.includes('stopped'), 'never a clean stop')
  t.equal((await held.closed).complete, false, 'the request that never ended had no answer')
})

t.test('demo mode: no --target starts the bundled demo app and watches it', built, async (t) => {
  const sidecar = await startSidecar(t, [...fast, '--grace-period-ms', String(LONG_GRACE_MS)])
  t.match(sidecar.stdout(), `report:        ${sidecar.base}${REPORT}`, 'prints the URLs to open')
  t.match(sidecar.stdout(), /demo app: +http:\/\/127\.0\.0\.1:\d+/)

  let last: Report | undefined
  await waitFor('latency figures after two polls', async () => {
    last = await report(sidecar.base)
    return last.performance.request_latency_ms.count !== null
  })
  const r = last as Report
  t.ok((r.performance.request_latency_ms.count as number) > 0, `request count ${r.performance.request_latency_ms.count}`)
  t.match(r.services[0], { name: 'app', critical: true })
  t.equal(r.sources.health.status, 'ok')
  t.type(r.edge_engine.active_edges, 'number', 'the demo\'s metric names reach the metrics source')
  t.equal((await get(`${sidecar.base}/health`)).status, 200)

  sidecar.child.kill('SIGTERM')
  const exit = await sidecar.exited
  t.equal(exit.code, 0, 'SIGTERM stops the demo app too and exits 0')
  t.notOk(messages(sidecar.stdout()).some((m) => m.startsWith('grace period over')), 'without waiting for the grace')
})

t.test('--drain-delay-ms: after SIGTERM the sidecar keeps answering, readiness failing, then exits 0', built, async (t) => {
  const app = await startWatchedApp(t)
  // The delay is a window the test must act in: long enough for a busy machine to send three
  // requests after the signal; the test does not wait it out by the clock but for the exit.
  const sidecar = await startSidecar(t, ['--target', app.fake.url, ...fast, '--grace-period-ms', String(LONG_GRACE_MS), '--drain-delay-ms', '5000'])
  await waitFor('/health 200', async () => (await get(`${sidecar.base}/health`)).status === 200)
  sidecar.child.kill('SIGTERM')
  await waitFor('/readyz to answer 503', async () => (await get(`${sidecar.base}/readyz`).catch(() => undefined))?.status === 503)
  // Within the delay, requests are still answered (not refused or reset): load balancers draining
  // the pod get real answers while they notice the failing readiness.
  const during = await Promise.all([get(`${sidecar.base}/health`), get(`${sidecar.base}${REPORT}`)])
  t.same(during.map((a) => a.status), [200, 200], 'answered after readiness failed: the server stays open during the delay')
  t.ok(sidecar.alive(), 'still running')
  const exit = await sidecar.exited
  t.equal(exit.code, 0)
  const said = messages(sidecar.stdout())
  t.ok(said.indexOf('stopped') > said.findIndex((m) => m.startsWith('draining')), `draining, then stopped: ${JSON.stringify(said)}`)
  t.notOk(said.some((m) => m.startsWith('grace period over')), 'before the grace')
})
