import t from 'tap'
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client'
import { deriveFigures } from '../../../sidecar/metrics/derive-figures.js'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'
import { digestScrape, type MetricNames, type ScrapeDigest } from '../../../sidecar/metrics/scrape-digest.js'
import { defaultMetricNames } from '../../helpers/default-metric-names.js'

const defaults = defaultMetricNames

const T0 = Date.parse('2026-03-01T12:00:00Z')

async function scrape (registry: Registry, at: number, names: MetricNames = defaults): Promise<ScrapeDigest> {
  return digestScrape(parseExposition(await registry.metrics()), names, at)
}

/** A fresh registry holding our own process_cpu_seconds_total (prom-client's default one reads the real CPU). */
function processMetrics () {
  const registry = new Registry()
  const cpu = new Counter({ name: 'process_cpu_seconds_total', help: 'CPU seconds', registers: [registry] })
  const start = new Gauge({ name: 'process_start_time_seconds', help: 'Start time', registers: [registry] })
  start.set(T0 / 1000 - 3600)
  return { registry, cpu, start }
}

t.test('cpu_percent from two scrapes', async (t) => {
  const { registry, cpu } = processMetrics()
  cpu.inc(12.5)
  const a = await scrape(registry, T0)
  cpu.inc(2.5) // 2.5 CPU seconds in 10 s: 25% of one core
  const b = await scrape(registry, T0 + 10_000)
  t.equal(deriveFigures([a, b], T0 + 10_000).performance?.cpu_percent, 25)
  // More than one core's worth is more than 100%, as `rate(process_cpu_seconds_total)` says.
  cpu.inc(15)
  const c = await scrape(registry, T0 + 20_000)
  t.equal(deriveFigures([b, c], T0 + 20_000).performance?.cpu_percent, 150)
  t.equal(deriveFigures([a, b, c], T0 + 20_000).performance?.cpu_percent, 87.5, '(2.5 + 15) s over 20 s')
})

t.test('cpu_percent across a counter reset', async (t) => {
  const { registry, cpu } = processMetrics()
  cpu.inc(100)
  const a = await scrape(registry, T0)
  cpu.inc(1) // 101
  const b = await scrape(registry, T0 + 10_000)
  cpu.reset()
  cpu.inc(3) // reset, then 3 s counted since
  const c = await scrape(registry, T0 + 20_000)
  // 1 s + 3 s over 20 s; without the reset rule the step would be -98 s.
  t.equal(deriveFigures([a, b, c], T0 + 20_000).performance?.cpu_percent, 20)
})

t.test('a restart (process_start_time_seconds changes) without a visible counter decrease', async (t) => {
  const { registry, cpu, start } = processMetrics()
  cpu.inc(2)
  const a = await scrape(registry, T0)
  // The app restarted and has already used 5 s of CPU: the counter went 2 → 5, which looks like
  // +3 unless the new start time is noticed.
  start.set(T0 / 1000 + 5)
  cpu.reset()
  cpu.inc(5)
  const b = await scrape(registry, T0 + 10_000)
  const figures = deriveFigures([a, b], T0 + 10_000)
  t.equal(figures.performance?.cpu_percent, 50, '5 s since the restart over 10 s, not 3 s')
  t.equal(figures.infrastructure?.uptime_s, 5, 'uptime from the new start time')
})

