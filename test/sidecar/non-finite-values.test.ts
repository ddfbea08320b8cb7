// Issue 8, item 1: one non-finite value took the report route down. A target exposition with
// `process_resident_memory_bytes NaN`, a counter at +Inf or 1e308, or a histogram without `_count`
// made GET /api/v2/diagnostics/reliability answer 500 for as long as the scrape stayed in the
// window. Here every figure the sidecar derives meets NaN, ±Inf and 1e308 in turn: the report is a
// 200 with that figure null and a note naming the metric, /health agrees with it, nothing is logged
// at error, and the next good scrape gives the full report back. The scrapes are fed to the real
// metrics source by hand under a manual clock, so the table runs without a poller or a timer; the
// same path through real sockets is in create-sidecar-non-finite.test.ts.
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { Value } from '@sinclair/typebox/value'
import { createReliabilityPlugin } from '../../plugin/reliability-plugin.js'
import { ReliabilityReport } from '../../schemas/report.js'
import { createMetricsSource } from '../../sidecar/sources/metrics-source.js'
import { defaultMetricNames } from '../helpers/default-metric-names.js'
import { manualClock } from '../helpers/build-app.js'
import { captureLog } from '../helpers/capture-log.js'
import type { MetricNames } from '../../sidecar/metrics/scrape-digest.js'

const REPORT = '/api/v2/diagnostics/reliability'
const INTERVAL = 5000
const T0 = Date.parse('2026-03-01T12:00:00Z')

const names: MetricNames = {
  ...defaultMetricNames,
  activeEdges: 'graph_active_edges',
  edgesCreated: 'graph_edges_created_total',
  lastEdgeCreated: 'graph_last_edge_created_seconds',
  ingestLatency: 'ingest_latency_seconds',
  lastIngest: 'ingest_last_timestamp_seconds',
  ingestFailures: 'ingest_failures_total'
}

const type = (name: string, kind: string, sample: string) => `# TYPE ${name} ${kind}\n${sample}`

/** The exposition's lines by series, for scrape `n`; a case overrides one of them. */
function lines (n: number, clock: number): Record<string, string> {
  const s = clock / 1000
  return {
    cpu: type('process_cpu_seconds_total', 'counter', `process_cpu_seconds_total ${10 + n}`),
    start: type('process_start_time_seconds', 'gauge', `process_start_time_seconds ${T0 / 1000 - 3600}`),
    rss: type('process_resident_memory_bytes', 'gauge', 'process_resident_memory_bytes 64000000'),
    heapUsed: type('nodejs_heap_size_used_bytes', 'gauge', 'nodejs_heap_size_used_bytes 20000000'),
    heapTotal: type('nodejs_heap_size_total_bytes', 'gauge', 'nodejs_heap_size_total_bytes 30000000'),
    lag: type('nodejs_eventloop_lag_p99_seconds', 'gauge', 'nodejs_eventloop_lag_p99_seconds 0.012'),
    requestType: '# TYPE http_request_duration_seconds histogram',
    bucketLow: `http_request_duration_seconds_bucket{status_code="200",le="0.1"} ${10 * n}`,
    bucketHigh: `http_request_duration_seconds_bucket{status_code="200",le="1"} ${20 * n}`,
    bucketInf: `http_request_duration_seconds_bucket{status_code="200",le="+Inf"} ${20 * n}`,
    requestSum: `http_request_duration_seconds_sum{status_code="200"} ${4 * n}`,
    requestCount: `http_request_duration_seconds_count{status_code="200"} ${20 * n}`,
    hits: type('cache_hits_total', 'counter', `cache_hits_total ${30 * n}`),
    misses: type('cache_misses_total', 'counter', `cache_misses_total ${10 * n}`),
    activeEdges: type('graph_active_edges', 'gauge', 'graph_active_edges 42'),
    edgesCreated: type('graph_edges_created_total', 'counter', `graph_edges_created_total ${100 + 5 * n}`),
    lastEdge: type('graph_last_edge_created_seconds', 'gauge', `graph_last_edge_created_seconds ${s - 1}`),
    ingestLatency: type('ingest_latency_seconds', 'gauge', 'ingest_latency_seconds 0.25'),
    lastIngest: type('ingest_last_timestamp_seconds', 'gauge', `ingest_last_timestamp_seconds ${s - 2}`),
    ingestFailures: type('ingest_failures_total', 'counter', `ingest_failures_total ${n}`)
  }
}

