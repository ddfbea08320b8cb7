// Issue 9, end to end: the built sidecar with `--target` only (and a short interval and window)
// beside a real FastAPI app (prometheus_client, a `status` label with grouped values such as "5xx",
// a plain `checks` health map, no websocket admin), under a known load, and a Prometheus server
// scraping the same app as the reference for rate() and histogram_quantile().
import t from 'tap'
import { binBuilt, get, startSidecar } from '../helpers/spawn-sidecar.js'
import { waitFor } from '../helpers/wait-for.js'
import { missingBinary, missingFastApi, startFastApiApp, startPrometheus, type EcosystemApp } from '../helpers/ecosystem-apps.js'

const skip = (binBuilt ? undefined : 'dist/sidecar/bin.js is missing: run npm run build') ?? missingFastApi()
const skipPrometheus = skip ?? missingBinary('/usr/bin/prometheus', 'prometheus')
const REPORT = '/api/v2/diagnostics/reliability'
const INTERVAL_MS = 1000
const WINDOW_MS = 20_000
const args = (app: EcosystemApp) => ['--target', app.url, '--interval-ms', String(INTERVAL_MS), '--window-ms', String(WINDOW_MS)]

interface Report {
  timestamp: string
  overall_status: string
  services: Array<{ name: string, status: string, critical: boolean, error?: string }>
  performance: {
    cpu_percent: number | null
    request_latency_ms: { p50: number | null, p95: number | null, p99: number | null, count: number | null }
    requests_per_s: number | null
    error_rate: number | null
  }
  cache: { hits: number | null, misses: number | null, hit_rate: number | null }
  notes: string[]
  metrics: { scrape_age_ms: number | null }
  setup: { detected: Record<string, string | null>, unconfigured: Array<{ path: string, reason: string }> }
  sources: Record<string, { status: string, error?: string }>
}

async function report (base: string): Promise<Report> {
  const answer = await get(`${base}${REPORT}`)
  if (answer.status !== 200) throw new Error(`report answered ${answer.status}: ${answer.body}`)
  return JSON.parse(answer.body) as Report
}

