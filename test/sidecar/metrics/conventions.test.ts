// Issue 9: the sidecar reads Python, Go, JVM, OpenTelemetry and Node apps right with no metric
// settings. Each case is two scrapes 10 s apart of an exposition as that ecosystem serves it
// (test/helpers/ecosystem-expositions.ts); the figures are worked out by hand in the comments.
import t from 'tap'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'
import { digestScrape, type MetricNames, type ScrapeDigest } from '../../../sidecar/metrics/scrape-digest.js'
import { deriveFigures } from '../../../sidecar/metrics/derive-figures.js'
import { conventionSetup } from '../../../sidecar/metrics/convention-setup.js'
import { defaultMetricNames } from '../../helpers/default-metric-names.js'
import * as apps from '../../helpers/ecosystem-expositions.js'

const T0 = Date.parse('2026-03-01T12:00:00Z')

function twoScrapes (exposition: (k: number) => string, names: MetricNames = defaultMetricNames): ScrapeDigest[] {
  return [0, 1].map((k) => digestScrape(parseExposition(exposition(k)), names, T0 + k * 10_000))
}

function read (exposition: (k: number) => string, names: MetricNames = defaultMetricNames) {
  const scrapes = twoScrapes(exposition, names)
  const figures = deriveFigures(scrapes, T0 + 10_000)
  const setup = conventionSetup(scrapes[1].conventions, names)
  return { figures, setup, missing: scrapes[1].missing, unconfigured: setup.unconfigured.map((u) => u.path).sort() }
}

const NOT_NODE = ['infrastructure.node_version', 'performance.event_loop_delay_p99_ms']
const NO_HEAP = ['infrastructure.memory.heap_total_bytes', 'infrastructure.memory.heap_used_bytes']
const lowest = (paths: string, le: number, one = false) =>
  `metrics: performance.request_latency_ms.${paths} ${one ? 'lies' : 'lie'} in the lowest bucket (≤ ${le} ms): ${one ? 'an upper bound, not a measurement' : 'upper bounds, not measurements'}.`

interface Case {
  name: string
  exposition: (k: number) => string
  performance: Record<string, unknown>
  detected: Record<string, string | null>
  unconfigured: string[]
  notes: string[]
  cache?: { hits: number | null, misses: number | null }
  memory?: Record<string, number | null>
  nodeVersion?: string | null
}

