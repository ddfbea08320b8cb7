// `setup` says once what no source fills and which rules therefore read nothing; notes stay for what
// is wrong or changed, so a healthy app's report has none (issue 9).
import t from 'tap'
import { buildApp } from '../helpers/build-app.js'
import { isUnfilled, reportSetup } from '../../plugin/report-setup.js'
import type { ReliabilityReport } from '../../schemas/report.js'
import type { SourceView } from '../../plugin/sources/orchestrator.js'

const REPORT = '/api/v2/diagnostics/reliability'

async function report (options: Parameters<typeof buildApp>[0]): Promise<ReliabilityReport> {
  const { app } = await buildApp(options)
  t.teardown(() => app.close())
  const res = await app.inject({ url: REPORT })
  return res.json()
}

t.test('a plugin with no user sources: setup lists them and the rules they leave idle; no notes', async (t) => {
  const r = await report({})
  // The one note: no request has finished yet in this window, so p95 is no data (news, not setup).
  t.same(r.notes, ['rule HIGH_P95_LATENCY: no data for performance.request_latency_ms.p95; it neither fires nor clears.'], 'nothing about unconfigured sections')
  t.same(r.setup.unconfigured.map((u) => u.path).sort(), ['cache', 'edge_engine', 'ingestion', 'model_registry', 'services', 'websocket'])
  t.ok(r.setup.unconfigured.every((u) => u.reason === 'no source configured'))
  // HIGH_CPU and HIGH_P95_LATENCY read the built-in sources; the other three read only user sections.
  t.same([...r.setup.idle_rules].sort(), ['LOW_CACHE_HIT_RATE', 'NO_ACTIVE_EDGES', 'SLOW_INGEST'])
  t.same(r.setup.detected, {})
})

t.test('a configured section leaves setup; a rule with data missing in a configured section is still noted', async (t) => {
  const r = await report({ sources: { ingestion: async () => ({ last_ingest_ts: null, ingest_latency_ms: null, recent_failures: 0 }) } })
  t.notOk(r.setup.unconfigured.some((u) => u.path === 'ingestion'), 'ingestion is configured')
  t.notOk(r.setup.idle_rules.includes('SLOW_INGEST'), 'its rule reads a configured section')
  t.ok(r.notes.some((n) => n.startsWith('rule SLOW_INGEST: no data for ingestion.ingest_latency_ms')), 'null where a source should give a value is news')
  // NO_ACTIVE_EDGES reads edge_engine (unconfigured) and ingestion (configured, never ingested).
  t.notOk(r.setup.idle_rules.includes('NO_ACTIVE_EDGES'), 'one configured input is enough to be live')
  t.notOk(r.notes.some((n) => n.includes('edge_engine.active_edges')), 'the unconfigured input is not noted')
})

t.test('a disabled rule is never idle; a user rule on an unconfigured path is', async (t) => {
  const r = await report({
    rules: [
      { code: 'SLOW_INGEST', enabled: false, severity: 'warning', message: 'off', conditions: [{ path: 'ingestion.ingest_latency_ms', op: '>', value: 1 }] },
      { code: 'MANY_SOCKETS', severity: 'info', message: 'many', conditions: [{ path: 'websocket.active_connections', op: '>', value: 1000 }] }
    ]
  })
  t.notOk(r.setup.idle_rules.includes('SLOW_INGEST'))
  t.ok(r.setup.idle_rules.includes('MANY_SOCKETS'))
  t.notOk(r.notes.some((n) => n.includes('MANY_SOCKETS')), 'an idle rule is not noted')
})

t.test('sources add what they detected and what they leave unfilled; the first reason for a path wins', async (t) => {
  const view = (name: string, setup: SourceView['data'] extends infer D ? D extends { setup?: infer S } ? S : never : never): SourceView =>
    ({ name, status: 'ok', durationMs: 0, ageMs: 0, startedAt: 0, data: { setup } })
  const setup = reportSetup([
    view('metrics', { detected: { cpu_metric: 'process_cpu_seconds_total', runtime: null }, unconfigured: [{ path: 'cache', reason: 'no cache counters' }] }),
    view('websocket', { unconfigured: [{ path: 'websocket', reason: 'not offered' }, { path: 'cache', reason: 'later' }] })
  ], ['model_registry'], [])
  t.same(setup.detected, { cpu_metric: 'process_cpu_seconds_total', runtime: null })
  t.same(setup.unconfigured, [
    { path: 'model_registry', reason: 'no source configured' },
    { path: 'cache', reason: 'no cache counters' },
    { path: 'websocket', reason: 'not offered' }
  ])
})

t.test('isUnfilled: a path within an unfilled one, never a sibling sharing its prefix', async (t) => {
  const unfilled = [{ path: 'performance.request_latency_ms', reason: 'no histogram' }, { path: 'cache', reason: 'x' }]
  t.ok(isUnfilled('performance.request_latency_ms.p95', unfilled))
  t.ok(isUnfilled('performance.request_latency_ms', unfilled))
  t.ok(isUnfilled('cache.hit_rate', unfilled))
  t.notOk(isUnfilled('performance.cpu_percent', unfilled))
  t.notOk(isUnfilled('cache_extra.x', unfilled), 'cache_extra is not within cache')
})
