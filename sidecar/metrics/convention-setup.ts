// What the report's `setup` says about the metrics (issue 9): which metric feeds each figure, and
// which figures the app's exposition does not offer, with why. A figure the app does not offer by
// design (no heap in Python, no event loop outside Node, a Micrometer summary without buckets) is
// said here once, not noted in every report; a *configured* name that is absent stays a note.
import { Candidates, type Conventions, type Reading } from './conventions.js'
import type { MetricNames } from './scrape-digest.js'

export interface MetricsSetup {
  readonly detected: Record<string, string | null>
  readonly unconfigured: Array<{ path: string, reason: string }>
}

const nameOf = (r: Reading | null): string | null => r === null ? null : r.label ?? r.metric
const looked = (list: readonly Reading[]): string => list.map((r) => r.label ?? r.metric).join(', ')
const REQUEST_PATHS = ['performance.request_latency_ms', 'performance.requests_per_s', 'performance.error_rate']
const PERCENTILES = ['performance.request_latency_ms.p50', 'performance.request_latency_ms.p95', 'performance.request_latency_ms.p99']

/** `python 3.11.2`, `go 1.22.1`, `node 20.11.0`, `jvm 17.0.9+9`. */
export function runtimeText (c: Conventions): string | null {
  const r = c.runtime
  return r === null ? null : `${r.name} ${r.version.replace(r.name === 'go' ? /^go/ : /^v/, '')}`
}

export function conventionSetup (c: Conventions, names: MetricNames): MetricsSetup {
  const runtime = runtimeText(c)
  const cpu = c.cpu === null ? null : c.cpu.kind === 'counter' ? nameOf(c.cpu.reading) : `${Candidates.cpuUsage} × ${Candidates.cpuCount}`
  const request = c.request
  const cache = c.cacheHits === null || c.cacheMisses === null
    ? null
    : c.cacheHits.metric === c.cacheMisses.metric ? nameOf(c.cacheHits) : `${c.cacheHits.metric}, ${c.cacheMisses.metric}`
  const detected: Record<string, string | null> = {
    runtime,
    cpu_metric: cpu,
    request_metric: request?.family ?? null,
    status_label: request?.statusLabel ?? c.errorCounter?.statusLabel ?? null,
    error_metric: request?.statusLabel != null ? request.family : c.errorCounter?.metric ?? null,
    memory_metric: nameOf(c.rss),
    heap_used_metric: nameOf(c.heapUsed),
    heap_total_metric: nameOf(c.heapTotal),
    event_loop_lag_metric: nameOf(c.eventLoopLag),
    cache_metric: cache
  }

  const unconfigured: Array<{ path: string, reason: string }> = []
  // Only what was left to detection: a configured name that is absent is a note (metrics-source.ts).
  const absent = (path: string, set: string | null, found: unknown, reason: string) => {
    if (set === null && (found === null || found === undefined)) unconfigured.push({ path, reason })
  }
  const on = runtime === null ? '' : ` (the target runs ${runtime})`
  absent('performance.cpu_percent', names.cpu, cpu, `no CPU metric in the exposition (looked for ${looked(Candidates.cpu)}, ${Candidates.cpuUsage})`)
  if (names.cpu === null && c.cpu?.kind === 'usage' && c.cpu.cores === null) {
    unconfigured.push({ path: 'performance.cpu_percent', reason: `${Candidates.cpuUsage} is a share of all cores, and without ${Candidates.cpuCount} it cannot be made a percent of one` })
  }
  absent('infrastructure.uptime_s', names.startTime, c.startTime, `no ${looked(Candidates.startTime)} in the exposition`)
  absent('infrastructure.memory.rss_bytes', names.memory, c.rss, `no ${looked(Candidates.rss)} in the exposition${on}`)
  absent('infrastructure.memory.heap_used_bytes', names.heapUsed, c.heapUsed, `no heap metric in the exposition${on} (looked for ${looked(Candidates.heapUsed)})`)
  absent('infrastructure.memory.heap_total_bytes', names.heapTotal, c.heapTotal, `no heap metric in the exposition${on} (looked for ${looked(Candidates.heapTotal)})`)
  const notNode = c.runtime !== null && c.runtime.name !== 'node'
  absent('performance.event_loop_delay_p99_ms', names.eventLoopLag, c.eventLoopLag, notNode
    ? `event-loop lag is a Node.js figure${on}`
    : `no ${looked(Candidates.eventLoopLag)} in the exposition`)
  if (c.runtime?.name !== 'node') {
    unconfigured.push({
      path: 'infrastructure.node_version',
      reason: notNode ? `not a Node.js target${on}` : `no runtime info in the exposition (looked for ${Candidates.runtime.map(([m]) => m).join(', ')})`
    })
  }
  if (request === null && names.requestDuration === null) {
    const reason = `no request histogram in the exposition (looked for ${Candidates.request.join(', ')}, *${Candidates.requestSuffix})`
    for (const path of REQUEST_PATHS) unconfigured.push({ path, reason })
  }
  if (request?.kind === 'summary') {
    // Micrometer publishes http.server.requests as a summary unless its histogram is enabled.
    const reason = `${request.family} is a summary without buckets (Spring: management.metrics.distribution.percentiles-histogram.http.server.requests=true adds them)`
    for (const path of PERCENTILES) unconfigured.push({ path, reason })
  }
  if (request !== null && !request.empty && request.statusLabel === null && c.errorCounter === null && names.statusCodeLabel === null) {
    unconfigured.push({
      path: 'performance.error_rate',
      reason: `${request.family} has no status label (looked for ${Candidates.statusLabels.join(', ')}) and no request counter beside it has one`
    })
  }
  if (names.cacheHits === null && names.cacheMisses === null && cache === null) {
    unconfigured.push({ path: 'cache', reason: `no cache counters in the exposition (looked for ${Candidates.cacheHits} and ${Candidates.cacheMisses}, or ${Candidates.cacheGets}{result})` })
  }
  return { detected, unconfigured }
}
