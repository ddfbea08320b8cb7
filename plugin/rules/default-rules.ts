// The five anomaly rules every report is checked against unless the user overrides them (SPEC §3).
// deploy/ ships Prometheus alerting rules equivalent to these: change both together.
import type { Rule } from '../../schemas/rule.js'

/** Seconds within which an ingest counts as recent for NO_ACTIVE_EDGES (5 min, SPEC §3). */
const RECENT_INGEST_S = 300

const rules: Rule[] = [
  {
    code: 'HIGH_CPU',
    severity: 'warning',
    message: 'CPU usage is above 85% of one core',
    conditions: [{ path: 'performance.cpu_percent', op: '>', value: 85 }]
  },
  {
    code: 'HIGH_P95_LATENCY',
    severity: 'warning',
    message: 'p95 request latency is above 1500 ms',
    conditions: [{ path: 'performance.request_latency_ms.p95', op: '>', value: 1500 }]
  },
  {
    code: 'SLOW_INGEST',
    severity: 'warning',
    message: 'ingestion takes longer than 5000 ms',
    conditions: [{ path: 'ingestion.ingest_latency_ms', op: '>', value: 5000 }]
  },
  {
    code: 'LOW_CACHE_HIT_RATE',
    severity: 'info',
    message: 'cache hit rate is below 20% over more than 100 operations',
    conditions: [
      { path: 'cache.hit_rate', op: '<', value: 0.2 },
      // Volume guard: a handful of cold misses is not a cache problem.
      { path: 'cache.operations', op: '>', value: 100 }
    ]
  },
  {
    code: 'NO_ACTIVE_EDGES',
    severity: 'critical',
    message: 'the edge engine has no active edges although data was ingested in the last 5 minutes',
    conditions: [
      { path: 'edge_engine.active_edges', op: '==', value: 0 },
      // No edges while nothing is ingested is an idle system, not a broken one.
      { path: 'ingestion.last_ingest_ts', op: '<', value: RECENT_INGEST_S, of: 'age_s' }
    ]
  }
]

function freezeRule (rule: Rule): Rule {
  for (const condition of rule.conditions) Object.freeze(condition)
  Object.freeze(rule.conditions)
  return Object.freeze(rule)
}

/** The default rules, deep-frozen: copy before changing (resolveRules does). */
export const defaultRules: readonly Rule[] = Object.freeze(rules.map(freezeRule))