function exposition (samples: Record<string, string | null>): string {
  return Object.values(samples).filter((l) => l !== null).join('\n') + '\n'
}

type Report = ReliabilityReport

/** Every figure the metrics source derives, by its report path. */
const figures: Record<string, (r: Report) => unknown> = {
  'performance.cpu_percent': (r) => r.performance.cpu_percent,
  'performance.event_loop_delay_p99_ms': (r) => r.performance.event_loop_delay_p99_ms,
  'performance.request_latency_ms.p50': (r) => r.performance.request_latency_ms.p50,
  'performance.request_latency_ms.p95': (r) => r.performance.request_latency_ms.p95,
  'performance.request_latency_ms.p99': (r) => r.performance.request_latency_ms.p99,
  'performance.request_latency_ms.count': (r) => r.performance.request_latency_ms.count,
  'performance.requests_per_s': (r) => r.performance.requests_per_s,
  'performance.error_rate': (r) => r.performance.error_rate,
  'cache.hits': (r) => r.cache.hits,
  'cache.misses': (r) => r.cache.misses,
  'cache.hit_rate': (r) => r.cache.hit_rate,
  'infrastructure.uptime_s': (r) => r.infrastructure.uptime_s,
  'infrastructure.memory.rss_bytes': (r) => r.infrastructure.memory.rss_bytes,
  'infrastructure.memory.heap_used_bytes': (r) => r.infrastructure.memory.heap_used_bytes,
  'infrastructure.memory.heap_total_bytes': (r) => r.infrastructure.memory.heap_total_bytes,
  'edge_engine.active_edges': (r) => r.edge_engine.active_edges,
  'edge_engine.edges_per_min_rate': (r) => r.edge_engine.edges_per_min_rate,
  'edge_engine.last_edge_created_ts': (r) => r.edge_engine.last_edge_created_ts,
  'ingestion.ingest_latency_ms': (r) => r.ingestion.ingest_latency_ms,
  'ingestion.last_ingest_ts': (r) => r.ingestion.last_ingest_ts,
  'ingestion.recent_failures': (r) => r.ingestion.recent_failures
}

const requestFigures = ['performance.request_latency_ms.p50', 'performance.request_latency_ms.p95', 'performance.request_latency_ms.p99',
  'performance.request_latency_ms.count', 'performance.requests_per_s', 'performance.error_rate']

interface Rig {
  /** Log lines at error or above since this rig was made. */
  errors: () => Array<Record<string, unknown>>
  /** Feeds scrape `n` (the clock moves one interval first) with `override` applied to its lines. */
  scrape: (n: number, override?: Record<string, string | null>) => void
  report: () => Promise<{ statusCode: number, report: Report }>
  health: () => Promise<number>
}

interface Shared {
  app: FastifyInstance
  logs: Array<Record<string, unknown>>
  current: { metrics: ReturnType<typeof createMetricsSource>, now: () => number }
}

// One app for the whole file, registered as the sidecar registers the plugin, with every request
// regenerating the report: each case swaps in a fresh metrics source and clock. Building an app per
// case would compile the report serializer ~80 times for nothing.
let shared: Shared | undefined

async function sharedApp (): Promise<Shared> {
  if (shared) return shared
  const { log, lines: logs } = captureLog('info')
  const app = Fastify({ loggerInstance: log }) as unknown as FastifyInstance
  const state: Shared = { app, logs, current: { metrics: newMetricsSource(() => T0), now: () => T0 } }
  await app.register(createReliabilityPlugin({
    builtinSources: false,
    extraSources: [{ name: 'metrics', collect: (ctx) => state.current.metrics.source.collect(ctx) }],
    expectedSources: ['metrics'],
    clock: () => state.current.now()
  }), { cacheTtlMs: 0, maxStaleMs: 0 })
  t.teardown(() => app.close())
  await app.ready()
  shared = state
  return state
}

