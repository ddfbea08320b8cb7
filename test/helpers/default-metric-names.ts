import type { MetricNames } from '../../sidecar/metrics/scrape-digest.js'

/** The sidecar's default metric names (SPEC §8); edge and ingestion ones unset unless a test names them. */
export const defaultMetricNames: MetricNames = Object.freeze({
  cpu: 'process_cpu_seconds_total',
  startTime: 'process_start_time_seconds',
  memory: 'process_resident_memory_bytes',
  heapUsed: 'nodejs_heap_size_used_bytes',
  heapTotal: 'nodejs_heap_size_total_bytes',
  eventLoopLag: 'nodejs_eventloop_lag_p99_seconds',
  requestDuration: 'http_request_duration_seconds',
  statusCodeLabel: 'status_code',
  cacheHits: 'cache_hits_total',
  cacheMisses: 'cache_misses_total',
  activeEdges: null,
  edgesCreated: null,
  lastEdgeCreated: null,
  ingestLatency: null,
  lastIngest: null,
  ingestFailures: null
})