t.test('request latency, rate and error rate from a labelled histogram over the window', async (t) => {
  const registry = new Registry()
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request duration',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry]
  })
  const observe = (labels: Record<string, string>, seconds: number, times: number) => {
    for (let i = 0; i < times; i++) duration.observe(labels, seconds)
  }
  const a200 = { method: 'GET', route: '/a', status_code: '200' }
  const b200 = { method: 'GET', route: '/b', status_code: '200' }
  const c500 = { method: 'POST', route: '/c', status_code: '500' }
  const d404 = { method: 'GET', route: '/d', status_code: '404' }
  // Before the window: 100 slow requests. Counted in the buckets, they would put p95 at +Inf's edge.
  observe(a200, 2, 100)
  observe(b200, 0.2, 1)
  const first = await scrape(registry, T0)
  // In the window (10 s): 10 × 30 ms, 6 × 200 ms, 4 × 700 ms (500s: a label set new in the window).
  observe(a200, 0.03, 10)
  observe(b200, 0.2, 6)
  observe(c500, 0.7, 4)
  observe(d404, 0.03, 0)
  const second = await scrape(registry, T0 + 10_000)

  // By hand, Prometheus's histogram_quantile over sum by (le) of the increases:
  // cumulative le 0.05: 10, 0.1: 10, 0.25: 16, 0.5: 16, 1: 20, +Inf: 20 (20 requests).
  // p50: rank 10 → bucket (0, 0.05], 10 of 10 → 0.05 s.
  // p95: rank 19 → bucket (0.5, 1], holding 4; 3 of them below the rank → 0.5 + 0.5 × 3/4 = 0.875 s.
  // p99: rank 19.8 → 0.5 + 0.5 × 3.8/4 = 0.975 s.
  const perf = deriveFigures([first, second], T0 + 10_000).performance
  t.same(perf?.request_latency_ms, { p50: 50, p95: 875, p99: 975, count: 20 })
  t.equal(perf?.requests_per_s, 2, '20 requests in 10 s')
  t.equal(perf?.error_rate, 0.2, '4 of 20 answered 5xx')
})

t.test('the request window spans several scrapes, pairwise', async (t) => {
  const registry = new Registry()
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request duration',
    labelNames: ['status_code'],
    buckets: [0.1, 1],
    registers: [registry]
  })
  duration.observe({ status_code: '200' }, 5)
  const s1 = await scrape(registry, T0)
  for (let i = 0; i < 3; i++) duration.observe({ status_code: '200' }, 0.05)
  const s2 = await scrape(registry, T0 + 5_000)
  duration.observe({ status_code: '503' }, 0.5)
  const s3 = await scrape(registry, T0 + 10_000)
  const perf = deriveFigures([s1, s2, s3], T0 + 10_000).performance
  // Window: 3 × 50 ms and 1 × 500 ms. le 0.1: 3, 1: 4. p50: rank 2 → 0.1 × 2/3 s.
  t.equal(perf?.request_latency_ms?.p50, 66.667)
  t.equal(perf?.request_latency_ms?.count, 4)
  t.equal(perf?.error_rate, 0.25)
  t.equal(perf?.requests_per_s, 0.4)
})

t.test('an empty window: no percentiles (null, never 0 ms), count 0', async (t) => {
  const registry = new Registry()
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request duration',
    labelNames: ['status_code'],
    registers: [registry]
  })
  duration.observe({ status_code: '200' }, 0.3)
  const a = await scrape(registry, T0)
  const b = await scrape(registry, T0 + 10_000)
  const perf = deriveFigures([a, b], T0 + 10_000).performance
  t.same(perf?.request_latency_ms, { p50: null, p95: null, p99: null, count: 0 })
  t.equal(perf?.requests_per_s, 0, 'no requests is a rate of 0, measured')
  t.equal(perf?.error_rate, null, 'no requests: no error rate')
})

t.test('a histogram with no observations at all', async (t) => {
  const registry = new Registry()
  // eslint-disable-next-line no-new
  new Histogram({ name: 'http_request_duration_seconds', help: 'Request duration', labelNames: ['status_code'], registers: [registry] })
  const a = await scrape(registry, T0)
  const b = await scrape(registry, T0 + 10_000)
  const perf = deriveFigures([a, b], T0 + 10_000).performance
  t.equal(perf?.request_latency_ms?.p95, null)
  t.equal(perf?.error_rate, null)
})

t.test('one scrape only: every rate and percentile is null', async (t) => {
  const { registry, cpu } = processMetrics()
  const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'd', labelNames: ['status_code'], registers: [registry] })
  const hits = new Counter({ name: 'cache_hits_total', help: 'h', registers: [registry] })
  const rss = new Gauge({ name: 'process_resident_memory_bytes', help: 'rss', registers: [registry] })
  cpu.inc(3)
  duration.observe({ status_code: '200' }, 0.1)
  hits.inc(7)
  rss.set(123_456_789)
  const only = await scrape(registry, T0)
  const figures = deriveFigures([only], T0 + 1000)
  t.equal(figures.performance?.cpu_percent, null)
  t.equal(figures.performance?.requests_per_s, null)
  t.same(figures.performance?.request_latency_ms, { p50: null, p95: null, p99: null, count: null })
  t.equal(figures.performance?.error_rate, null)
  t.equal(figures.cache?.hits, null, 'a counter seen once has no increase yet')
  t.equal(figures.infrastructure?.memory?.rss_bytes, 123_456_789, 'gauges are read from one scrape')
  t.same(figures.metrics, { series_count: only.seriesCount, scrape_age_ms: 1000 })
})

