// Order statistics of a benchmark's samples. Quantiles use the nearest-rank method (no
// interpolation), so a p99 of 100 samples is the 99th smallest, a value that was really measured.

export interface Summary {
  readonly n: number
  readonly min: number
  readonly median: number
  readonly max: number
  readonly p99: number
  readonly mean: number
}

/** Nearest-rank quantile, `q` in 0..1, of samples sorted ascending. */
export function quantileOfSorted (sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

export function summarize (samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return { n, min: NaN, median: NaN, max: NaN, p99: NaN, mean: NaN }
  const mid = Math.floor(n / 2)
  const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  let total = 0
  for (const v of sorted) total += v
  return { n, min: sorted[0], median, max: sorted[n - 1], p99: quantileOfSorted(sorted, 0.99), mean: total / n }
}
