// The report's figures from the scrapes within the window (SPEC §6): rates and the request
// percentiles come from increases between consecutive scrapes, so a counter reset or a restart
// (process_start_time_seconds changing) between any two of them is handled, as Prometheus's
// rate() does. With fewer than two scrapes a rate is null ("no data"), never 0.
// A reading the exposition had but that cannot be used (NaN, ±Inf, 1e308: scrape-digest.ts) makes
// the figures it feeds null, with a note naming the metric, while it is in the newest scrape; a
// counter's bad sample is a gap the next good one is counted across, never a rate of its own.
import { counterIncrease } from './counter-increase.js'
import { deltaBuckets, locatedQuantile, sumBuckets, type Bucket } from './histogram-quantile.js'
import { boundNotes, type PercentileBound } from './percentile-bounds.js'
import { MAX_PLAUSIBLE } from './plausible-value.js'
import type { CounterKey, DigestField, ScrapeDigest, ScrapeStep, StepField } from './scrape-digest.js'
import type { ReportPatch } from '../../plugin/sources/source.js'

const counterKeys: readonly CounterKey[] = ['cpuSeconds', 'cacheHits', 'cacheMisses', 'edgesCreated', 'ingestFailures', 'requestsCounted', 'errorsCounted']
const stepFields: readonly StepField[] = [...counterKeys, 'startTime', 'requests']

/** A step field's reading, or the last good one carried over an unreadable scrape. */
function reading<K extends StepField> (d: ScrapeDigest, key: K): Partial<Pick<ScrapeDigest, StepField>>[K] {
  return d[key] ?? d.carried?.[key]
}

const isStepField = (field: DigestField): field is StepField => (stepFields as readonly string[]).includes(field)

const restarted = (a: ScrapeDigest, b: ScrapeDigest) => {
  const before = reading(a, 'startTime')
  const after = reading(b, 'startTime')
  return before !== undefined && after !== undefined && before !== after
}

/**
 * `scraped` with the last good readings (from `previous`) carried for each step field it could not
 * use: the step into it then adds nothing, and the step out of it counts from the last good value,
 * so a counter at +Inf for one scrape neither becomes an infinite rate nor a reset that counts the
 * whole counter again; the window's increase stays what the good samples say.
 */
export function bridgeUnreadable (previous: ScrapeDigest, scraped: ScrapeDigest): ScrapeDigest {
  if (scraped.unreadable === undefined) return scraped
  const carried: Partial<Record<StepField, unknown>> = {}
  for (const { field } of scraped.unreadable) {
    if (isStepField(field)) carried[field] = reading(previous, field)
  }
  return { ...scraped, carried: carried as ScrapeDigest['carried'] }
}

/**
 * What happened between two consecutive scrapes. The metrics source computes it once per scrape
 * (B7 of BENCHMARKS.md: redoing every pair and label set at every report cost ~140 ms of CPU per
 * poll and most of the sidecar's garbage), so a report only adds up small per-step sums.
 */
export function stepBetween (a: ScrapeDigest, b: ScrapeDigest): ScrapeStep {
  const fresh = restarted(a, b)
  const counters: Partial<Record<CounterKey, number>> = {}
  for (const key of counterKeys) {
    const cur = reading(b, key)
    if (cur === undefined) continue
    // After a restart everything the counter holds was counted since it.
    const step = fresh ? cur : counterIncrease(reading(a, key), cur)
    if (!Number.isNaN(step)) counters[key] = step
  }
  const current = reading(b, 'requests')
  if (!current) return { counters }
  const previous = reading(a, 'requests')
  const deltas: Bucket[][] = []
  let count = 0
  // Undefined when the family has no status label: unknown, never 0 (issue 9).
  let errors: number | undefined = 0
  for (const [key, series] of current) {
    const before = fresh ? undefined : previous?.get(key)
    // A label set new since the last scrape counted all of its requests in between.
    if (series.buckets.length > 0) deltas.push(deltaBuckets(series.buckets, before?.buckets))
    const n = before === undefined || series.count < before.count ? series.count : series.count - before.count
    count += n
    if (series.serverError === undefined) errors = undefined
    else if (series.serverError && errors !== undefined) errors += n
  }
  const requests = { buckets: sumBuckets(deltas), count }
  return { counters, requests: errors === undefined ? requests : { ...requests, errors } }
}

const stepsOf = (scrapes: readonly ScrapeDigest[]): ScrapeStep[] =>
  scrapes.slice(1).map((b, i) => b.step ?? stepBetween(scrapes[i], b))

