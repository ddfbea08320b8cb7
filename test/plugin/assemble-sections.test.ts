import t from 'tap'
import { assembleSections, emptySections } from '../../plugin/assemble-sections.js'
import type { ReportPatch } from '../../plugin/sources/source.js'
import type { ReportSections, ServiceStatus } from '../../schemas/report.js'

const WINDOW = 60_000

// Written out in full on purpose: a key dropped from the shape must fail here.
const empty: ReportSections = {
  services: [],
  performance: {
    cpu_percent: null,
    event_loop_delay_p99_ms: null,
    event_loop_utilization: null,
    request_latency_ms: { p50: null, p95: null, p99: null, count: null },
    requests_per_s: null,
    error_rate: null
  },
  cache: { hits: null, misses: null, operations: null, hit_rate: null },
  infrastructure: {
    hostname: null,
    pid: null,
    node_version: null,
    uptime_s: null,
    memory: { rss_bytes: null, heap_used_bytes: null, heap_total_bytes: null },
    load_avg: null
  },
  metrics: { series_count: null, scrape_age_ms: null, window_ms: WINDOW },
  edge_engine: { active_edges: null, last_edge_created_ts: null, edges_per_min_rate: null },
  ingestion: { last_ingest_ts: null, ingest_latency_ms: null, recent_failures: null },
  websocket: { active_connections: null, last_broadcast_ts: null, connection_rate: null },
  model_registry: { models: [] }
}

const svc = (name: string, status: ServiceStatus['status'] = 'ok'): ServiceStatus =>
  ({ name, status, critical: false, latency_ms: 1 })

t.test('no patches: the complete shape, every figure null', async (t) => {
  t.strictSame(assembleSections(WINDOW, []), empty)
  t.strictSame(emptySections(WINDOW), empty)
  t.equal(assembleSections(5_000, []).metrics.window_ms, 5_000)
})

t.test('notes and provenance are not sections', async (t) => {
  const sections = assembleSections(WINDOW, [{ notes: ['stale'], provenance: { status: 'stale', ageMs: 1 } }])
  t.strictSame(sections, empty)
})

t.test('partial performance patches from two sources merge deeply', async (t) => {
  const processPatch: ReportPatch = { performance: { cpu_percent: 12.5 }, infrastructure: { pid: 42, memory: { rss_bytes: 100 } } }
  const httpPatch: ReportPatch = {
    performance: { request_latency_ms: { p50: 3, p95: 9 }, requests_per_s: 4 },
    infrastructure: { memory: { heap_used_bytes: 50 } }
  }
  const laterPatch: ReportPatch = { performance: { request_latency_ms: { count: 70 }, event_loop_utilization: 0.25 } }
  const sections = assembleSections(WINDOW, [processPatch, httpPatch, laterPatch])
  t.strictSame(sections.performance, {
    cpu_percent: 12.5,
    event_loop_delay_p99_ms: null,
    event_loop_utilization: 0.25,
    request_latency_ms: { p50: 3, p95: 9, p99: null, count: 70 },
    requests_per_s: 4,
    error_rate: null
  })
  t.strictSame(sections.infrastructure.memory, { rss_bytes: 100, heap_used_bytes: 50, heap_total_bytes: null })
  t.equal(sections.infrastructure.pid, 42)
  t.equal(sections.infrastructure.hostname, null)
})

t.test('undefined in a patch leaves the figure alone; a later value wins', async (t) => {
  const sections = assembleSections(WINDOW, [
    { websocket: { active_connections: 3 } },
    { websocket: { active_connections: undefined, connection_rate: 1 } },
    { edge_engine: { active_edges: 1 } },
    { edge_engine: { active_edges: 2 } }
  ])
  t.equal(sections.websocket.active_connections, 3)
  t.equal(sections.websocket.connection_rate, 1)
  t.equal(sections.edge_engine.active_edges, 2)
})

t.test('arrays are replaced, not merged', async (t) => {
  const model = { name: 'ranker', version: '2', status: 'loaded' }
  const sections = assembleSections(WINDOW, [
    { infrastructure: { load_avg: [1, 2, 3] }, model_registry: { models: [{ name: 'old', version: '1', status: 'loaded' }] } },
    { infrastructure: { load_avg: [0.5, 0.5, 0.5] }, model_registry: { models: [model], default_model: 'ranker' } }
  ])
  t.strictSame(sections.infrastructure.load_avg, [0.5, 0.5, 0.5])
  t.strictSame(sections.model_registry, { models: [model], default_model: 'ranker' })
})

t.test('services from every patch are concatenated in order', async (t) => {
  const sections = assembleSections(WINDOW, [
    { services: [svc('db'), svc('redis', 'down')] },
    { cache: { hits: 1 } },
    { services: [svc('upstream', 'degraded')] }
  ])
  t.same(sections.services.map((s) => [s.name, s.status]), [['db', 'ok'], ['redis', 'down'], ['upstream', 'degraded']])
})

t.test('cache: operations and hit_rate derived from hits and misses', async (t) => {
  const cases: Array<{ name: string, cache: ReportPatch['cache'], operations: number | null, hitRate: number | null }> = [
    { name: 'hits and misses', cache: { hits: 75, misses: 25 }, operations: 100, hitRate: 0.75 },
    { name: 'no operations at all', cache: { hits: 0, misses: 0 }, operations: 0, hitRate: null },
    { name: 'all misses', cache: { hits: 0, misses: 10 }, operations: 10, hitRate: 0 },
    { name: 'hits only', cache: { hits: 5 }, operations: null, hitRate: null },
    { name: 'misses only', cache: { misses: 5 }, operations: null, hitRate: null },
    { name: 'operations given', cache: { hits: 30, operations: 40 }, operations: 40, hitRate: 0.75 },
    { name: 'operations given as 0', cache: { hits: 0, misses: 0, operations: 0 }, operations: 0, hitRate: null },
    { name: 'hit_rate given is kept', cache: { hits: 1, misses: 1, hit_rate: 0.9 }, operations: 2, hitRate: 0.9 },
    { name: 'nothing', cache: {}, operations: null, hitRate: null }
  ]
  for (const c of cases) {
    const { cache } = assembleSections(WINDOW, [{ cache: c.cache }])
    t.equal(cache.operations, c.operations, `${c.name}: operations`)
    t.equal(cache.hit_rate, c.hitRate, `${c.name}: hit_rate`)
  }
})

t.test('cache: hits and misses from two sources still derive', async (t) => {
  const { cache } = assembleSections(WINDOW, [{ cache: { hits: 9 } }, { cache: { misses: 1 } }])
  t.strictSame(cache, { hits: 9, misses: 1, operations: 10, hit_rate: 0.9 })
})

t.test('patches are not mutated and not shared with the result', async (t) => {
  const patch: ReportPatch = { performance: { request_latency_ms: { p50: 1 } }, cache: { hits: 1, misses: 1 } }
  const before = structuredClone(patch)
  const first = assembleSections(WINDOW, [patch])
  first.performance.request_latency_ms.p50 = 999
  t.strictSame(patch, before, 'the patch did not get derived figures or later edits')
  const second = assembleSections(WINDOW, [patch])
  t.equal(second.performance.request_latency_ms.p50, 1, 'each call starts from a fresh shape')
  t.not(first.performance, second.performance)
})
