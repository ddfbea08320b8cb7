// Which figures a history point keeps: those the status page charts and the diagnosis reads, plus
// every path a numeric rule condition reads, so "since when" can be answered for any rule.
import type { Rule } from '../../schemas/rule.js'

/** Charted (p95, CPU, error rate, hit rate) or read by the diagnosis (plugin/diagnosis/). */
export const HISTORY_FIGURES = Object.freeze([
  'performance.cpu_percent',
  'performance.event_loop_delay_p99_ms',
  'performance.event_loop_utilization',
  'performance.request_latency_ms.p95',
  'performance.requests_per_s',
  'performance.error_rate',
  'cache.hit_rate',
  'infrastructure.memory.rss_bytes',
  'infrastructure.memory.heap_used_bytes',
  'infrastructure.uptime_s',
  'ingestion.ingest_latency_ms',
  'ingestion.recent_failures'
] as const)

export function historyFigurePaths (rules: readonly Rule[]): string[] {
  const paths = new Set<string>(HISTORY_FIGURES)
  for (const rule of rules) {
    if (rule.enabled === false) continue
    // An age_s condition reads a timestamp, not a figure: its age is not worth a column.
    for (const c of rule.conditions) if (typeof c.value === 'number' && c.of !== 'age_s') paths.add(c.path)
  }
  return [...paths]
}
