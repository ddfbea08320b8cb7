// Folds the sources' patches into sections that always have their full shape: a number nobody
// measured stays null (SPEC §1: nothing is invented).
import type { ReportSections, ServiceStatus } from '../schemas/report.js'
import type { ReportPatch } from './sources/source.js'

export function emptySections (windowMs: number): ReportSections {
  return {
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
    metrics: { series_count: null, scrape_age_ms: null, window_ms: windowMs },
    edge_engine: { active_edges: null, last_edge_created_ts: null, edges_per_min_rate: null },
    ingestion: { last_ingest_ts: null, ingest_latency_ms: null, recent_failures: null },
    websocket: { active_connections: null, last_broadcast_ts: null, connection_rate: null },
    model_registry: { models: [] }
  }
}

function mergeInto (target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key]
    if (value === undefined) continue
    const current = target[key]
    if (value !== null && typeof value === 'object' && !Array.isArray(value) &&
        current !== null && typeof current === 'object' && !Array.isArray(current)) {
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>)
    } else {
      target[key] = value
    }
  }
}

export function assembleSections (windowMs: number, patches: readonly ReportPatch[]): ReportSections {
  const sections = emptySections(windowMs)
  const services: ServiceStatus[] = []
  for (const patch of patches) {
    for (const key of Object.keys(patch) as Array<keyof ReportPatch>) {
      if (key === 'notes' || key === 'provenance' || key === 'setup') continue
      if (key === 'services') {
        services.push(...(patch.services as ServiceStatus[]))
        continue
      }
      mergeInto(sections[key] as unknown as Record<string, unknown>, structuredClone(patch[key]) as Record<string, unknown>)
    }
  }
  sections.services = services
  deriveCache(sections.cache)
  return sections
}

// A cache source may give only hits and misses: operations and the rate follow from them.
function deriveCache (cache: ReportSections['cache']): void {
  if (cache.operations === null && cache.hits !== null && cache.misses !== null) {
    cache.operations = cache.hits + cache.misses
  }
  if (cache.hit_rate === null && cache.hits !== null && cache.operations !== null && cache.operations > 0) {
    cache.hit_rate = cache.hits / cache.operations
  }
}