t.test('gauges: memory, heap, event-loop lag, node version, uptime', async (t) => {
  const registry = new Registry()
  const start = new Gauge({ name: 'process_start_time_seconds', help: 's', registers: [registry] })
  new Gauge({ name: 'process_resident_memory_bytes', help: 'r', registers: [registry] }).set(50_000_000)
  new Gauge({ name: 'nodejs_heap_size_used_bytes', help: 'u', registers: [registry] }).set(20_000_000)
  new Gauge({ name: 'nodejs_heap_size_total_bytes', help: 't', registers: [registry] }).set(30_000_000)
  new Gauge({ name: 'nodejs_eventloop_lag_p99_seconds', help: 'l', registers: [registry] }).set(0.0125)
  new Gauge({ name: 'nodejs_version_info', help: 'v', labelNames: ['version', 'major'], registers: [registry] }).set({ version: 'v20.11.1', major: '20' }, 1)
  start.set(T0 / 1000 - 90)
  const figures = deriveFigures([await scrape(registry, T0)], T0 + 10_000)
  t.same(figures.infrastructure, {
    node_version: 'v20.11.1',
    uptime_s: 100,
    memory: { rss_bytes: 50_000_000, heap_used_bytes: 20_000_000, heap_total_bytes: 30_000_000 }
  })
  t.equal(figures.performance?.event_loop_delay_p99_ms, 12.5)
})

t.test('cache hits and misses: the increase over the window, reset handled', async (t) => {
  const registry = new Registry()
  const hits = new Counter({ name: 'cache_hits_total', help: 'h', labelNames: ['cache'], registers: [registry] })
  const misses = new Counter({ name: 'cache_misses_total', help: 'm', registers: [registry] })
  hits.inc({ cache: 'users' }, 10)
  hits.inc({ cache: 'posts' }, 5)
  misses.inc(5)
  const a = await scrape(registry, T0)
  hits.inc({ cache: 'users' }, 20)
  hits.inc({ cache: 'posts' }, 10)
  misses.inc(10)
  const b = await scrape(registry, T0 + 10_000)
  t.same(deriveFigures([a, b], T0 + 10_000).cache, { hits: 30, misses: 10 }, 'summed across label sets')
  misses.reset()
  misses.inc(4)
  const c = await scrape(registry, T0 + 20_000)
  t.same(deriveFigures([a, b, c], T0 + 20_000).cache, { hits: 30, misses: 14 })
})

t.test('metrics the exposition does not have are null, never 0', async (t) => {
  const registry = new Registry()
  new Gauge({ name: 'unrelated', help: 'u', registers: [registry] }).set(1)
  const a = await scrape(registry, T0)
  const b = await scrape(registry, T0 + 10_000)
  t.same(b.missing, [], 'nothing configured, nothing missing: what detection did not find is said in setup')
  const set = await scrape(registry, T0 + 10_000, { ...defaults, cpu: 'process_cpu_seconds_total', requestDuration: 'http_request_duration_seconds' })
  t.same([...set.missing].sort(), ['http_request_duration_seconds (--request-duration-metric)', 'process_cpu_seconds_total (--cpu-metric)'], 'configured names listed with their flags')
  const f = deriveFigures([a, b], T0 + 10_000)
  t.equal(f.performance?.cpu_percent, null)
  t.equal(f.performance?.requests_per_s, null)
  t.same(f.cache, { hits: null, misses: null })
  t.equal(f.infrastructure?.memory?.rss_bytes, null)
  t.same(f.edge_engine, { active_edges: null, last_edge_created_ts: null, edges_per_min_rate: null })
  t.same(f.ingestion, { last_ingest_ts: null, ingest_latency_ms: null, recent_failures: null })
})