function newMetricsSource (now: () => number) {
  return createMetricsSource({ path: '/metrics', intervalMs: INTERVAL, windowMs: 60_000, maxSeries: 10_000, names, now })
}

async function rig (): Promise<Rig> {
  const { app, logs, current } = await sharedApp()
  const clock = manualClock(T0)
  const metrics = newMetricsSource(clock.now)
  current.metrics = metrics
  current.now = clock.now
  const seen = logs.length
  return {
    errors: () => logs.slice(seen).filter((l) => (l.level as number) >= 50),
    scrape (n, override = {}) {
      clock.advance(INTERVAL)
      const body = exposition({ ...lines(n, clock.now()), ...override })
      const failure = metrics.handler.onResult({
        answer: { statusCode: 200, contentType: 'text/plain; version=0.0.4', body, lines: [body], durationMs: 1 },
        at: clock.now(),
        durationMs: 1
      })
      if (failure) throw failure
    },
    async report () {
      const res = await app.inject(REPORT)
      return { statusCode: res.statusCode, report: res.json() as Report }
    },
    async health () {
      return (await app.inject('/health')).statusCode
    }
  }
}

const nullFigures = (r: Report) => Object.entries(figures).filter(([, read]) => read(r) === null).map(([path]) => path)

/** What one bad scrape does: the series it breaks and the figures that must come out null. */
interface Case {
  readonly metric: string
  readonly series: string
  readonly line: (value: string) => string
  readonly nulls: readonly string[]
  /**
   * The parser reads an absent `_count` as NaN, so a NaN one is taken as absent: the requests are
   * counted from the +Inf bucket (issue 8 asked for null there; the count can be derived, so it is).
   */
  readonly nanMeansAbsent?: true
}

const cases: Case[] = [
  { metric: 'process_cpu_seconds_total', series: 'cpu', line: (v) => type('process_cpu_seconds_total', 'counter', `process_cpu_seconds_total ${v}`), nulls: ['performance.cpu_percent'] },
  { metric: 'process_start_time_seconds', series: 'start', line: (v) => type('process_start_time_seconds', 'gauge', `process_start_time_seconds ${v}`), nulls: ['infrastructure.uptime_s'] },
  { metric: 'process_resident_memory_bytes', series: 'rss', line: (v) => type('process_resident_memory_bytes', 'gauge', `process_resident_memory_bytes ${v}`), nulls: ['infrastructure.memory.rss_bytes'] },
  { metric: 'nodejs_heap_size_used_bytes', series: 'heapUsed', line: (v) => type('nodejs_heap_size_used_bytes', 'gauge', `nodejs_heap_size_used_bytes ${v}`), nulls: ['infrastructure.memory.heap_used_bytes'] },
  { metric: 'nodejs_heap_size_total_bytes', series: 'heapTotal', line: (v) => type('nodejs_heap_size_total_bytes', 'gauge', `nodejs_heap_size_total_bytes ${v}`), nulls: ['infrastructure.memory.heap_total_bytes'] },
  { metric: 'nodejs_eventloop_lag_p99_seconds', series: 'lag', line: (v) => type('nodejs_eventloop_lag_p99_seconds', 'gauge', `nodejs_eventloop_lag_p99_seconds ${v}`), nulls: ['performance.event_loop_delay_p99_ms'] },
  { metric: 'http_request_duration_seconds', series: 'bucketLow', line: (v) => `http_request_duration_seconds_bucket{status_code="200",le="0.1"} ${v}`, nulls: requestFigures },
  { metric: 'http_request_duration_seconds', series: 'bucketInf', line: (v) => `http_request_duration_seconds_bucket{status_code="200",le="+Inf"} ${v}`, nulls: requestFigures },
  { metric: 'http_request_duration_seconds', series: 'requestCount', line: (v) => `http_request_duration_seconds_count{status_code="200"} ${v}`, nulls: requestFigures, nanMeansAbsent: true },
  { metric: 'cache_hits_total', series: 'hits', line: (v) => type('cache_hits_total', 'counter', `cache_hits_total ${v}`), nulls: ['cache.hits', 'cache.hit_rate'] },
  { metric: 'cache_misses_total', series: 'misses', line: (v) => type('cache_misses_total', 'counter', `cache_misses_total ${v}`), nulls: ['cache.misses', 'cache.hit_rate'] },
  { metric: 'graph_active_edges', series: 'activeEdges', line: (v) => type('graph_active_edges', 'gauge', `graph_active_edges ${v}`), nulls: ['edge_engine.active_edges'] },
  { metric: 'graph_edges_created_total', series: 'edgesCreated', line: (v) => type('graph_edges_created_total', 'counter', `graph_edges_created_total ${v}`), nulls: ['edge_engine.edges_per_min_rate'] },
  { metric: 'graph_last_edge_created_seconds', series: 'lastEdge', line: (v) => type('graph_last_edge_created_seconds', 'gauge', `graph_last_edge_created_seconds ${v}`), nulls: ['edge_engine.last_edge_created_ts'] },
  { metric: 'ingest_latency_seconds', series: 'ingestLatency', line: (v) => type('ingest_latency_seconds', 'gauge', `ingest_latency_seconds ${v}`), nulls: ['ingestion.ingest_latency_ms'] },
  { metric: 'ingest_last_timestamp_seconds', series: 'lastIngest', line: (v) => type('ingest_last_timestamp_seconds', 'gauge', `ingest_last_timestamp_seconds ${v}`), nulls: ['ingestion.last_ingest_ts'] },
  { metric: 'ingest_failures_total', series: 'ingestFailures', line: (v) => type('ingest_failures_total', 'counter', `ingest_failures_total ${v}`), nulls: ['ingestion.recent_failures'] }
]