/** The increase of a counter over the steps; undefined when it was never seen twice. */
function increase (steps: readonly ScrapeStep[], key: CounterKey): number | undefined {
  let total: number | undefined
  for (const step of steps) {
    const n = step.counters[key]
    if (n !== undefined) total = (total ?? 0) + n
  }
  return total
}

interface RequestWindow { buckets: Bucket[], count: number, errors: number | undefined }

function requestWindow (steps: readonly ScrapeStep[]): RequestWindow | undefined {
  const parts = steps.flatMap((s) => s.requests ? [s.requests] : [])
  if (parts.length === 0) return undefined
  return {
    buckets: sumBuckets(parts.map((p) => p.buckets)),
    count: parts.reduce((n, p) => n + p.count, 0),
    errors: parts.reduce<number | undefined>((n, p) => n === undefined || p.errors === undefined ? undefined : n + p.errors, 0)
  }
}

// Which report figures each reading feeds: what a note says is null when the reading is unusable.
const figuresOf: Readonly<Record<DigestField, readonly string[]>> = {
  startTime: ['infrastructure.uptime_s'],
  cpuSeconds: ['performance.cpu_percent'],
  cpuCores: ['performance.cpu_percent'],
  rssBytes: ['infrastructure.memory.rss_bytes'],
  heapUsedBytes: ['infrastructure.memory.heap_used_bytes'],
  heapTotalBytes: ['infrastructure.memory.heap_total_bytes'],
  eventLoopLagSeconds: ['performance.event_loop_delay_p99_ms'],
  requests: ['performance.request_latency_ms', 'performance.requests_per_s', 'performance.error_rate'],
  cacheHits: ['cache.hits', 'cache.operations', 'cache.hit_rate'],
  cacheMisses: ['cache.misses', 'cache.operations', 'cache.hit_rate'],
  requestsCounted: ['performance.error_rate'],
  errorsCounted: ['performance.error_rate'],
  activeEdges: ['edge_engine.active_edges'],
  edgesCreated: ['edge_engine.edges_per_min_rate'],
  lastEdgeCreated: ['edge_engine.last_edge_created_ts'],
  ingestLatency: ['ingestion.ingest_latency_ms'],
  lastIngest: ['ingestion.last_ingest_ts'],
  ingestFailures: ['ingestion.recent_failures']
}

/** The report's notes for the newest scrape's unusable readings, one per metric. */
export function unreadableNotes (digest: ScrapeDigest): string[] {
  return (digest.unreadable ?? []).map(({ field, metric, why }) =>
    `metrics: ${metric} ${why} in the last scrape, so ${figuresOf[field].join(', ')} ${figuresOf[field].length > 1 ? 'are' : 'is'} null.`)
}

