// Which metric feeds each figure, detected from the app's exposition (SPEC §6, issue 9): the
// sidecar sits beside Node, Python, Go and JVM apps, and each ecosystem's client library names the
// same things differently. A configured name always wins; otherwise the candidates below are tried
// in order. Detection runs at every scrape, so it is a handful of Map look-ups (B7 of BENCHMARKS.md
// measures the per-poll cost); only when no known request histogram is found are the family names
// scanned once for `*_http_request_duration_seconds`.
// The names come from each library's own documentation and source: prometheus/client_python,
// client_golang, client_java, siimon/prom-client, micrometer-metrics/micrometer (ProcessorMetrics,
// JvmMemoryMetrics, JvmInfoMetrics, CacheMeterBinder), OpenTelemetry's HTTP semantic conventions,
// trallnag/prometheus-fastapi-instrumentator and stephenhillier/starlette_exporter.
import type { Exposition, Labels, MetricFamily } from './exposition.js'
import { detached } from './series-cache.js'
import type { MetricNames } from './metric-names.js'

/** Where one reading comes from: the first sample (`value`) or the sum (`sum`) named `metric` whose labels include `match`, times `scale`. */
export interface Reading {
  readonly metric: string
  readonly how: 'value' | 'sum'
  readonly match?: Labels
  readonly scale?: number
  /** Shown in `setup.detected` when it says more than `metric`. */
  readonly label?: string
}

/** CPU as a counter of seconds, or as Micrometer's gauge of the share of all cores times the core count. */
export type CpuSource = { readonly kind: 'counter', readonly reading: Reading } |
{ readonly kind: 'usage', readonly usage: Reading, readonly cores: Reading | null }

export interface RequestSource {
  readonly family: string
  /** A summary (Micrometer without `percentiles-histogram`) has counts but no buckets. */
  readonly kind: 'histogram' | 'summary'
  /** The label holding the status code on the family; null when it has none. */
  readonly statusLabel: string | null
  /** The family has no label set yet (no request served): its labels are not known. */
  readonly empty: boolean
}

/** A request counter with a status label, counted from when the histogram has none. */
export interface ErrorCounter { readonly metric: string, readonly statusLabel: string }

export type RuntimeName = 'node' | 'go' | 'python' | 'jvm'
/** `version` as the client labels it (`v20.11.0`, `go1.22.1`, `3.11.2`, `17.0.9+9`). */
export interface Runtime { readonly name: RuntimeName, readonly version: string }

/** What the sidecar reads from one scrape, by figure; null: looked for, not found. */
export interface Conventions {
  readonly cpu: CpuSource | null
  readonly startTime: Reading | null
  readonly rss: Reading | null
  readonly heapUsed: Reading | null
  readonly heapTotal: Reading | null
  readonly eventLoopLag: Reading | null
  readonly request: RequestSource | null
  readonly errorCounter: ErrorCounter | null
  readonly cacheHits: Reading | null
  readonly cacheMisses: Reading | null
  readonly runtime: Runtime | null
  /** Configured names (or labels) the exposition does not have, each with its setting's flag. */
  readonly missing: ReadonlyArray<{ readonly name: string, readonly flag: string }>
}

const value = (metric: string, scale?: number): Reading => scale === undefined ? { metric, how: 'value' } : { metric, how: 'value', scale }
const heapOf = (metric: string): Reading => ({ metric, how: 'sum', match: { area: 'heap' }, label: `${metric}{area="heap"}` })

/** The candidates, in the order they are tried; exported for `--help`, the README and the alert rules' tests. */
export const Candidates = Object.freeze({
  // process_cpu_seconds_total: every official client's process collector. Micrometer (1.12+) counts
  // process.cpu.time in nanoseconds; older ones only have the process.cpu.usage gauge.
  cpu: [value('process_cpu_seconds_total'), value('process_cpu_time_ns_total', 1e-9)],
  // Micrometer's OperatingSystemMXBean.getProcessCpuLoad(): 0..1 of ALL cores (1.0: every core busy).
  cpuUsage: 'process_cpu_usage',
  cpuCount: 'system_cpu_count',
  startTime: [value('process_start_time_seconds')],
  rss: [value('process_resident_memory_bytes')],
  // Node (prom-client), Go (client_golang's runtime.MemStats), JVM (Micrometer and client_java 1.x,
  // then simpleclient_hotspot), summed over the heap's pools. Python's client exposes no heap.
  heapUsed: [value('nodejs_heap_size_used_bytes'), value('go_memstats_heap_alloc_bytes'), heapOf('jvm_memory_used_bytes'), heapOf('jvm_memory_bytes_used')],
  heapTotal: [value('nodejs_heap_size_total_bytes'), value('go_memstats_heap_sys_bytes'), heapOf('jvm_memory_committed_bytes'), heapOf('jvm_memory_bytes_committed')],
  eventLoopLag: [value('nodejs_eventloop_lag_p99_seconds')],
  // prom-client / fastify-metrics / express-prom-bundle / prometheus-fastapi-instrumentator / Go
  // promhttp examples; Micrometer; OpenTelemetry (http.server.request.duration); starlette_exporter.
  request: ['http_request_duration_seconds', 'http_server_requests_seconds', 'http_server_request_duration_seconds', 'starlette_request_duration_seconds'],
  requestSuffix: '_http_request_duration_seconds',
  statusLabels: ['status_code', 'status', 'code', 'http_response_status_code'],
  cacheHits: 'cache_hits_total',
  cacheMisses: 'cache_misses_total',
  // Micrometer's CacheMeterBinder: one counter, result="hit" | "miss", one label set per cache.
  cacheGets: 'cache_gets_total',
  // The runtime's name and version, as each client labels it.
  runtime: [['nodejs_version_info', 'node'], ['go_info', 'go'], ['python_info', 'python'], ['jvm_info', 'jvm'], ['jvm_runtime_info', 'jvm']] as ReadonlyArray<readonly [string, RuntimeName]>
})

const has = (e: Exposition, r: Reading): boolean =>
  r.match === undefined ? e.value(r.metric) !== undefined : e.sum(r.metric, r.match) !== undefined

/** Scalar families only: a histogram named like a gauge is not the gauge. */
function configured (e: Exposition, name: string, flag: string, how: 'value' | 'sum', missing: Array<{ name: string, flag: string }>): Reading | null {
  const r: Reading = { metric: name, how }
  if (has(e, r)) return r
  missing.push({ name, flag })
  return null
}

const first = (e: Exposition, list: readonly Reading[]): Reading | null => list.find((r) => has(e, r)) ?? null

export function detectConventions (e: Exposition, names: MetricNames): Conventions {
  const missing: Array<{ name: string, flag: string }> = []
  const pick = (name: string | null, flag: string, list: readonly Reading[], how: 'value' | 'sum' = 'value'): Reading | null =>
    name === null ? first(e, list) : configured(e, name, flag, how, missing)
  const request = requestSource(e, names, missing)
  const counter = request === null || request.statusLabel !== null || request.empty ? null : errorCounter(e, request.family, names.statusCodeLabel)
  if (names.statusCodeLabel !== null && request !== null && !request.empty && request.statusLabel === null && counter === null) {
    missing.push({ name: names.statusCodeLabel, flag: '--status-code-label' })
  }
  const caches = cacheReadings(e, names, missing)
  return {
    cpu: names.cpu === null ? cpuSource(e) : mapCounter(configured(e, names.cpu, '--cpu-metric', 'value', missing)),
    startTime: pick(names.startTime, '--start-time-metric', Candidates.startTime),
    rss: pick(names.memory, '--memory-metric', Candidates.rss),
    heapUsed: pick(names.heapUsed, '--heap-used-metric', Candidates.heapUsed),
    heapTotal: pick(names.heapTotal, '--heap-total-metric', Candidates.heapTotal),
    eventLoopLag: pick(names.eventLoopLag, '--event-loop-lag-metric', Candidates.eventLoopLag),
    request,
    errorCounter: counter,
    cacheHits: caches.hits,
    cacheMisses: caches.misses,
    runtime: runtimeOf(e),
    missing
  }
}

const mapCounter = (r: Reading | null): CpuSource | null => r === null ? null : { kind: 'counter', reading: r }

function cpuSource (e: Exposition): CpuSource | null {
  const counter = first(e, Candidates.cpu)
  if (counter !== null) return { kind: 'counter', reading: counter }
  const usage = value(Candidates.cpuUsage)
  if (!has(e, usage)) return null
  const cores = value(Candidates.cpuCount)
  return { kind: 'usage', usage, cores: has(e, cores) ? cores : null }
}

/** The label among the candidates (or the configured one) that the family's first label set has. */
function statusLabelOf (labels: Labels | undefined, configuredLabel: string | null): string | null {
  if (labels === undefined) return null
  if (configuredLabel !== null) return configuredLabel in labels ? configuredLabel : null
  return Candidates.statusLabels.find((l) => l in labels) ?? null
}