const badValues = ['NaN', '+Inf', '-Inf', '1e308']

t.test('every derived figure meets NaN, ±Inf and 1e308: a 200 report, that figure null with a note, the next good scrape full again', async (t) => {
  for (const c of cases) {
    for (const value of badValues) {
      await t.test(`${c.series}: ${c.line(value)}`, async (t) => {
        const r = await rig()
        r.scrape(1)
        r.scrape(2)
        const before = await r.report()
        t.equal(before.statusCode, 200)
        t.same(nullFigures(before.report), [], 'two good scrapes: every figure derived')

        r.scrape(3, { [c.series]: c.line(value) })
        const bad = await r.report()
        t.equal(bad.statusCode, 200, 'a 200, not the canned 500')
        t.ok(Value.Check(ReliabilityReport, bad.report), 'a report that matches its schema')
        if (c.nanMeansAbsent && value === 'NaN') {
          t.same(nullFigures(bad.report), [], 'counted from the +Inf bucket')
          t.ok(bad.report.notes.some((n) => n.startsWith(`metrics: ${c.metric} has no readable _count`)), 'a note says so')
        } else {
          t.same(nullFigures(bad.report).sort(), [...c.nulls].sort(), 'exactly the figures fed by that series are null')
          t.ok(bad.report.notes.some((n) => n.startsWith(`metrics: ${c.metric} `) && n.includes(c.nulls[0].split('.').slice(0, 2).join('.'))),
            'a note names the metric and the figure')
        }
        t.equal(bad.report.sources.metrics.status, 'ok', 'the scrape itself was fine')
        t.equal(await r.health(), bad.report.overall_status === 'down' ? 503 : 200, '/health agrees with the report')
        t.same(r.errors(), [], 'nothing logged at error')

        r.scrape(4)
        const fixed = await r.report()
        t.equal(fixed.statusCode, 200)
        t.same(nullFigures(fixed.report), [], 'the next good scrape: the full report')
        t.notOk(fixed.report.notes.some((n) => n.includes(c.metric)), 'and no note about it')
      })
    }
  }
})

t.test('a counter at +Inf for one scrape is a gap, not a rate and not a reset', async (t) => {
  const r = await rig()
  r.scrape(1) // cpu 11
  r.scrape(2) // cpu 12
  r.scrape(3, { cpu: 'process_cpu_seconds_total +Inf' })
  r.scrape(4) // cpu 14
  const { report } = await r.report()
  // 11 → 14 over three intervals of 5 s: 20% of a core. Counting the step down from +Inf as a reset
  // would add all 14 s again (113.33%); a rate of the jump would be +Inf.
  t.equal(report.performance.cpu_percent, 20)
  t.equal(report.overall_status, 'ok', 'HIGH_CPU did not fire on it')
})

