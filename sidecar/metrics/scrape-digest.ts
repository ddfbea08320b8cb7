// What the sidecar keeps of one scrape: only the figures it derives from, not the exposition, so
// a window of scrapes of a multi-megabyte exposition stays a few kilobytes.
import type { Bucket, Exposition, HistogramFamily } from './exposition.js'

export interface MetricNames {
  readonly cpu: string
  readonly startTime: string
  readonly memory: string
  readonly heapUsed: string
  readonly heapTotal: string
  readonly eventLoopLag: string
  readonly requestDuration: string
  readonly statusCodeLabel: string
  readonly cacheHits: string
  readonly cacheMisses: string
  readonly activeEdges: string | null
  readonly edgesCreated: string | null
  readonly lastEdgeCreated: string | null
  readonly ingestLatency: string | null
  readonly lastIngest: string | null
  readonly ingestFailures: string | null
}

/** One label set of the request histogram: cumulative buckets and whether it counts 5xx answers. */
export interface RequestSeries {
  readonly buckets: Bucket[]
  readonly count: number
  readonly serverError: boolean
}

/** A latency metric is a gauge (last value, seconds) or a histogram/summary (sum and count). */
export type LatencyReading = { readonly kind: 'gauge', readonly value: number } | { readonly kind: 'sum', readonly sum: number, readonly count: number }

export type CounterKey = 'cpuSeconds' | 'cacheHits' | 'cacheMisses' | 'edgesCreated' | 'ingestFailures'

/** What happened between the previous scrape and this one: computed once, when the scrape arrives. */
export interface ScrapeStep {
  /** Increase of each counter since the previous scrape (resets and restarts handled). */
  readonly counters: Readonly<Partial<Record<CounterKey, number>>>
  /** Requests since the previous scrape, summed over label sets; undefined without the histogram. */
  readonly requests?: { readonly buckets: Bucket[], readonly count: number, readonly errors: number }
}

export interface ScrapeDigest {
  /** Clock time the scrape started, epoch ms. */
  readonly at: number
  readonly seriesCount: number
  readonly startTime?: number
  readonly cpuSeconds?: number
  readonly rssBytes?: number
  readonly heapUsedBytes?: number
  readonly heapTotalBytes?: number
  readonly eventLoopLagSeconds?: number
  readonly nodeVersion?: string
  /** By label-set key; undefined when the exposition has no such histogram. */
  readonly requests?: ReadonlyMap<string, RequestSeries>
  readonly cacheHits?: number
  readonly cacheMisses?: number
  readonly activeEdges?: number
  readonly edgesCreated?: number
  readonly lastEdgeCreated?: number
  readonly ingestLatency?: LatencyReading
  readonly lastIngest?: number
  readonly ingestFailures?: number
  /** Configured metric names the exposition did not have. */
  readonly missing: readonly string[]
  /** Set by the metrics source when the next scrape is not yet known; see `deriveFigures`. */
  readonly step?: ScrapeStep
}

export function digestScrape (exposition: Exposition, names: MetricNames, at: number): ScrapeDigest {
  const missing: string[] = []
  const read = (name: string | null, how: 'value' | 'sum'): number | undefined => {
    if (name === null) return undefined
    const v = how === 'value' ? exposition.value(name) : exposition.sum(name)
    if (v === undefined) missing.push(name)
    return v
  }
  const requestFamily = exposition.histogram(names.requestDuration)
  if (!requestFamily) missing.push(names.requestDuration)
  return {
    at,
    seriesCount: exposition.seriesCount,
    startTime: read(names.startTime, 'value'),
    cpuSeconds: read(names.cpu, 'value'),
    rssBytes: read(names.memory, 'value'),
    heapUsedBytes: read(names.heapUsed, 'value'),
    heapTotalBytes: read(names.heapTotal, 'value'),
    eventLoopLagSeconds: read(names.eventLoopLag, 'value'),
    nodeVersion: nodeVersionOf(exposition),
    requests: requestFamily ? requestSeries(requestFamily, names.statusCodeLabel) : undefined,
    cacheHits: read(names.cacheHits, 'sum'),
    cacheMisses: read(names.cacheMisses, 'sum'),
    activeEdges: read(names.activeEdges, 'sum'),
    edgesCreated: read(names.edgesCreated, 'sum'),
    lastEdgeCreated: read(names.lastEdgeCreated, 'value'),
    ingestLatency: latencyOf(exposition, names.ingestLatency, missing),
    lastIngest: read(names.lastIngest, 'value'),
    ingestFailures: read(names.ingestFailures, 'sum'),
    missing
  }
}

function requestSeries (family: HistogramFamily, statusLabel: string): Map<string, RequestSeries> {
  const out = new Map<string, RequestSeries>()
  for (const [key, series] of family.series) {
    const status = series.labels[statusLabel] ?? ''
    out.set(key, { buckets: series.buckets, count: series.count, serverError: status.startsWith('5') })
  }
  return out
}

function latencyOf (exposition: Exposition, name: string | null, missing: string[]): LatencyReading | undefined {
  if (name === null) return undefined
  const family = exposition.family(name)
  if (family === undefined) {
    missing.push(name)
    return undefined
  }
  if ('series' in family) {
    let sum = 0
    let count = 0
    for (const s of family.series.values()) {
      if (Number.isFinite(s.sum) && Number.isFinite(s.count)) {
        sum += s.sum
        count += s.count
      }
    }
    return { kind: 'sum', sum, count }
  }
  const value = exposition.value(name)
  return value === undefined ? undefined : { kind: 'gauge', value }
}

// prom-client's default metrics carry the runtime version as a label of nodejs_version_info.
function nodeVersionOf (exposition: Exposition): string | undefined {
  const family = exposition.family('nodejs_version_info')
  if (!family || !('samples' in family)) return undefined
  const version = family.samples[0]?.labels.version
  return typeof version === 'string' && version !== '' ? version : undefined
}