const edgeNames: MetricNames = {
  ...defaults,
  activeEdges: 'graph_active_edges',
  edgesCreated: 'graph_edges_created_total',
  lastEdgeCreated: 'graph_last_edge_created_seconds',
  lastIngest: 'ingest_last_timestamp_seconds',
  ingestFailures: 'ingest_failures_total'
}

t.test('edge and ingestion figures from configured names; ingest latency as a gauge', async (t) => {
  const names: MetricNames = { ...edgeNames, ingestLatency: 'ingest_latency_seconds' }
  const registry = new Registry()
  const active = new Gauge({ name: 'graph_active_edges', help: 'a', labelNames: ['shard'], registers: [registry] })
  const created = new Counter({ name: 'graph_edges_created_total', help: 'c', registers: [registry] })
  const lastEdge = new Gauge({ name: 'graph_last_edge_created_seconds', help: 'l', registers: [registry] })
  const latency = new Gauge({ name: 'ingest_latency_seconds', help: 'i', registers: [registry] })
  const lastIngest = new Gauge({ name: 'ingest_last_timestamp_seconds', help: 'li', registers: [registry] })
  const failures = new Counter({ name: 'ingest_failures_total', help: 'f', registers: [registry] })
  created.inc(100)
  failures.inc(2)
  const a = await scrape(registry, T0, names)
  active.set({ shard: '1' }, 40)
  active.set({ shard: '2' }, 2)
  created.inc(30) // 30 in 10 s: 180 per minute
  lastEdge.set(T0 / 1000 + 9)
  latency.set(0.25)
  lastIngest.set(T0 / 1000 + 8.5)
  failures.inc(3)
  const b = await scrape(registry, T0 + 10_000, names)
  const f = deriveFigures([a, b], T0 + 10_000)
  t.same(f.edge_engine, { active_edges: 42, last_edge_created_ts: '2026-03-01T12:00:09.000Z', edges_per_min_rate: 180 })
  t.same(f.ingestion, { last_ingest_ts: '2026-03-01T12:00:08.500Z', ingest_latency_ms: 250, recent_failures: 3 })
  for (const name of ['graph_active_edges', 'graph_edges_created_total', 'graph_last_edge_created_seconds', 'ingest_latency_seconds', 'ingest_last_timestamp_seconds', 'ingest_failures_total']) {
    t.notOk(b.missing.includes(name), `${name} found`)
  }
})

t.test('ingest latency as a histogram: the mean over the window', async (t) => {
  const names: MetricNames = { ...edgeNames, ingestLatency: 'ingest_duration_seconds' }
  const registry = new Registry()
  const h = new Histogram({ name: 'ingest_duration_seconds', help: 'i', labelNames: ['pipeline'], registers: [registry] })
  h.observe({ pipeline: 'a' }, 1)
  h.observe({ pipeline: 'a' }, 1)
  const a = await scrape(registry, T0, names)
  h.observe({ pipeline: 'a' }, 0.1)
  h.observe({ pipeline: 'b' }, 0.3)
  const b = await scrape(registry, T0 + 10_000, names)
  // (0.1 + 0.3) / 2 in the window; the all-time mean would be 2.4 / 4 = 600 ms.
  t.equal(deriveFigures([a, b], T0 + 10_000).ingestion?.ingest_latency_ms, 200)
  t.equal(deriveFigures([b], T0 + 10_000).ingestion?.ingest_latency_ms, null, 'one scrape: an empty window, no mean')
})

t.test('ingest latency as a summary: the mean over the window', async (t) => {
  const names: MetricNames = { ...edgeNames, ingestLatency: 'ingest_duration_seconds' }
  const registry = new Registry()
  const s = new Summary({ name: 'ingest_duration_seconds', help: 'i', registers: [registry] })
  s.observe(4)
  const a = await scrape(registry, T0, names)
  s.observe(0.5)
  s.observe(1.5)
  const b = await scrape(registry, T0 + 10_000, names)
  t.equal(deriveFigures([a, b], T0 + 10_000).ingestion?.ingest_latency_ms, 1000)
})
