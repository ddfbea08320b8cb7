// Prometheus's `histogram_quantile` for classic (le-bucketed) histograms, and the two bucket
// operations the sidecar needs before it: the delta over a window and the sum across label sets.
// The quantile follows promql/quantile.go `bucketQuantile` (Prometheus 2.x/3.x) step by step, so a
// figure the sidecar shows matches what the same query would give in Prometheus.

/** One cumulative bucket: `count` observations were <= `le` (seconds, bytes: the metric's unit). */
export interface Bucket {
  le: number
  count: number
}

function byLe (a: Bucket, b: Bucket): number {
  return a.le < b.le ? -1 : a.le > b.le ? 1 : 0
}

/**
 * The `q`-quantile (0..1) of a cumulative bucket list, interpolated linearly inside the bucket it
 * falls in, exactly like Prometheus: `q < 0` → -Inf, `q > 1` → +Inf, `q` NaN → NaN; NaN when there
 * is no `+Inf` bucket, fewer than 2 buckets, or no observations. In the `+Inf` bucket the answer is
 * the upper bound of the second-highest bucket; in the lowest bucket it interpolates from 0 when
 * that bucket's bound is > 0, else returns the bound. Buckets need not be sorted; the input is not
 * mutated. Non-monotonic counts (possible after summing layouts that differ, or bad data) are
 * flattened into their running maximum first, as Prometheus does.
 */
export function histogramQuantile (q: number, buckets: readonly Bucket[]): number {
  return locatedQuantile(q, buckets).value
}

/**
 * Where a quantile fell: in the lowest bucket (the value is interpolated below its bound, or is
 * the bound) or in the `+Inf` bucket (the value is the highest finite bound: the truth is above
 * it). Either way only a bound is known, not a measurement (issue 9). `le` is that bound.
 */
export type QuantileBound = { readonly in: 'lowest' | '+Inf', readonly le: number } | undefined

/** `histogramQuantile` and, when the rank fell in the lowest or the `+Inf` bucket, which. */
export function locatedQuantile (q: number, buckets: readonly Bucket[]): { value: number, bound: QuantileBound } {
  if (Number.isNaN(q)) return { value: NaN, bound: undefined }
  if (q < 0) return { value: -Infinity, bound: undefined }
  if (q > 1) return { value: Infinity, bound: undefined }
  if (buckets.length === 0) return { value: NaN, bound: undefined }
  let b: Bucket[] = buckets.map(x => ({ le: x.le, count: x.count })).sort(byLe)
  if (b[b.length - 1].le !== Infinity) return { value: NaN, bound: undefined }

  b = coalesce(b)
  correctPrecisionErrors(b, 1e-12)
  ensureMonotonic(b)
  if (b.length < 2) return { value: NaN, bound: undefined }
  const observations = b[b.length - 1].count
  if (observations === 0) return { value: NaN, bound: undefined }
  let rank = q * observations

  // sort.Search over all but the +Inf bucket: the first bucket whose count reaches the rank. A NaN
  // rank never satisfies the predicate and lands on the +Inf bucket, as in Go.
  let lo = 0
  let hi = b.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (b[mid].count >= rank) hi = mid
    else lo = mid + 1
  }
  const i = lo
  if (i === b.length - 1) return { value: b[b.length - 2].le, bound: { in: '+Inf', le: b[b.length - 2].le } }
  const bound: QuantileBound = i === 0 ? { in: 'lowest', le: b[0].le } : undefined
  if (i === 0 && b[0].le <= 0) return { value: b[0].le, bound }

  let start = 0
  let count = b[i].count
  if (i > 0) {
    start = b[i - 1].le
    count -= b[i - 1].count
    rank -= b[i - 1].count
  }
  return { value: start + (b[i].le - start) * (rank / count), bound }
}

/** Buckets with the same bound are added together (input sorted). */
function coalesce (b: Bucket[]): Bucket[] {
  const out: Bucket[] = [b[0]]
  for (let i = 1; i < b.length; i++) {
    const last = out[out.length - 1]
    if (b[i].le === last.le) last.count += b[i].count
    else out.push(b[i])
  }
  return out
}

/** Counts that differ only by float noise (relative 1e-12) are made equal, as Prometheus does. */
function correctPrecisionErrors (b: Bucket[], tolerance: number): void {
  let prev = b[0].count
  for (let i = 1; i < b.length; i++) {
    const cur = b[i].count
    const delta = Math.abs(cur - prev)
    if (delta === 0) continue
    if (delta / cur <= tolerance) b[i].count = prev
    else prev = cur
  }
}

/** The running maximum: a bucket can never hold fewer observations than a lower one. */
function ensureMonotonic (b: Bucket[]): void {
  let max = b[0].count
  for (let i = 1; i < b.length; i++) {
    if (b[i].count > max) max = b[i].count
    else if (b[i].count < max) b[i].count = max
  }
}

function sameLayout (a: readonly Bucket[], b: readonly Bucket[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i].le !== b[i].le) return false
  return true
}

function copy (buckets: readonly Bucket[]): Bucket[] {
  return buckets.map(x => ({ le: x.le, count: x.count }))
}

/**
 * The observations made between two scrapes of one series: `current - previous` per `le`.
 * A counter reset (any count lower than before: the process restarted) or a changed bucket
 * layout (also a restart) means the whole of `current` happened inside the window, so it is
 * returned as is — the same rule Prometheus's `increase()` applies to each bucket counter.
 * No previous scrape (`undefined`) also returns `current`. Both inputs are left unchanged.
 */
export function deltaBuckets (current: readonly Bucket[], previous: readonly Bucket[] | undefined): Bucket[] {
  if (previous === undefined || !sameLayout(current, previous)) return copy(current)
  const out: Bucket[] = new Array(current.length)
  for (let i = 0; i < current.length; i++) {
    const d = current[i].count - previous[i].count
    if (d < 0) return copy(current)
    out[i] = { le: current[i].le, count: d }
  }
  return out
}

/**
 * The buckets of several label sets added together per `le`, like
 * `sum by (le) (...)` in PromQL, sorted by `le`.
 *
 * Label sets with different layouts are summed on the union of their `le` values, and a label set
 * that lacks a given `le` contributes nothing to it — exactly what `sum by (le)` does, since that
 * series simply does not exist. The result can then dip at a bound only some label sets have;
 * `histogramQuantile` flattens such dips (its monotonicity fix), so the figure equals Prometheus's.
 * We do not interpolate a missing bound from its neighbours: that would differ from Prometheus.
 */
export function sumBuckets (list: readonly (readonly Bucket[])[]): Bucket[] {
  if (list.length === 0) return []
  const first = list[0]
  let aligned = true
  for (let i = 1; i < list.length && aligned; i++) aligned = sameLayout(first, list[i])
  if (aligned) {
    const out = copy(first)
    for (let i = 1; i < list.length; i++) {
      const b = list[i]
      for (let j = 0; j < out.length; j++) out[j].count += b[j].count
    }
    return out.sort(byLe)
  }
  const byBound = new Map<number, number>()
  for (const buckets of list) {
    for (const b of buckets) byBound.set(b.le, (byBound.get(b.le) ?? 0) + b.count)
  }
  const out: Bucket[] = []
  for (const [le, count] of byBound) out.push({ le, count })
  return out.sort(byLe)
}
