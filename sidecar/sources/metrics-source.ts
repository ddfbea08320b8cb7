// The `metrics` source: the app's Prometheus exposition, scraped each poll, parsed by our own
// parser (which skips the lines whose series the last scrape had), digested, and kept for one
// window; the report's performance, cache, memory, edge and ingestion figures are derived from
// those digests when a report is built.
import { ReliabilityErrors } from '../../plugin/errors.js'
import { parseExposition } from '../metrics/parse-exposition.js'
import { SeriesCache } from '../metrics/series-cache.js'
import { digestScrape, type MetricNames, type ScrapeDigest } from '../metrics/scrape-digest.js'
import { bridgeUnreadable, deriveFigures, stepBetween } from '../metrics/derive-figures.js'
import { conventionSetup } from '../metrics/convention-setup.js'
import { createEndpointRecorder } from '../poller/endpoint-recorder.js'
import type { EndpointHandler } from '../poller/poller.js'
import { EXPOSITION_ACCEPT } from '../upstream/upstream-client.js'
import type { Source } from '../../plugin/sources/source.js'

export interface MetricsSourceOptions {
  readonly path: string
  readonly intervalMs: number
  readonly windowMs: number
  readonly maxSeries: number
  readonly names: MetricNames
  readonly now: () => number
}

export function createMetricsSource (opts: MetricsSourceOptions): { handler: EndpointHandler, source: Source } {
  let history: ScrapeDigest[] = []
  // An app's exposition keeps its series from scrape to scrape: lines seen last time are not read again.
  const cache = new SeriesCache()
  const recorder = createEndpointRecorder(opts.intervalMs)
  const handler: EndpointHandler = {
    name: 'metrics',
    path: opts.path,
    // Prometheus 3's own list: OpenMetrics or text, quoted UTF-8 names allowed (issue 9).
    accept: EXPOSITION_ACCEPT,
    onResult: (result) => recorder.record(result, (answer) => {
      if (answer.statusCode < 200 || answer.statusCode >= 300) throw ReliabilityErrors.UPSTREAM_STATUS(opts.path, answer.statusCode)
      const read = digestScrape(parseExposition(answer.lines, { maxSeries: opts.maxSeries, cache }), opts.names, result.at)
      const previous = history[history.length - 1]
      // A reading this scrape could not use (NaN, +Inf, 1e308) is bridged: the next step counts
      // from the last good one.
      const scraped = previous === undefined ? read : bridgeUnreadable(previous, read)
      const digest = previous === undefined ? scraped : { ...scraped, step: stepBetween(previous, scraped) }
      // Keep the scrapes of one window, plus the one just before it as the baseline of its rates.
      // Only the newest keeps its label sets (the next step needs them); older ones keep their step.
      const from = result.at - opts.windowMs
      let keepFrom = 0
      while (keepFrom < history.length - 1 && history[keepFrom + 1].at <= from) keepFrom++
      const kept = history.slice(keepFrom)
      if (previous !== undefined) {
        kept[kept.length - 1] = { ...previous, requests: undefined, ...(previous.carried ? { carried: { ...previous.carried, requests: undefined } } : {}) }
      }
      history = [...kept, digest]
    })
  }

  const source: Source = {
    name: 'metrics',
    async collect (ctx) {
      const now = ctx.now()
      const last = history[history.length - 1]
      const provenance = recorder.provenance(now)
      if (last === undefined || provenance.status === 'error') return { provenance }
      const notes: string[] = []
      if (history.length < 2) notes.push('metrics: one scrape so far; rates and percentiles need two.')
      // Only names someone set: what detection did not find is said once, in `setup` (issue 9).
      if (last.missing.length > 0) notes.push(`metrics: configured but not in the exposition: ${last.missing.slice(0, 10).join(', ')}${last.missing.length > 10 ? ', …' : ''}.`)
      const { detected, unconfigured } = conventionSetup(last.conventions, opts.names)
      if ([opts.names.activeEdges, opts.names.edgesCreated, opts.names.lastEdgeCreated].every((n) => n === null)) {
        unconfigured.push({ path: 'edge_engine', reason: 'no edge metric names set (--active-edges-metric and related)' })
      }
      if ([opts.names.ingestLatency, opts.names.lastIngest, opts.names.ingestFailures].every((n) => n === null)) {
        unconfigured.push({ path: 'ingestion', reason: 'no ingestion metric names set (--ingest-latency-metric and related)' })
      }
      const figures = deriveFigures(history, now)
      return { ...figures, provenance, notes: [...notes, ...(figures.notes ?? [])], setup: { detected, unconfigured } }
    }
  }
  return { handler, source }
}
