import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { RuleSet } from '../../../schemas/rule.js'
import { defaultRules } from '../../../plugin/rules/default-rules.js'
import { evaluateRules } from '../../../plugin/rules/evaluate-rules.js'
import { resolveRules } from '../../../plugin/rules/resolve-rules.js'

const NOW = Date.parse('2026-03-01T12:00:00.000Z')
const secondsAgo = (s: number): string => new Date(NOW - s * 1000).toISOString()

/** A report with every default rule's inputs quiet, then `values` set by dotted path. */
function report (values: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = {
    performance: { cpu_percent: 10, request_latency_ms: { p50: 5, p95: 20, p99: 40, count: 10 } },
    ingestion: { ingest_latency_ms: 100, last_ingest_ts: secondsAgo(10) },
    cache: { hit_rate: 0.9, operations: 1000 },
    edge_engine: { active_edges: 12 }
  }
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split('.')
    let node = base
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>
    node[keys[keys.length - 1]] = value
  }
  return base
}

function firing (values: Record<string, unknown>): string[] {
  return evaluateRules(defaultRules, report(values), new Map(), NOW).anomalies.map((a) => a.code)
}

t.test('the five rules of SPEC §3, with their severities', async (t) => {
  t.same(defaultRules.map((r) => [r.code, r.severity]), [
    ['HIGH_CPU', 'warning'],
    ['HIGH_P95_LATENCY', 'warning'],
    ['SLOW_INGEST', 'warning'],
    ['LOW_CACHE_HIT_RATE', 'info'],
    ['NO_ACTIVE_EDGES', 'critical']
  ])
  t.ok(Value.Check(RuleSet, defaultRules), 'they pass the Rule schema')
  t.doesNotThrow(() => resolveRules(defaultRules, []), 'they pass resolveRules\' own checks')
  for (const rule of defaultRules) t.ok(rule.message.length > 10, `${rule.code} has a message`)
  t.same(firing({}), [], 'a quiet report fires nothing')
})

t.test('deep-frozen', async (t) => {
  t.ok(Object.isFrozen(defaultRules))
  for (const rule of defaultRules) {
    t.ok(Object.isFrozen(rule) && Object.isFrozen(rule.conditions), rule.code)
    for (const condition of rule.conditions) t.ok(Object.isFrozen(condition), `${rule.code} ${condition.path}`)
  }
  t.throws(() => { (defaultRules[0].conditions[0] as { value: number }).value = 1 }, TypeError)
})

t.test('each rule at, just below and just above its threshold', async (t) => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['HIGH_CPU', { 'performance.cpu_percent': 84.9 }, false],
    ['HIGH_CPU', { 'performance.cpu_percent': 85 }, false],
    ['HIGH_CPU', { 'performance.cpu_percent': 85.1 }, true],
    ['HIGH_P95_LATENCY', { 'performance.request_latency_ms.p95': 1499 }, false],
    ['HIGH_P95_LATENCY', { 'performance.request_latency_ms.p95': 1500 }, false],
    ['HIGH_P95_LATENCY', { 'performance.request_latency_ms.p95': 1501 }, true],
    ['SLOW_INGEST', { 'ingestion.ingest_latency_ms': 4999 }, false],
    ['SLOW_INGEST', { 'ingestion.ingest_latency_ms': 5000 }, false],
    ['SLOW_INGEST', { 'ingestion.ingest_latency_ms': 5001 }, true],
    ['LOW_CACHE_HIT_RATE', { 'cache.hit_rate': 0.19 }, true],
    ['LOW_CACHE_HIT_RATE', { 'cache.hit_rate': 0.2 }, false],
    ['LOW_CACHE_HIT_RATE', { 'cache.hit_rate': 0.21 }, false],
    ['NO_ACTIVE_EDGES', { 'edge_engine.active_edges': -1 }, false],
    ['NO_ACTIVE_EDGES', { 'edge_engine.active_edges': 0 }, true],
    ['NO_ACTIVE_EDGES', { 'edge_engine.active_edges': 1 }, false]
  ]
  for (const [code, values, fires] of cases) {
    t.same(firing(values), fires ? [code] : [], `${JSON.stringify(values)} ${fires ? 'fires' : 'does not fire'} ${code}`)
  }
})

t.test('LOW_CACHE_HIT_RATE needs more than 100 operations', async (t) => {
  t.same(firing({ 'cache.hit_rate': 0.1, 'cache.operations': 100 }), [])
  t.same(firing({ 'cache.hit_rate': 0.1, 'cache.operations': 101 }), ['LOW_CACHE_HIT_RATE'])
  // hit_rate is null when there were no operations (SPEC §1): the guard decides, no "no data".
  const idle = evaluateRules(defaultRules, report({ 'cache.hit_rate': null, 'cache.operations': 0 }), new Map(), NOW)
  t.same(idle.anomalies, [])
  t.same(idle.noData, [])
})

t.test('NO_ACTIVE_EDGES only while data was ingested in the last 5 minutes', async (t) => {
  const cases: Array<[string, unknown, string[]]> = [
    ['299 s ago', secondsAgo(299), ['NO_ACTIVE_EDGES']],
    ['300 s ago', secondsAgo(300), []],
    ['301 s ago', secondsAgo(301), []],
    ['299 s ago as epoch ms', NOW - 299_000, ['NO_ACTIVE_EDGES']],
    ['301 s ago as epoch ms', NOW - 301_000, []]
  ]
  for (const [name, ts, expected] of cases) {
    t.same(firing({ 'edge_engine.active_edges': 0, 'ingestion.last_ingest_ts': ts }), expected, name)
  }

  const never = evaluateRules(defaultRules, report({ 'edge_engine.active_edges': 0, 'ingestion.last_ingest_ts': null }), new Map(), NOW)
  t.same(never.anomalies, [], 'never ingested: does not fire')
  t.same(never.noData, [{ code: 'NO_ACTIVE_EDGES', paths: ['ingestion.last_ingest_ts'] }], 'never ingested: no data')

  const [anomaly] = evaluateRules(defaultRules, report({ 'edge_engine.active_edges': 0, 'ingestion.last_ingest_ts': secondsAgo(299) }), new Map(), NOW).anomalies
  t.match(anomaly, {
    code: 'NO_ACTIVE_EDGES',
    severity: 'critical',
    value: 0,
    threshold: 0,
    context: { 'edge_engine.active_edges': 0, 'ingestion.last_ingest_ts:age_s': 299 },
    since: new Date(NOW).toISOString()
  })
})
