// The report's figures from the scrapes within the window (SPEC §6): rates and the request
// percentiles come from increases between consecutive scrapes, so a counter reset or a restart
// (process_start_time_seconds changing) between any two of them is handled, as Prometheus's
// rate() does. With fewer than two scrapes a rate is null ("no data"), never 0.
import { counterIncrease } from './counter-rate.js'
import { deltaBuckets, histogramQuantile, sumBuckets, type Bucket } from './histogram-quantile.js'
import type { ScrapeDigest } from './scrape-digest.js'
import type { ReportPatch } from '../../plugin/source.js'

type CounterKey = 'cpuSeconds' | 'cacheHits' | 'cacheMisses' | 'edgesCreated' | 'ingestFailures'

const restarted = (a: ScrapeDigest, b: ScrapeDigest) =>
  a.startTime !== undefined && b.startTime !== undefined && a.startTime !== b.startTime

/** The increase of a counter over the scrapes; undefined when it was never seen twice. */
function increase (scrapes: readonly ScrapeDigest[], key: CounterKey): number | undefined {
  let total: number | undefined
  for (let i = 1; i < scrapes.length; i++) {
    const a = scrapes[i - 1]
    const b = scrapes[i]
    const cur = b[key]
    if (cur === undefined) continue
    // After a restart everything the counter holds was counted since it.
    const step = restarted(a, b) ? cur : counterIncrease(a[key], cur)
    if (Number.isNaN(step)) continue
    total = (total ?? 0) + step
  }
  return total
}

interface RequestWindow { buckets: Bucket[], count: number, errors: number }

function requestWindow (scrapes: readonly ScrapeDigest[]): RequestWindow | undefined {
  const perPair: Bucket[][] = []
  let count = 0
  let errors = 0
  let seen = false
  for (let i = 1; i < scrapes.length; i++) {
    const a = scrapes[i - 1].requests
    const b = scrapes[i].requests
    if (!b) continue
    seen = true
    const fresh = restarted(scrapes[i - 1], scrapes[i])
    for (const [key, series] of b) {
      const before = fresh ? undefined : a?.get(key)
      // A label set new since the last scrape counted all of its requests in between.
      const delta = deltaBuckets(series.buckets, before?.buckets)
      perPair.push(delta)
      const n = before === undefined || series.count < before.count ? series.count : series.count - before.count
      count += n
      if (series.serverError) errors += n
    }
  }
  return seen ? { buckets: sumBuckets(perPair), count, errors } : undefined
}

const nullIfNaN = (n: number): number | null => Number.isFinite(n) ? Math.round(n * 1000) / 1000 : null
const iso = (epochSeconds: number | undefined): string | null =>
  epochSeconds !== undefined && Number.isFinite(epochSeconds) && epochSeconds > 0 ? new Date(epochSeconds * 1000).toISOString() : null

export function deriveFigures (scrapes: readonly ScrapeDigest[], now: number): ReportPatch {
  const last = scrapes[scrapes.length - 1]
  const first = scrapes[0]
  const seconds = (last.at - first.at) / 1000
  const perSecond = (n: number | undefined) => n !== undefined && seconds > 0 ? n / seconds : undefined

  const cpu = perSecond(increase(scrapes, 'cpuSeconds'))
  const requests = requestWindow(scrapes)
  const ms = (q: number) => requests && requests.count > 0 ? nullIfNaN(histogramQuantile(q, requests.buckets) * 1000) : null
  const hits = increase(scrapes, 'cacheHits')
  const misses = increase(scrapes, 'cacheMisses')
  const edgesPerSecond = perSecond(increase(scrapes, 'edgesCreated'))
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
      recent_failures: increase(scrapes, 'ingestFailures') ?? null
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