const cases: Case[] = [
  {
    // 200 requests, 10 of them 5xx on the counter (the histogram has no status); 120/190/200 by 0.1/0.5/1 s.
    name: 'FastAPI with prometheus-fastapi-instrumentator: errors from http_requests_total{status="5xx"}',
    exposition: apps.fastapiInstrumentator,
    performance: { cpu_percent: 10, requests_per_s: 20, error_rate: 0.05, request_latency_ms: { p50: 83.333, p95: 500, p99: 900, count: 200 } },
    detected: { runtime: 'python 3.11.2', cpu_metric: 'process_cpu_seconds_total', request_metric: 'http_request_duration_seconds', status_label: 'status', error_metric: 'http_requests_total', heap_used_metric: null, cache_metric: null },
    unconfigured: ['cache', ...NO_HEAP, ...NOT_NODE].sort(),
    notes: [lowest('p50', 100, true)]
  },
  {
    // 400 requests, 20 of them `5xx` on the histogram; buckets 0/380/400 by 5 ms/10 ms/250 ms.
    name: 'a hand-written FastAPI app: `status` with grouped values on the histogram, cache counters',
    exposition: apps.fastapiHandwritten,
    performance: { cpu_percent: 30, requests_per_s: 40, error_rate: 0.05, request_latency_ms: { p50: 7.632, p95: 10, p99: 202, count: 400 } },
    detected: { status_label: 'status', error_metric: 'http_request_duration_seconds', cache_metric: 'cache_hits_total, cache_misses_total' },
    unconfigured: [...NO_HEAP, ...NOT_NODE].sort(),
    notes: [],
    cache: { hits: 75, misses: 25 }
  },
  {
    // 100 requests, all under 0.1 s: Prometheus's interpolation reads 50/95/99 ms; 2 of them 503.
    name: 'the Prometheus server (Go): its own histogram name, `code` on its request counter',
    exposition: apps.prometheusServer,
    performance: { cpu_percent: 5, requests_per_s: 10, error_rate: 0.02, request_latency_ms: { p50: 50, p95: 95, p99: 99, count: 100 } },
    detected: { runtime: 'go 1.22.1', request_metric: 'prometheus_http_request_duration_seconds', status_label: 'code', error_metric: 'prometheus_http_requests_total', heap_used_metric: 'go_memstats_heap_alloc_bytes', heap_total_metric: 'go_memstats_heap_sys_bytes' },
    unconfigured: ['cache', ...NOT_NODE].sort(),
    notes: [lowest('p50, p95, p99', 100)],
    memory: { rss_bytes: 1.12e8, heap_used_bytes: 3.1e7, heap_total_bytes: 4.6e7 }
  },
  {
    // 200 requests: 30/170/200 by 25/100/250 ms; 10 answered 500.
    name: 'a Go service with promhttp: `code` on the histogram',
    exposition: apps.goPromhttp,
    performance: { cpu_percent: 10, requests_per_s: 20, error_rate: 0.05, request_latency_ms: { p50: 62.5, p95: 200, p99: 240, count: 200 } },
    detected: { status_label: 'code', error_metric: 'http_request_duration_seconds' },
    unconfigured: ['cache', ...NOT_NODE].sort(),
    notes: []
  },
  {
    // process_cpu_usage 0.125 of 4 cores: half a core. 400 requests, 20 of them 500; no buckets.
    name: 'Spring Boot with Micrometer\'s defaults: a summary, CPU as a share of all cores, cache_gets_total{result}',
    exposition: apps.springSummary,
    performance: { cpu_percent: 50, requests_per_s: 40, error_rate: 0.05, request_latency_ms: { p50: null, p95: null, p99: null, count: 400 } },
    detected: { runtime: 'jvm 17.0.9+9', cpu_metric: 'process_cpu_usage × system_cpu_count', request_metric: 'http_server_requests_seconds', status_label: 'status', heap_used_metric: 'jvm_memory_used_bytes{area="heap"}', cache_metric: 'cache_gets_total{result}', memory_metric: null },
    unconfigured: ['infrastructure.memory.rss_bytes', ...NOT_NODE, 'performance.request_latency_ms.p50', 'performance.request_latency_ms.p95', 'performance.request_latency_ms.p99'].sort(),
    notes: [],
    cache: { hits: 75, misses: 25 },
    // The heap pools summed: Eden + Old Gen + Survivor, not Metaspace.
    memory: { rss_bytes: null, heap_used_bytes: 4.4e7, heap_total_bytes: 1.04e8 }
  },
  {
    // The CPU counter wins over the gauge (0.9 × 4 would read 360 %): 2.5 s in 10 s.
    name: 'Spring Boot with percentiles-histogram and process_cpu_time_ns_total',
    exposition: apps.springHistogram,
    performance: { cpu_percent: 25, requests_per_s: 40, error_rate: 0.05, request_latency_ms: { p50: 50, p95: 300, p99: 460, count: 400 } },
    detected: { cpu_metric: 'process_cpu_time_ns_total', request_metric: 'http_server_requests_seconds', status_label: 'status' },
    unconfigured: ['infrastructure.memory.rss_bytes', ...NOT_NODE].sort(),
    notes: [lowest('p50', 50, true)]
  },
  {
    // 200 requests: 180 fast, 20 (the 500s) past the highest bound of 10 s.
    name: 'OpenTelemetry: http_server_request_duration_seconds with http_response_status_code, no process metrics',
    exposition: apps.otel,
    performance: { cpu_percent: null, requests_per_s: 20, error_rate: 0.1, request_latency_ms: { p50: 25, p95: 10000, p99: 10000, count: 200 } },
    detected: { runtime: null, cpu_metric: null, request_metric: 'http_server_request_duration_seconds', status_label: 'http_response_status_code' },
    unconfigured: ['cache', 'infrastructure.memory.rss_bytes', 'infrastructure.uptime_s', 'performance.cpu_percent', ...NO_HEAP, ...NOT_NODE].sort(),
    notes: ['metrics: performance.request_latency_ms.p95, p99 lie in the +Inf bucket (> 10000 ms): lower bounds, not measurements.']
  },
  {
    name: 'Node with prom-client: everything, node_version and event-loop lag included',
    exposition: apps.promClient,
    performance: { cpu_percent: 2, event_loop_delay_p99_ms: 12, requests_per_s: 20, error_rate: 0.05, request_latency_ms: { p50: 45.455, p95: 100, p99: 420, count: 200 } },
    detected: { runtime: 'node 20.11.0', event_loop_lag_metric: 'nodejs_eventloop_lag_p99_seconds', heap_used_metric: 'nodejs_heap_size_used_bytes', status_label: 'status_code' },
    unconfigured: [],
    notes: [lowest('p50', 50, true)],
    cache: { hits: 75, misses: 25 },
    memory: { rss_bytes: 81920000, heap_used_bytes: 30000000, heap_total_bytes: 40000000 },
    nodeVersion: 'v20.11.0'
  }
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    const { figures, setup, unconfigured } = read(c.exposition)
    t.match(figures.performance, c.performance, 'performance figures')
    t.match(setup.detected, c.detected, 'setup.detected')
    t.same(unconfigured, c.unconfigured, 'setup.unconfigured: what the app does not offer, said once')
    t.same(figures.notes, c.notes, 'notes: only what is wrong or a bound')
    if (c.cache) t.same(figures.cache, c.cache)
    if (c.memory) t.same(figures.infrastructure?.memory, c.memory)
    t.equal(figures.infrastructure?.node_version, c.nodeVersion ?? null)
  })
}

