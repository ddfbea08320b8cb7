// The request family of one scrape as the digest keeps it: per label set, its cumulative buckets
// (none for a summary), its count, and whether it counts 5xx answers; and, for a histogram without
// a status label, the 5xx count of the request counter beside it (issue 9: never a silent 0).
import { implausible } from './plausible-value.js'
import type { Bucket, Exposition, HistogramFamily, HistogramSeries, SummaryFamily, SummarySeries } from './exposition.js'
import type { ErrorCounter } from './conventions.js'

/** One label set of the request family. */
export interface RequestSeries {
  /** Cumulative; empty for a summary, which has no buckets. */
  readonly buckets: Bucket[]
  readonly count: number
  /** Whether it counts 5xx answers; undefined when the family has no status label. */
  readonly serverError: boolean | undefined
}

/** `500` and grouped `5xx` alike: the status classes instrumentators write. */
export const isServerError = (status: string | undefined): boolean => status !== undefined && status.charCodeAt(0) === 53 && status.length === 3

/**
 * How many observations a histogram or summary series holds: its `_count`, or for a histogram
 * without one its `+Inf` bucket (the same number by definition; OpenMetrics makes `_count`
 * optional). The parser leaves an absent `_count` NaN, so an explicit `NaN` is read the same way.
 */
export function observations (series: HistogramSeries | SummarySeries): { count: number, fromInf: boolean } | string {
  if (!Number.isNaN(series.count)) {
    const why = implausible(series.count)
    return why === undefined ? { count: series.count, fromInf: false } : `has a _count that ${why}`
  }
  const inf = 'buckets' in series ? series.buckets.find((b) => b.le === Infinity) : undefined
  if (inf === undefined) return 'has no _count (or a NaN one) and no +Inf bucket'
  const why = implausible(inf.count)
  return why === undefined ? { count: inf.count, fromInf: true } : `has no _count and a +Inf bucket that ${why}`
}

const NO_BUCKETS: Bucket[] = []

/** The family's label sets, or why it cannot be used: one bad series makes every sum wrong. */
export function requestSeries (family: HistogramFamily | SummaryFamily, statusLabel: string | null): { series: Map<string, RequestSeries>, countsFromInf: number } | string {
  const out = new Map<string, RequestSeries>()
  let countsFromInf = 0
  for (const [key, series] of family.series) {
    const buckets = 'buckets' in series ? series.buckets : NO_BUCKETS
    for (const b of buckets) {
      if (Number.isNaN(b.le)) return 'has a bucket with le="NaN"'
      const why = implausible(b.count)
      if (why !== undefined) return `has a bucket count that ${why}`
    }
    const seen = observations(series)
    if (typeof seen === 'string') return seen
    if (seen.fromInf) countsFromInf++
    const serverError = statusLabel === null ? undefined : isServerError(series.labels[statusLabel])
    out.set(key, { buckets, count: seen.count, serverError })
  }
  return { series: out, countsFromInf }
}

/** The counter's total over its label sets and the part with a 5xx status; undefined when it has no sample. */
export function countedRequests (exposition: Exposition, counter: ErrorCounter): { total: number, errors: number } | undefined {
  const f = exposition.family(counter.metric)
  if (f === undefined || !('samples' in f)) return undefined
  let total = 0
  let errors = 0
  let seen = false
  for (const s of f.samples) {
    if (s.name !== counter.metric) continue
    seen = true
    total += s.value
    if (isServerError(s.labels[counter.statusLabel])) errors += s.value
  }
  return seen ? { total, errors } : undefined
}
