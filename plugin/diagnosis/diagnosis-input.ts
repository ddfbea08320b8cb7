// What every conclusion reads, and what it answers. A conclusion is a pure function: the report
// being built, the history before it, the limits and the time; it returns a finding backed by the
// figures it read, or `missing` (a symptom is there but what would explain it is not), or nothing.
import type { DiagnosisLimits } from './diagnosis-limits.js'
import type { Evidence, ReliabilityReport, Severity } from '../../schemas/report.js'
import type { HistoryPoints, Transition } from '../../schemas/history.js'

export type DiagnosedReport = Pick<ReliabilityReport, 'overall_status' | 'services' | 'performance' | 'cache' | 'infrastructure' | 'ingestion' | 'anomalies'>

export interface DiagnosisInput {
  readonly report: DiagnosedReport
  /** The history before this report, oldest first. */
  readonly points: HistoryPoints
  readonly transitions: readonly Transition[]
  readonly now: number
  readonly limits: DiagnosisLimits
}

export interface Finding {
  readonly code: string
  readonly severity: Severity
  readonly summary: string
  readonly evidence: Evidence[]
  /** When it began, if the conclusion knows (a restart, the first flap); else since it first held. */
  readonly since?: number
}

export type Verdict = Finding | { readonly missing: string } | undefined

export type Conclusion = (input: DiagnosisInput) => Verdict

/** The non-null values of a history column. */
export function known (points: HistoryPoints, path: string): number[] {
  return (points.figures[path] ?? []).filter((v): v is number => v !== null)
}

/** The q-quantile (0..1) of `values` by linear interpolation between order statistics. */
export function quantile (values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = q * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low)
}

/** Rounded for a summary or an evidence value: figures read better without 15 digits. */
export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits
