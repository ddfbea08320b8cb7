import type { MetricNames } from '../../sidecar/metrics/scrape-digest.js'

/** The sidecar's default metric settings (SPEC §8): every name detected, edge and ingestion ones unset unless a test names them. */
export const defaultMetricNames: MetricNames = Object.freeze({
  cpu: null,
  startTime: null,
  memory: null,
  heapUsed: null,
  heapTotal: null,
  eventLoopLag: null,
  requestDuration: null,
  statusCodeLabel: null,
  cacheHits: null,
  cacheMisses: null,
  activeEdges: null,
  edgesCreated: null,
  lastEdgeCreated: null,
  ingestLatency: null,
  lastIngest: null,
  ingestFailures: null
})
