// What the sidecar keeps of one scrape: only the figures it derives from, not the exposition, so
// a window of scrapes of a multi-megabyte exposition stays a few kilobytes. A reading that cannot
// feed a figure (NaN, ±Inf, negative, beyond 2^53: see plausible-value.ts) is not kept as a value:
// it is listed in `unreadable` with the reason, so the report says why its figure is null.
import { implausible } from './plausible-value.js'
import { detectConventions, type Conventions, type Reading } from './conventions.js'
import type { MetricNames } from './metric-names.js'
import { countedRequests, observations, requestSeries, type RequestSeries } from './request-series.js'
import type { Bucket, Exposition, HistogramFamily, SummaryFamily } from './exposition.js'

export type { RequestSeries, MetricNames }

/** A latency metric is a gauge (last value, seconds) or a histogram/summary (sum and count). */
export type LatencyReading = { readonly kind: 'gauge', readonly value: number } | { readonly kind: 'sum', readonly sum: number, readonly count: number }

export type CounterKey = 'cpuSeconds' | 'cacheHits' | 'cacheMisses' | 'edgesCreated' | 'ingestFailures' | 'requestsCounted' | 'errorsCounted'

/** The readings of a digest, each of which may turn out unreadable. */
export type DigestField = CounterKey | 'cpuCores' | 'startTime' | 'rssBytes' | 'heapUsedBytes' | 'heapTotalBytes' |
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
  readonly requests?: { readonly buckets: Bucket[], readonly count: number, readonly errors?: number }
}

export interface ScrapeDigest {
  /** Clock time the scrape started, epoch ms. */
  readonly at: number
  readonly seriesCount: number
  readonly startTime?: number
  readonly cpuSeconds?: number
  /** Cores in use (Micrometer's process_cpu_usage × system_cpu_count), when there is no CPU counter. */
  readonly cpuCores?: number
  readonly rssBytes?: number
  readonly heapUsedBytes?: number
  readonly heapTotalBytes?: number
  readonly eventLoopLagSeconds?: number
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
  /** Requests and 5xx answers of the counter beside a histogram without a status label. */
  readonly requestsCounted?: number
  readonly errorsCounted?: number
  /** Which metric fed each figure in this scrape (shared by the scrapes that detect the same). */
  readonly conventions: Conventions
  /** Configured metric names the exposition did not have, each with its flag. */
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
  const conventions = detectConventions(exposition, names)
  const missing: string[] = conventions.missing.map((m) => `${m.name} (${m.flag})`)
  const unreadable: Unreadable[] = []
  const remarks: string[] = []
  const check = (field: DigestField, metric: string, v: number | undefined): number | undefined => {
    const why = v === undefined ? undefined : implausible(v)
    if (why === undefined) return v
    unreadable.push({ field, metric, why })
    return undefined
  }
  const take = (field: DigestField, r: Reading | null): number | undefined => {
    if (r === null) return undefined
    const v = check(field, r.label ?? r.metric, r.how === 'value' ? exposition.value(r.metric, r.match) : exposition.sum(r.metric, r.match))
    return v === undefined || r.scale === undefined ? v : v * r.scale
  }
  // Edge and ingestion names have no convention: read when set, a note when absent.
  const read = (field: DigestField, name: string | null, how: 'value' | 'sum'): number | undefined => {
    if (name === null) return undefined
    const v = take(field, { metric: name, how })
    if (v === undefined && !unreadable.some((u) => u.field === field)) missing.push(name)
    return v
  }
  let requests: Map<string, RequestSeries> | undefined
  const request = conventions.request
  if (request !== null) {
    const family = exposition.family(request.family) as HistogramFamily | SummaryFamily
    const read = requestSeries(family, request.statusLabel)
    if (typeof read === 'string') unreadable.push({ field: 'requests', metric: request.family, why: read })
    else {
      requests = read.series
      if (read.countsFromInf > 0) remarks.push(`metrics: ${request.family} has no readable _count in ${read.countsFromInf} label set(s); their requests are counted from the +Inf bucket.`)
    }
  }
  const counter = conventions.errorCounter
  const counted = counter === null ? undefined : countedRequests(exposition, counter)
  const cpu = conventions.cpu
  const digest: ScrapeDigest = {
    at,
    seriesCount: exposition.seriesCount,
    startTime: take('startTime', conventions.startTime),
    cpuSeconds: cpu?.kind === 'counter' ? take('cpuSeconds', cpu.reading) : undefined,
    cpuCores: cpu?.kind === 'usage' && cpu.cores !== null ? cpuCores(take('cpuCores', cpu.usage), take('cpuCores', cpu.cores)) : undefined,
    rssBytes: take('rssBytes', conventions.rss),
    heapUsedBytes: take('heapUsedBytes', conventions.heapUsed),
    heapTotalBytes: take('heapTotalBytes', conventions.heapTotal),
    eventLoopLagSeconds: take('eventLoopLagSeconds', conventions.eventLoopLag),
    requests,
    requestsCounted: counter === null ? undefined : check('requestsCounted', counter.metric, counted?.total),
    errorsCounted: counter === null ? undefined : check('errorsCounted', counter.metric, counted?.errors),
    cacheHits: take('cacheHits', conventions.cacheHits),
    cacheMisses: take('cacheMisses', conventions.cacheMisses),
    activeEdges: read('activeEdges', names.activeEdges, 'sum'),
    edgesCreated: read('edgesCreated', names.edgesCreated, 'sum'),
    lastEdgeCreated: read('lastEdgeCreated', names.lastEdgeCreated, 'value'),
    ingestLatency: latencyOf(exposition, names.ingestLatency, missing, unreadable),
    lastIngest: read('lastIngest', names.lastIngest, 'value'),
    ingestFailures: read('ingestFailures', names.ingestFailures, 'sum'),
    conventions,
    missing
  }
  // Only when there is something to say: a clean digest has the same keys as before.
  if (unreadable.length === 0 && remarks.length === 0) return digest
  return { ...digest, ...(unreadable.length > 0 ? { unreadable } : {}), ...(remarks.length > 0 ? { remarks } : {}) }
}

// Micrometer's process_cpu_usage is the share of ALL cores (OperatingSystemMXBean#getProcessCpuLoad):
// times the core count it is cores in use, as a rate of process_cpu_seconds_total is.
const cpuCores = (usage: number | undefined, cores: number | undefined): number | undefined =>
  usage === undefined || cores === undefined ? undefined : usage * cores

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
