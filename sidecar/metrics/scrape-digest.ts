// What the sidecar keeps of one scrape: only the figures it derives from, not the exposition, so
// a window of scrapes of a multi-megabyte exposition stays a few kilobytes. A reading that cannot
// feed a figure (NaN, ±Inf, negative, beyond 2^53: see plausible-value.ts) is not kept as a value:
// it is listed in `unreadable` with the reason, so the report says why its figure is null.
import { implausible } from './plausible-value.js'
import type { Bucket, Exposition, HistogramFamily, HistogramSeries, SummarySeries } from './exposition.js'

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

/** The readings of a digest, each of which may turn out unreadable. */
export type DigestField = CounterKey | 'startTime' | 'rssBytes' | 'heapUsedBytes' | 'heapTotalBytes' |
'eventLoopLagSeconds' | 'requests' | 'activeEdges' | 'lastEdgeCreated' | 'ingestLatency' | 'lastIngest'

/** A reading the exposition had but that cannot be used; `why` completes "<metric> …". */
export interface Unreadable {
  readonly field: DigestField
  readonly metric: string
  readonly why: string
}

/** The fields steps count from: a counter, the start time (restarts), the request histogram. */
export type StepField = CounterKey | 'startTime' | 'requests'

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
  /** Readings the exposition had but that cannot be used (their fields above are undefined). */
  readonly unreadable?: readonly Unreadable[]
  /**
   * For a step field unreadable in this scrape, the last good reading before it, so the next step
   * counts from there: a bad sample is a gap, not a reset (see `bridgeUnreadable`).
   */
  readonly carried?: Readonly<Partial<Pick<ScrapeDigest, StepField>>>
  /** Request-histogram notes that do not make a figure null (a `_count` read from `+Inf`). */
  readonly remarks?: readonly string[]
  /** Set by the metrics source when the next scrape is not yet known; see `deriveFigures`. */
  readonly step?: ScrapeStep
}

export function digestScrape (exposition: Exposition, names: MetricNames, at: number): ScrapeDigest {
  const missing: string[] = []
  const unreadable: Unreadable[] = []
  const remarks: string[] = []
  const read = (field: DigestField, name: string | null, how: 'value' | 'sum'): number | undefined => {
    if (name === null) return undefined
    const v = how === 'value' ? exposition.value(name) : exposition.sum(name)
    if (v === undefined) {
      missing.push(name)
      return undefined
    }
    const why = implausible(v)
    if (why === undefined) return v
    unreadable.push({ field, metric: name, why })
    return undefined
  }
  const requestFamily = exposition.histogram(names.requestDuration)
  if (!requestFamily) missing.push(names.requestDuration)
  let requests: Map<string, RequestSeries> | undefined
  if (requestFamily) {
    const read = requestSeries(requestFamily, names.statusCodeLabel)
    if (typeof read === 'string') unreadable.push({ field: 'requests', metric: names.requestDuration, why: read })
    else {
      requests = read.series
      if (read.countsFromInf > 0) remarks.push(`metrics: ${names.requestDuration} has no readable _count in ${read.countsFromInf} label set(s); their requests are counted from the +Inf bucket.`)
    }
  }
  const digest: ScrapeDigest = {
    at,
    seriesCount: exposition.seriesCount,
    startTime: read('startTime', names.startTime, 'value'),
    cpuSeconds: read('cpuSeconds', names.cpu, 'value'),
    rssBytes: read('rssBytes', names.memory, 'value'),
    heapUsedBytes: read('heapUsedBytes', names.heapUsed, 'value'),
    heapTotalBytes: read('heapTotalBytes', names.heapTotal, 'value'),
    eventLoopLagSeconds: read('eventLoopLagSeconds', names.eventLoopLag, 'value'),
    nodeVersion: nodeVersionOf(exposition),
    requests,
    cacheHits: read('cacheHits', names.cacheHits, 'sum'),
    cacheMisses: read('cacheMisses', names.cacheMisses, 'sum'),
    activeEdges: read('activeEdges', names.activeEdges, 'sum'),
    edgesCreated: read('edgesCreated', names.edgesCreated, 'sum'),
    lastEdgeCreated: read('lastEdgeCreated', names.lastEdgeCreated, 'value'),
    ingestLatency: latencyOf(exposition, names.ingestLatency, missing, unreadable),
    lastIngest: read('lastIngest', names.lastIngest, 'value'),
    ingestFailures: read('ingestFailures', names.ingestFailures, 'sum'),
    missing
  }
  // Only when there is something to say: a clean digest has the same keys as before.
  if (unreadable.length === 0 && remarks.length === 0) return digest
  return { ...digest, ...(unreadable.length > 0 ? { unreadable } : {}), ...(remarks.length > 0 ? { remarks } : {}) }
}

