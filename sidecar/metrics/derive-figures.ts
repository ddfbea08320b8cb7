// The report's figures from the scrapes within the window (SPEC §6): rates and the request
// percentiles come from increases between consecutive scrapes, so a counter reset or a restart
// (process_start_time_seconds changing) between any two of them is handled, as Prometheus's
// rate() does. With fewer than two scrapes a rate is null ("no data"), never 0.
import { counterIncrease } from './counter-rate.js'
import { deltaBuckets, histogramQuantile, sumBuckets, type Bucket } from './histogram-quantile.js'
import type { CounterKey, ScrapeDigest, ScrapeStep } from './scrape-digest.js'
import type { ReportPatch } from '../../plugin/source.js'

const counterKeys: readonly CounterKey[] = ['cpuSeconds', 'cacheHits', 'cacheMisses', 'edgesCreated', 'ingestFailures']

const restarted = (a: ScrapeDigest, b: ScrapeDigest) =>
  a.startTime !== undefined && b.startTime !== undefined && a.startTime !== b.startTime

/**
 * What happened between two consecutive scrapes. The metrics source computes it once per scrape
 * (B7 of BENCHMARKS.md: redoing every pair and label set at every report cost ~140 ms of CPU per
 * poll and most of the sidecar's garbage), so a report only adds up small per-step sums.
 */
export function stepBetween (a: ScrapeDigest, b: ScrapeDigest): ScrapeStep {
  const fresh = restarted(a, b)
  const counters: Partial<Record<CounterKey, number>> = {}
  for (const key of counterKeys) {
    const cur = b[key]
    if (cur === undefined) continue
    // After a restart everything the counter holds was counted since it.
    const step = fresh ? cur : counterIncrease(a[key], cur)
    if (!Number.isNaN(step)) counters[key] = step
  }
  if (!b.requests) return { counters }
  const deltas: Bucket[][] = []
  let count = 0
  let errors = 0
  for (const [key, series] of b.requests) {
    const before = fresh ? undefined : a.requests?.get(key)
    // A label set new since the last scrape counted all of its requests in between.
    deltas.push(deltaBuckets(series.buckets, before?.buckets))
    const n = before === undefined || series.count < before.count ? series.count : series.count - before.count
    count += n
    if (series.serverError) errors += n
  }
  return { counters, requests: { buckets: sumBuckets(deltas), count, errors } }
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

interface RequestWindow { buckets: Bucket[], count: number, errors: number }

function requestWindow (steps: readonly ScrapeStep[]): RequestWindow | undefined {
  const parts = steps.flatMap((s) => s.requests ? [s.requests] : [])
  if (parts.length === 0) return undefined
  return {
    buckets: sumBuckets(parts.map((p) => p.buckets)),
    count: parts.reduce((n, p) => n + p.count, 0),
    errors: parts.reduce((n, p) => n + p.errors, 0)
  }
}

const nullIfNaN = (n: number): number | null => Number.isFinite(n) ? Math.round(n * 1000) / 1000 : null
const iso = (epochSeconds: number | undefined): string | null =>
  epochSeconds !== undefined && Number.isFinite(epochSeconds) && epochSeconds > 0 ? new Date(epochSeconds * 1000).toISOString() : null

export function deriveFigures (scrapes: readonly ScrapeDigest[], now: number): ReportPatch {
  const last = scrapes[scrapes.length - 1]
  const first = scrapes[0]
  const seconds = (last.at - first.at) / 1000
  const perSecond = (n: number | undefined) => n !== undefined && seconds > 0 ? n / seconds : undefined

  const steps = stepsOf(scrapes)
  const cpu = perSecond(increase(steps, 'cpuSeconds'))
  const requests = requestWindow(steps)
  const ms = (q: number) => requests && requests.count > 0 ? nullIfNaN(histogramQuantile(q, requests.buckets) * 1000) : null
  const hits = increase(steps, 'cacheHits')
  const misses = increase(steps, 'cacheMisses')
  const edgesPerSecond = perSecond(increase(steps, 'edgesCreated'))
  const ingest = ingestLatencyMs(scrapes)

  return {
    performance: {
      cpu_percent: cpu === undefined ? null : Math.round(cpu * 100 * 100) / 100,
      event_loop_delay_p99_ms: last.eventLoopLagSeconds === undefined ? null : nullIfNaN(last.eventLoopLagSeconds * 1000),
      request_latency_ms: { p50: ms(0.5), p95: ms(0.95), p99: ms(0.99), count: requests && seconds > 0 ? requests.count : null },
      requests_per_s: requests && seconds > 0 ? nullIfNaN(requests.count / seconds) : null,
      error_rate: requests && requests.count > 0 ? requests.errors / requests.count : null
    },
    cache: {
      hits: hits ?? null,
      misses: misses ?? null
    },
    infrastructure: {
      node_version: last.nodeVersion ?? null,
      uptime_s: last.startTime === undefined ? null : Math.max(0, Math.round(now / 1000 - last.startTime)),
      memory: {
        rss_bytes: last.rssBytes ?? null,
        heap_used_bytes: last.heapUsedBytes ?? null,
        heap_total_bytes: last.heapTotalBytes ?? null
      }
    },
    metrics: { series_count: last.seriesCount, scrape_age_ms: Math.max(0, now - last.at) },
    edge_engine: {
      active_edges: last.activeEdges ?? null,
      last_edge_created_ts: iso(last.lastEdgeCreated),
      edges_per_min_rate: edgesPerSecond === undefined ? null : Math.round(edgesPerSecond * 60 * 1000) / 1000
    },
    ingestion: {
      last_ingest_ts: iso(last.lastIngest),
      ingest_latency_ms: ingest,
      recent_failures: increase(steps, 'ingestFailures') ?? null
    }
  }
}

// A gauge is the last ingestion's latency; a histogram or summary gives the mean over the window.
function ingestLatencyMs (scrapes: readonly ScrapeDigest[]): number | null {
  const last = scrapes[scrapes.length - 1].ingestLatency
  if (last === undefined) return null
  if (last.kind === 'gauge') return nullIfNaN(last.value * 1000)
  const first = scrapes[0].ingestLatency
  if (first === undefined || first.kind !== 'sum' || restarted(scrapes[0], scrapes[scrapes.length - 1]) || last.count < first.count) {
    return last.count > 0 ? nullIfNaN(last.sum / last.count * 1000) : null
  }
  const count = last.count - first.count
  return count > 0 ? nullIfNaN((last.sum - first.sum) / count * 1000) : null
}