async function control (app: EcosystemApp, body: unknown): Promise<void> {
  const res = await fetch(`${app.url}/control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 200) throw new Error(`control answered ${res.status}`)
}

/**
 * A steady load in cycles of 20 requests: 18 fast (5 ms), 2 slow (300 ms), one of the 20 a 500,
 * and the cache hit 3 times in 4. Runs until `stop()` is called; every request is awaited.
 */
function steadyLoad (app: EcosystemApp): { stop: () => Promise<void>, sent: () => number } {
  const state = { running: true }
  let sent = 0
  let next = 0
  // One sequence shared by the lanes, so the mix holds whichever lane is slower.
  const worker = async () => {
    while (state.running) {
      const i = next++
      const k = i % 20
      const ms = k < 2 ? 300 : 5
      const fail = k === 7 ? 1 : 0
      const cache = i % 4 === 3 ? 'miss' : 'hit'
      await fetch(`${app.url}/work?ms=${ms}&fail=${fail}&cache=${cache}`).then((r) => r.arrayBuffer())
      sent++
    }
  }
  const lanes = Promise.all([1, 2, 3, 4].map(worker))
  return { stop: async () => { state.running = false; await lanes }, sent: () => sent }
}

t.test('a healthy FastAPI app under load: ok, no notes, figures right or null with a reason', { skip }, async (t) => {
  const app = await startFastApiApp(t)
  const load = steadyLoad(app)
  t.teardown(load.stop)
  const sidecar = await startSidecar(t, args(app), { readyTimeoutMs: 60_000 })
  // A full window of scrapes under the load.
  // A window of at least 400 requests: one in 20 fails, so the window's error rate is then within
  // 1/400 of 0.05 whatever request the window starts on (43 requests read 3 failures: 0.07).
  await waitFor('a window of scrapes', async () => ((await report(sidecar.base)).performance.request_latency_ms.count ?? 0) >= 400, 60_000)
  const r = await report(sidecar.base)
  t.equal(r.overall_status, 'ok', JSON.stringify({ services: r.services, sources: r.sources, notes: r.notes }))
  t.same(r.notes, [], 'a healthy app\'s report has no notes')
  t.same(r.services.map((s) => [s.name, s.status]).slice(1), [['app:database', 'ok'], ['app:redis', 'ok']], 'each check of the `checks` map is a service')
  t.not(r.sources.websocket?.status, 'error', 'no websocket admin is not an error')
  // One request in 20 fails: the `status` label ("5xx") is detected.
  t.ok(r.performance.error_rate !== null && Math.abs(r.performance.error_rate - 0.05) < 0.015, `error_rate ${r.performance.error_rate} is about 0.05`)
  t.ok(r.cache.hit_rate !== null && Math.abs(r.cache.hit_rate - 0.75) < 0.03, `hit_rate ${r.cache.hit_rate} is about 0.75`)
  t.ok(r.performance.cpu_percent !== null, 'cpu from process_cpu_seconds_total')
  // What was detected, said once; what a Python app does not offer is in setup, not in notes.
  t.match(r.setup.detected, { runtime: /^python 3\.\d+/, request_metric: 'http_request_duration_seconds', status_label: 'status', cpu_metric: 'process_cpu_seconds_total', cache_metric: 'cache_hits_total, cache_misses_total' })
  const unfilled = r.setup.unconfigured.map((u) => u.path)
  for (const path of ['performance.event_loop_delay_p99_ms', 'infrastructure.node_version', 'infrastructure.memory.heap_used_bytes']) {
    t.ok(unfilled.includes(path), `${path} is said not to be offered, once`)
  }
})

t.test('a failing check is named with its reason', { skip }, async (t) => {
  const app = await startFastApiApp(t)
  const sidecar = await startSidecar(t, [...args(app), '--failure-threshold', '1'], { readyTimeoutMs: 60_000 })
  await control(app, { health: { status_code: 503, body: { status: 'error', checks: { database: { status: 'unhealthy', error: 'connection refused' }, redis: 'ok' } } } })
  await waitFor('the report to say down', async () => (await report(sidecar.base)).overall_status === 'down', 30_000)
  const r = await report(sidecar.base)
  const database = r.services.find((s) => s.name === 'app:database')
  t.equal(database?.status, 'down')
  t.match(database?.error, /connection refused/)
  t.notMatch(r.services[0].error, /\d+ of \d+ polls failed/, 'the app answered: no "polls failed" count')
})

t.test('p95 agrees with Prometheus over the same window within 2 %; CPU with the app\'s own 30 %', { skip: skipPrometheus }, async (t) => {
  const app = await startFastApiApp(t)
  await control(app, { cpu_duty: 0.3 })
  const load = steadyLoad(app)
  t.teardown(load.stop)
  const prometheus = await startPrometheus(t, [new URL(app.url).host])
  const sidecar = await startSidecar(t, args(app), { readyTimeoutMs: 60_000 })
  const w = `${WINDOW_MS / 1000}s`
  // Prometheus's rate() read ~28.2 here for a true 30 while this waited on a sample count: the
  // report's window began before Prometheus's first scrape of the app (Prometheus starts only
  // seconds before the sidecar, and the count was taken at a later instant than the report's).
  // rate() extrapolates to a range edge by at most half a scrape interval when the nearest sample
  // is more than 1.1 intervals from it, yet divides by the whole range, so an uncovered window
  // reads low by the uncovered part (18.5 s of 20: -7.5 % in one run). Compare only once
  // Prometheus's raw samples cover the report's window; rate() then extrapolates less than an
  // interval at each edge and equals the rate between its first and last sample, like the sidecar's.
  let r: Report | undefined
  let raw: Array<[number, number]> = []
  await waitFor('both to have a window of data', async () => {
    r = await report(sidecar.base)
    const { count } = r.performance.request_latency_ms
    const perSecond = r.performance.requests_per_s
    // The sidecar's own window must be full too (its span is count / rate): it starts after
    // Prometheus, and under load the app's CPU is not flat enough to compare unequal windows.
    if (count === null || perSecond === null || perSecond === 0 || count / perSecond < (WINDOW_MS - INTERVAL_MS) / 1000 || load.sent() <= 300) return false
    raw = await prometheus.samples(`process_cpu_seconds_total[${w}]`, Date.parse(r.timestamp))
    return raw.length >= 2 && raw[0][0] - (Date.parse(r.timestamp) - WINDOW_MS) < 1.1 * INTERVAL_MS
  }, 90_000)
  if (r === undefined) throw new Error('no report')
  // At the instant the report was made, over a window of the same length.
  const at = Date.parse(r.timestamp)
  const p95 = await prometheus.query(`histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[${w}]))) * 1000`, at)
  const rate = await prometheus.query(`rate(process_cpu_seconds_total[${w}]) * 100`, at)
  // Under load the app's CPU comes in bursts, so the two-point reference is taken over the
  // sidecar's own window: its newest scrape is scrape_age_ms old, its span count / requests_per_s.
  const newest = at - (r.metrics.scrape_age_ms ?? 0)
  const span = (r.performance.request_latency_ms.count ?? 0) / (r.performance.requests_per_s ?? 1) * 1000
  const around = await prometheus.samples(`process_cpu_seconds_total[${WINDOW_MS * 2}ms]`, newest + INTERVAL_MS / 2)
  const nearest = (time: number) => around.reduce((best, s) => Math.abs(s[0] - time) < Math.abs(best[0] - time) ? s : best)
  const [[t0, v0], [t1, v1]] = [nearest(newest - span), nearest(newest)]
  const between = (v1 - v0) / ((t1 - t0) / 1000) * 100
  const cpu = r.performance.cpu_percent
  // The app's burner (fastapi_app.py) keeps its process CPU at 30 % of one core at least: busy
  // while behind, asleep while ahead, request handling included. On an idle machine it reads 30.0;
  // on a loaded one (load 11 on 2 cores) request handling alone went past it and a window read
  // 31.9 or 35.9, Prometheus reading the same. So the duty is a floor here, and the bound only
  // catches a unit slip (a fraction, or a share of both cores, would read 0.3 or 15); the 2 %
  // checks are against Prometheus over the same window.
  t.ok(cpu !== null && cpu > 27 && cpu < 60, `cpu_percent ${cpu} vs the app's duty of 30`)
  t.ok(cpu !== null && rate !== null && Math.abs(cpu - rate) / rate < 0.02, `cpu_percent ${cpu} vs Prometheus's rate() ${rate}`)
  t.ok(cpu !== null && Math.abs(cpu - between) / between < 0.02, `cpu_percent ${cpu} vs Prometheus's raw samples nearest the sidecar's window ${between} (${t1 - t0} ms apart, the sidecar's ${Math.round(span)} ms)`)
  t.ok(p95 !== null && r.performance.request_latency_ms.p95 !== null && Math.abs(r.performance.request_latency_ms.p95 - p95) / p95 < 0.02,
    `p95 ${r.performance.request_latency_ms.p95} vs Prometheus ${p95}`)
})