t.test('the request histogram without _count or _sum', async (t) => {
  const tables: Array<{ name: string, override: Record<string, string | null>, nulls: string[], note: RegExp | undefined }> = [
    {
      name: 'no _count: the +Inf bucket counts the requests (OpenMetrics makes _count optional), and a note says so',
      override: { requestCount: null },
      nulls: [],
      note: /http_request_duration_seconds has no readable _count .*\+Inf bucket/
    },
    {
      name: 'no _count and no +Inf bucket: the request figures are null with a note',
      override: { requestCount: null, bucketInf: null },
      nulls: requestFigures,
      note: /http_request_duration_seconds has no _count \(or a NaN one\) and no \+Inf bucket in the last scrape, so performance\.request_latency_ms/
    },
    {
      name: 'no _sum: nothing the report derives needs it',
      override: { requestSum: null },
      nulls: [],
      note: undefined
    }
  ]
  for (const c of tables) {
    await t.test(c.name, async (t) => {
      const r = await rig()
      r.scrape(1, c.override)
      r.scrape(2, c.override)
      r.scrape(3, c.override)
      const res = await r.report()
      t.equal(res.statusCode, 200)
      t.same(nullFigures(res.report).sort(), [...c.nulls].sort())
      const note = c.note
      if (note) t.ok(res.report.notes.some((n) => note.test(n)), 'a note says why')
      else t.notOk(res.report.notes.some((n) => n.includes('http_request_duration_seconds')), 'no note')
      if (c.nulls.length === 0) t.equal(res.report.performance.request_latency_ms.count, 40, 'two steps of 20 requests')
      t.same(r.errors(), [])
      r.scrape(4)
      t.same(nullFigures((await r.report()).report), [], 'a complete histogram again: the full report')
    })
  }
})

t.test('an ingest-latency histogram without _count or _sum', async (t) => {
  // Scrape n has observed 4n ingestions of 0.25 s each: a mean of 250 ms over the window.
  const histogram = (sum: boolean | string, count: boolean | string, inf = true) => (n: number) => ({
    ingestLatency: [
      '# TYPE ingest_latency_seconds histogram',
      `ingest_latency_seconds_bucket{le="1"} ${4 * n}`,
      ...(inf ? [`ingest_latency_seconds_bucket{le="+Inf"} ${4 * n}`] : []),
      ...(sum === false ? [] : [`ingest_latency_seconds_sum ${sum === true ? n : sum}`]),
      ...(count === false ? [] : [`ingest_latency_seconds_count ${count === true ? 4 * n : count}`])
    ].join('\n')
  })
  const tables = [
    { name: 'complete', override: histogram(true, true), latency: 250, note: undefined },
    { name: 'no _sum', override: histogram(false, true), latency: null, note: /ingest_latency_seconds has no _sum \(or a NaN one\)/ },
    { name: '_sum +Inf', override: histogram('+Inf', true), latency: null, note: /ingest_latency_seconds has a _sum that is \+Inf/ },
    { name: 'no _count: from the +Inf bucket', override: histogram(true, false), latency: 250, note: undefined },
    { name: '_count 1e308', override: histogram(true, '1e308'), latency: null, note: /ingest_latency_seconds has a _count that is 1e\+308, beyond 2\^53/ },
    { name: 'no _count, no +Inf bucket', override: histogram(true, false, false), latency: null, note: /ingest_latency_seconds has no _count/ }
  ]
  for (const c of tables) {
    await t.test(c.name, async (t) => {
      const r = await rig()
      r.scrape(1, c.override(1))
      r.scrape(2, c.override(2))
      const res = await r.report()
      t.equal(res.statusCode, 200)
      t.equal(res.report.ingestion.ingest_latency_ms, c.latency)
      const note = c.note
      if (note) t.ok(res.report.notes.some((n) => note.test(n) && n.includes('ingestion.ingest_latency_ms')), 'a note says why')
      t.same(r.errors(), [])
    })
  }
})
