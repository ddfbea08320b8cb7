// The plugin's memory of its reports (SPEC §9): a compact point per generated report for
// `historyMs`, bounded by `historyPoints`, and the last 200 transitions. Nothing goes to disk:
// Prometheus, scraping the sidecar, is the long-term store.
import { readPath } from '../rules/read-path.js'
import { createPointRing, type PointRing } from './point-ring.js'
import { reportTransitions, summarize, type ReportSummary } from './report-transitions.js'
import type { ReliabilityReport } from '../../schemas/report.js'
import type { HistoryPoints, HistoryResponse, Transition } from '../../schemas/history.js'

export const MAX_TRANSITIONS = 200

export interface HistoryOptions {
  readonly historyMs: number
  readonly historyPoints: number
  /** The report paths each point keeps (historyFigurePaths). */
  readonly paths: readonly string[]
}

export interface History {
  /** Keeps the report's point and the transitions since the previous one; returns those transitions. */
  record(report: ReliabilityReport): Transition[]
  /** The points within `historyMs` of `now`, and the transitions. */
  view(now: number): HistoryResponse
  /** The points within `historyMs` of `now`: what the diagnosis reads. */
  points(now: number): HistoryPoints
  /** The transitions kept, oldest first. */
  transitions(): readonly Transition[]
  /** Bytes the point columns hold (a benchmark figure). */
  readonly bytes: number
}

const figureOf = (report: ReliabilityReport, path: string): number | null => {
  const v = readPath(report, path)
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

export function createHistory (opts: HistoryOptions): History {
  const ring: PointRing = createPointRing(opts.paths, opts.historyPoints)
  // A ring of at most MAX_TRANSITIONS: oldest dropped first.
  let kept: Transition[] = []
  let last: ReportSummary | undefined

  return {
    bytes: ring.bytes,
    record (report) {
      const at = Date.parse(report.timestamp)
      ring.push({
        at,
        status: report.overall_status,
        figures: opts.paths.map((p) => figureOf(report, p)),
        anomalies: report.anomalies.map((a) => a.code)
      })
      const changes = reportTransitions(last, report)
      last = summarize(report, last)
      if (changes.length > 0) {
        kept = [...kept, ...changes]
        if (kept.length > MAX_TRANSITIONS) kept = kept.slice(kept.length - MAX_TRANSITIONS)
      }
      return changes
    },
    points: (now) => ring.read(now, opts.historyMs),
    view: (now) => ({
      history_ms: opts.historyMs,
      history_points: opts.historyPoints,
      points: ring.read(now, opts.historyMs),
      transitions: [...kept]
    }),
    transitions: () => kept
  }
}