function firstLabels (f: MetricFamily): Labels | undefined {
  if ('samples' in f) return f.samples[0]?.labels
  // The first label set, without copying the map's values.
  return f.series.values().next().value?.labels
}

function requestFamily (e: Exposition, name: string): MetricFamily | undefined {
  const f = e.family(name)
  return f !== undefined && (f.type === 'histogram' || f.type === 'summary') ? f : undefined
}

function requestSource (e: Exposition, names: MetricNames, missing: Array<{ name: string, flag: string }>): RequestSource | null {
  let family: MetricFamily | undefined
  if (names.requestDuration !== null) {
    family = requestFamily(e, names.requestDuration)
    if (family === undefined) {
      missing.push({ name: names.requestDuration, flag: '--request-duration-metric' })
      return null
    }
  } else {
    for (const name of Candidates.request) {
      family = requestFamily(e, name)
      if (family !== undefined) break
    }
    // Any `<prefix>_http_request_duration_seconds` (Prometheus's own, prometheus_flask_exporter's…),
    // histograms first: a scan of the names, only for apps none of the known names fits.
    if (family === undefined) family = scanForRequestFamily(e)
  }
  if (family === undefined) return null
  const labels = firstLabels(family)
  const statusLabel = statusLabelOf(labels, names.statusCodeLabel)
  const kind = family.type === 'summary' ? 'summary' : 'histogram'
  // The family's own name may be a slice of the scrape's text; the digest keeps this for a window.
  return { family: detached(family.name), kind, statusLabel, empty: labels === undefined }
}

function scanForRequestFamily (e: Exposition): MetricFamily | undefined {
  let summary: MetricFamily | undefined
  for (const [name, f] of e.families) {
    if (!name.endsWith(Candidates.requestSuffix)) continue
    if (f.type === 'histogram') return f
    if (f.type === 'summary') summary ??= f
  }
  return summary
}

/**
 * The request counter beside a histogram without a status label: `<prefix>_requests_total` for
 * `<prefix>_request_duration_seconds` (prometheus-fastapi-instrumentator's `http_requests_total`,
 * Prometheus's `prometheus_http_requests_total`, starlette_exporter's `starlette_requests_total`).
 */
function errorCounter (e: Exposition, family: string, configuredLabel: string | null): ErrorCounter | null {
  const cut = family.endsWith('_request_duration_seconds') ? family.length - '_request_duration_seconds'.length : -1
  if (cut < 0) return null
  const metric = `${family.slice(0, cut)}_requests_total`
  const f = e.family(metric)
  if (f === undefined || f.type !== 'counter') return null
  const statusLabel = statusLabelOf(firstLabels(f), configuredLabel)
  return statusLabel === null ? null : { metric, statusLabel }
}

function cacheReadings (e: Exposition, names: MetricNames, missing: Array<{ name: string, flag: string }>): { hits: Reading | null, misses: Reading | null } {
  if (names.cacheHits !== null || names.cacheMisses !== null) {
    return {
      hits: configured(e, names.cacheHits ?? Candidates.cacheHits, '--cache-hits-metric', 'sum', missing),
      misses: configured(e, names.cacheMisses ?? Candidates.cacheMisses, '--cache-misses-metric', 'sum', missing)
    }
  }
  const hits: Reading = { metric: Candidates.cacheHits, how: 'sum' }
  const misses: Reading = { metric: Candidates.cacheMisses, how: 'sum' }
  if (has(e, hits) && has(e, misses)) return { hits, misses }
  const gets = Candidates.cacheGets
  const hit: Reading = { metric: gets, how: 'sum', match: { result: 'hit' }, label: `${gets}{result}` }
  const miss: Reading = { metric: gets, how: 'sum', match: { result: 'miss' }, label: `${gets}{result}` }
  // A cache that has only hit so far has its miss series at 0 in Micrometer (function counters).
  if (has(e, hit) && has(e, miss)) return { hits: hit, misses: miss }
  return { hits: null, misses: null }
}

const MAX_VERSION = 64

function runtimeOf (e: Exposition): Runtime | null {
  for (const [metric, name] of Candidates.runtime) {
    const f = e.family(metric)
    if (f === undefined || !('samples' in f)) continue
    const version = f.samples[0]?.labels.version
    if (typeof version !== 'string' || version === '') continue
    // Kept for a window: a bounded copy, not a slice holding the scrape's text alive.
    return { name, version: Buffer.from(version.slice(0, MAX_VERSION), 'utf8').toString('utf8') }
  }
  return null
}