export function deriveFigures (scrapes: readonly ScrapeDigest[], now: number): ReportPatch {
  const last = scrapes[scrapes.length - 1]
  const first = scrapes[0]
  const seconds = (last.at - first.at) / 1000
  const steps = stepsOf(scrapes)
  const bad = new Set(last.unreadable?.map((u) => u.field))
  // A counter whose newest sample is unusable has no current rate, whatever the window held before.
  const increaseOf = (key: CounterKey) => bad.has(key) ? undefined : increase(steps, key)
  const perSecond = (n: number | undefined) => n !== undefined && seconds > 0 ? n / seconds : undefined
  const overflowed: string[] = []
  // The last guard between the arithmetic and the report: readings are checked already, but a
  // sum or a rate of plausible readings can still leave the plausible range. Rounded to `digits`
  // decimals when given.
  const figure = (path: string, n: number | undefined, digits?: number): number | null => {
    if (n === undefined) return null
    if (!Number.isFinite(n) || Math.abs(n) > MAX_PLAUSIBLE) {
      overflowed.push(path)
      return null
    }
    if (digits === undefined) return n
    const scale = 10 ** digits
    return Math.round(n * scale) / scale
  }
  // 0 is "never happened"; past year 275760 a Date cannot be made, and toISOString would throw.
  const iso = (path: string, epochSeconds: number | undefined): string | null => {
    if (epochSeconds === undefined || !(epochSeconds > 0)) return null
    const date = new Date(epochSeconds * 1000)
    if (Number.isNaN(date.getTime())) {
      overflowed.push(path)
      return null
    }
    return date.toISOString()
  }
  // A CPU counter's rate over the window, else Micrometer's gauge of cores in use (last scrape).
  const cpu = perSecond(increaseOf('cpuSeconds')) ?? last.cpuCores
  const requests = bad.has('requests') ? undefined : requestWindow(steps)
  const bounds: PercentileBound[] = []
  // Prometheus's value is kept even in the lowest or +Inf bucket (a rule on p95 still fires on a
  // +Inf-bucket p95), with a note that it is a bound, not a measurement.
  const ms = (q: number) => {
    if (!requests || requests.count === 0 || requests.buckets.length === 0) return null
    const path = `performance.request_latency_ms.p${q * 100}`
    const { value, bound } = locatedQuantile(q, requests.buckets)
    const out = figure(path, value * 1000, 3)
    if (bound !== undefined && out !== null) bounds.push({ path, ...bound })
    return out
  }
  const latency = { p50: ms(0.5), p95: ms(0.95), p99: ms(0.99) }
  const edgesPerSecond = perSecond(increaseOf('edgesCreated'))

  return {
    performance: {
      cpu_percent: figure('performance.cpu_percent', cpu === undefined ? undefined : cpu * 100, 2),
      event_loop_delay_p99_ms: figure('performance.event_loop_delay_p99_ms', last.eventLoopLagSeconds === undefined ? undefined : last.eventLoopLagSeconds * 1000, 3),
      request_latency_ms: { ...latency, count: requests && seconds > 0 ? figure('performance.request_latency_ms.count', requests.count) : null },
      requests_per_s: requests && seconds > 0 ? figure('performance.requests_per_s', requests.count / seconds, 3) : null,
      error_rate: figure('performance.error_rate', errorRate(requests, increaseOf('requestsCounted'), increaseOf('errorsCounted')))
    },
    cache: {
      hits: figure('cache.hits', increaseOf('cacheHits')),
      misses: figure('cache.misses', increaseOf('cacheMisses'))
    },
    infrastructure: {
      node_version: last.conventions.runtime?.name === 'node' ? last.conventions.runtime.version : null,
      uptime_s: last.startTime === undefined ? null : figure('infrastructure.uptime_s', Math.max(0, Math.round(now / 1000 - last.startTime))),
      memory: {
        rss_bytes: figure('infrastructure.memory.rss_bytes', last.rssBytes),
        heap_used_bytes: figure('infrastructure.memory.heap_used_bytes', last.heapUsedBytes),
        heap_total_bytes: figure('infrastructure.memory.heap_total_bytes', last.heapTotalBytes)
      }
    },
    metrics: { series_count: last.seriesCount, scrape_age_ms: Math.max(0, now - last.at) },
    edge_engine: {
      active_edges: figure('edge_engine.active_edges', last.activeEdges),
      last_edge_created_ts: iso('edge_engine.last_edge_created_ts', last.lastEdgeCreated),
      edges_per_min_rate: edgesPerSecond === undefined ? null : figure('edge_engine.edges_per_min_rate', edgesPerSecond * 60, 3)
    },
    ingestion: {
      last_ingest_ts: iso('ingestion.last_ingest_ts', last.lastIngest),
      ingest_latency_ms: figure('ingestion.ingest_latency_ms', ingestLatencyMs(scrapes), 3),
      recent_failures: figure('ingestion.recent_failures', increaseOf('ingestFailures'))
    },
    notes: [
      ...(last.remarks ?? []),
      ...unreadableNotes(last),
      ...boundNotes(bounds),
      ...(overflowed.length > 0 ? [`metrics: ${overflowed.join(', ')} came out beyond what a reading can be, so null.`] : [])
    ]
  }
}

/**
 * 5xx answers over all answers: from the histogram's status label, else from the request counter
 * beside it; undefined (null in the report, with the reason in `setup`) when neither says.
 */
function errorRate (requests: RequestWindow | undefined, counted: number | undefined, errors: number | undefined): number | undefined {
  if (requests?.errors !== undefined) return requests.count > 0 ? requests.errors / requests.count : undefined
  return counted !== undefined && errors !== undefined && counted > 0 ? errors / counted : undefined
}

// A gauge is the last ingestion's latency; a histogram or summary gives the mean over the window.
function ingestLatencyMs (scrapes: readonly ScrapeDigest[]): number | undefined {
  const last = scrapes[scrapes.length - 1].ingestLatency
  if (last === undefined) return undefined
  if (last.kind === 'gauge') return last.value * 1000
  const first = scrapes[0].ingestLatency
  if (first === undefined || first.kind !== 'sum' || restarted(scrapes[0], scrapes[scrapes.length - 1]) || last.count < first.count) {
    return last.count > 0 ? last.sum / last.count * 1000 : undefined
  }
  const count = last.count - first.count
  return count > 0 ? (last.sum - first.sum) / count * 1000 : undefined
}