/**
 * How many observations a histogram or summary series holds: its `_count`, or for a histogram
 * without one its `+Inf` bucket (the same number by definition; OpenMetrics makes `_count`
 * optional). The parser leaves an absent `_count` NaN, so an explicit `NaN` is read the same way.
 */
function observations (series: HistogramSeries | SummarySeries): { count: number, fromInf: boolean } | string {
  if (!Number.isNaN(series.count)) {
    const why = implausible(series.count)
    return why === undefined ? { count: series.count, fromInf: false } : `has a _count that ${why}`
  }
  const inf = 'buckets' in series ? series.buckets.find((b) => b.le === Infinity) : undefined
  if (inf === undefined) return 'has no _count (or a NaN one) and no +Inf bucket'
  const why = implausible(inf.count)
  return why === undefined ? { count: inf.count, fromInf: true } : `has no _count and a +Inf bucket that ${why}`
}

/** The histogram's label sets, or why it cannot be used: one bad series makes every sum wrong. */
function requestSeries (family: HistogramFamily, statusLabel: string): { series: Map<string, RequestSeries>, countsFromInf: number } | string {
  const out = new Map<string, RequestSeries>()
  let countsFromInf = 0
  for (const [key, series] of family.series) {
    for (const b of series.buckets) {
      if (Number.isNaN(b.le)) return 'has a bucket with le="NaN"'
      const why = implausible(b.count)
      if (why !== undefined) return `has a bucket count that ${why}`
    }
    const seen = observations(series)
    if (typeof seen === 'string') return seen
    if (seen.fromInf) countsFromInf++
    const status = series.labels[statusLabel] ?? ''
    out.set(key, { buckets: series.buckets, count: seen.count, serverError: status.startsWith('5') })
  }
  return { series: out, countsFromInf }
}

function latencyOf (exposition: Exposition, name: string | null, missing: string[], unreadable: Unreadable[]): LatencyReading | undefined {
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
      // A label set without its sum would make the mean of the others look like the whole.
      const badSum = implausible(s.sum)
      const why = Number.isNaN(s.sum) ? 'has no _sum (or a NaN one)' : badSum === undefined ? undefined : `has a _sum that ${badSum}`
      const seen = observations(s)
      if (why !== undefined || typeof seen === 'string') {
        unreadable.push({ field: 'ingestLatency', metric: name, why: why ?? (seen as string) })
        return undefined
      }
      sum += s.sum
      count += seen.count
    }
    return { kind: 'sum', sum, count }
  }
  const value = exposition.value(name)
  if (value === undefined) return undefined
  const why = implausible(value)
  if (why === undefined) return { kind: 'gauge', value }
  unreadable.push({ field: 'ingestLatency', metric: name, why })
  return undefined
}

// prom-client's default metrics carry the runtime version as a label of nodejs_version_info.
function nodeVersionOf (exposition: Exposition): string | undefined {
  const family = exposition.family('nodejs_version_info')
  if (!family || !('samples' in family)) return undefined
  const version = family.samples[0]?.labels.version
  // Kept for a whole window: a copy of a bounded prefix, not a slice that holds the label (up to the
  // body cap) alive. The report's boundary redacts and caps it again (plugin/redact-report.ts).
  return typeof version === 'string' && version !== '' ? copyPrefix(version, MAX_KEPT_LABEL) : undefined
}

const MAX_KEPT_LABEL = 256
// A new string of the first `max` characters: V8 may keep a slice as a view into its parent.
const copyPrefix = (text: string, max: number): string => Buffer.from(text.slice(0, max), 'utf8').toString('utf8')