t.test('a histogram with no status label and no request counter beside it: error_rate null, with the reason in setup', async (t) => {
  const exposition = (k: number) => apps.goPromhttp(k)
    .replaceAll('http_request_duration_seconds', 'shop_http_request_duration_seconds')
    .replaceAll('code="200",', '')
    .replaceAll('code="500",method="get"', 'method="post"')
  const { figures, setup } = read(exposition)
  t.equal(figures.performance?.error_rate, null, 'never a silent 0')
  t.equal(figures.performance?.requests_per_s, 20, 'the rate is still known')
  t.equal(setup.detected.request_metric, 'shop_http_request_duration_seconds', 'any *_http_request_duration_seconds is found')
  t.equal(setup.detected.status_label, null)
  t.match(setup.unconfigured.find((u) => u.path === 'performance.error_rate')?.reason, /shop_http_request_duration_seconds has no status label/)
})

t.test('no request family at all: the request figures are said once, not noted', async (t) => {
  const { figures, unconfigured } = read((k) => apps.promClient(k).split('# HELP http_request_duration_seconds')[0])
  t.equal(figures.performance?.error_rate, null)
  t.ok(['performance.error_rate', 'performance.request_latency_ms', 'performance.requests_per_s'].every((p) => unconfigured.includes(p)))
  t.same(figures.notes, [])
})

t.test('Micrometer\'s process_cpu_usage without system_cpu_count: null, and why', async (t) => {
  const { figures, setup } = read((k) => apps.springSummary(k).replace(/system_cpu_count 4\.0/, ''))
  t.equal(figures.performance?.cpu_percent, null)
  t.match(setup.unconfigured.find((u) => u.path === 'performance.cpu_percent')?.reason, /share of all cores/)
})

t.test('configured names win over detection; a configured name that is absent is a note, not setup', async (t) => {
  // The prom-client app plus the app's own names, which the user points at.
  const exposition = (k: number) => `${apps.promClient(k)}
# TYPE app_cpu_seconds_total counter
app_cpu_seconds_total ${[10, 15][k]}
# TYPE app_request_seconds histogram
app_request_seconds_bucket{result="500",le="1"} ${[1, 5][k]}
app_request_seconds_bucket{result="500",le="+Inf"} ${[1, 5][k]}
app_request_seconds_count{result="500"} ${[1, 5][k]}
app_request_seconds_sum{result="500"} 1
app_request_seconds_bucket{result="200",le="1"} ${[9, 25][k]}
app_request_seconds_bucket{result="200",le="+Inf"} ${[9, 25][k]}
app_request_seconds_count{result="200"} ${[9, 25][k]}
app_request_seconds_sum{result="200"} 1`
  const names: MetricNames = { ...defaultMetricNames, cpu: 'app_cpu_seconds_total', requestDuration: 'app_request_seconds', statusCodeLabel: 'result', heapUsed: 'app_heap_bytes' }
  const { figures, setup, missing, unconfigured } = read(exposition, names)
  t.equal(figures.performance?.cpu_percent, 50, '5 s of app_cpu_seconds_total in 10 s, not process_cpu_seconds_total')
  t.equal(figures.performance?.error_rate, 0.2, '4 of 20 answered 500 on app_request_seconds{result}')
  t.match(setup.detected, { cpu_metric: 'app_cpu_seconds_total', request_metric: 'app_request_seconds', status_label: 'result', heap_used_metric: null })
  t.same(missing, ['app_heap_bytes (--heap-used-metric)'], 'the absent configured name, for a note')
  t.notOk(unconfigured.includes('infrastructure.memory.heap_used_bytes'), 'not said to be "not offered": someone set it')
  t.equal(figures.infrastructure?.memory?.heap_used_bytes, null)
})

t.test('a configured status label the family does not have is a note, and error_rate null', async (t) => {
  const { figures, missing, unconfigured } = read(apps.promClient, { ...defaultMetricNames, statusCodeLabel: 'http_status' })
  t.equal(figures.performance?.error_rate, null)
  t.same(missing, ['http_status (--status-code-label)'])
  t.notOk(unconfigured.includes('performance.error_rate'))
})
