// The sidecar's own /metrics (SPEC §6, §7): what it concluded about the app, in Prometheus format,
// so the fleet view is Prometheus scraping every sidecar. Status and anomalies are read from the
// last report when scraped; poll durations and failures are recorded as they happen.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { reliabilityCode } from '../plugin/errors.js'
import type { ReliabilityReport } from '../schemas/report.js'

export interface OwnMetrics {
  readonly registry: Registry
  observePoll(endpoint: string, durationMs: number, failure: Error | undefined): void
}

export interface OwnMetricsOptions {
  /** The current report (cached by the plugin; the sidecar's sources answer from polled state). */
  readonly report: () => Promise<ReliabilityReport>
  /** Whether the app answers the endpoints it offers: health when offered, else metrics (SPEC §8). */
  readonly targetUp: () => boolean
  /** Poll ticks skipped so far because a round was still running (a target slower than the interval). */
  readonly skippedTicks: () => number
}

const statuses = ['ok', 'degraded', 'down'] as const

// RELIABILITY_ERR_UPSTREAM_TIMEOUT -> upstream_timeout: a small, fixed label set.
const reasonOf = (err: Error): string => reliabilityCode(err)?.slice('RELIABILITY_ERR_'.length).toLowerCase() ?? 'other'

export function createOwnMetrics (opts: OwnMetricsOptions): OwnMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })

  // eslint-disable-next-line no-new
  new Gauge({
    name: 'reliability_overall_status',
    help: 'Overall status of the watched app: 1 for the current status, 0 for the others',
    labelNames: ['status'],
    registers: [registry],
    async collect () {
      const current = (await opts.report()).overall_status
      for (const s of statuses) this.set({ status: s }, s === current ? 1 : 0)
    }
  })
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'reliability_anomaly_firing',
    help: 'Anomalies firing in the last report, by code and severity',
    labelNames: ['code', 'severity'],
    registers: [registry],
    async collect () {
      const { anomalies } = await opts.report()
      this.reset()
      for (const a of anomalies) this.set({ code: a.code, severity: a.severity }, 1)
    }
  })
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'reliability_target_up',
    help: '1 while the watched app answers the endpoints it offers: its health endpoint (and reports itself up) when it offers one, else its metrics endpoint (after the failure/success thresholds)',
    registers: [registry],
    collect () {
      this.set(opts.targetUp() ? 1 : 0)
    }
  })
  let skippedSeen = 0
  // eslint-disable-next-line no-new
  new Counter({
    name: 'reliability_poll_ticks_skipped_total',
    help: 'Poll ticks skipped because the previous round was still running (the target answers slower than the interval)',
    registers: [registry],
    collect () {
      const skipped = opts.skippedTicks()
      if (skipped > skippedSeen) this.inc(skipped - skippedSeen)
      skippedSeen = skipped
    }
  })
  const duration = new Histogram({
    name: 'reliability_poll_duration_seconds',
    help: 'Duration of each poll of the app, by endpoint',
    labelNames: ['endpoint'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry]
  })
  const failures = new Counter({
    name: 'reliability_poll_failures_total',
    help: 'Polls of the app that failed, by endpoint and reason',
    labelNames: ['endpoint', 'reason'],
    registers: [registry]
  })

  return {
    registry,
    observePoll (endpoint, durationMs, failure) {
      duration.observe({ endpoint }, durationMs / 1000)
      if (failure) failures.inc({ endpoint, reason: reasonOf(failure) })
    }
  }
}
