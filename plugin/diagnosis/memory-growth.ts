// MEMORY_GROWTH: heap (or, without a heap figure, RSS) rising steadily across the history window
// since the last restart: a least-squares line through the points that fits well and climbs by a
// real share of where it started. A sawtooth (a collector at work) fits badly and is not growth.
import { round, type Conclusion } from './diagnosis-input.js'

const PATHS = ['infrastructure.memory.heap_used_bytes', 'infrastructure.memory.rss_bytes'] as const
const UPTIME = 'infrastructure.uptime_s'

export const memoryGrowth: Conclusion = ({ report, points, limits }) => {
  // Only the points since the last restart: a restart's drop is not part of any trend.
  let from = 0
  const uptime = points.figures[UPTIME] ?? []
  for (let i = 1; i < uptime.length; i++) {
    const a = uptime[i - 1]
    const b = uptime[i]
    if (a !== null && b !== null && b < a) from = i
  }
  for (const path of PATHS) {
    const current = path === PATHS[0] ? report.infrastructure.memory.heap_used_bytes : report.infrastructure.memory.rss_bytes
    if (current === null) continue
    const xs: number[] = []
    const ys: number[] = []
    const column = points.figures[path] ?? []
    for (let i = from; i < column.length; i++) {
      const v = column[i]
      if (v !== null) { xs.push(points.timestamp[i]); ys.push(v) }
    }
    if (xs.length < limits.memoryMinPoints) return undefined
    const span = xs[xs.length - 1] - xs[0]
    if (span < limits.memoryMinSpanMs) return undefined
    const fit = leastSquares(xs, ys)
    const start = fit.intercept + fit.slope * xs[0]
    const growth = fit.slope * span
    if (fit.slope <= 0 || fit.r2 < limits.memoryMinR2 || start <= 0 || growth < limits.memoryMinGrowth * start) return undefined
    const perMinute = fit.slope * 60_000
    return {
      code: 'MEMORY_GROWTH',
      severity: 'warning',
      summary: `${path.split('.').pop()} grew ${round(growth / 1048576, 1)} MiB over ${round(span / 60_000, 1)} min (${round(perMinute / 1048576, 3)} MiB/min, R² ${round(fit.r2)})`,
      evidence: [
        { path, value: current },
        { path: `${path}:slope_bytes_per_min`, value: round(perMinute, 0) },
        { path: `${path}:r2`, value: round(fit.r2, 3), threshold: limits.memoryMinR2 }
      ],
      since: xs[0]
    }
  }
  return undefined
}

/** Ordinary least squares of y on x, with the coefficient of determination. */
export function leastSquares (xs: readonly number[], ys: readonly number[]): { slope: number, intercept: number, r2: number } {
  const n = xs.length
  // Centred on the first x: epoch milliseconds squared lose precision in a float.
  const x0 = xs[0]
  let sx = 0; let sy = 0; let sxx = 0; let sxy = 0; let syy = 0
  for (let i = 0; i < n; i++) {
    const x = xs[i] - x0
    const y = ys[i]
    sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y
  }
  const vx = sxx - sx * sx / n
  const vy = syy - sy * sy / n
  const cov = sxy - sx * sy / n
  if (vx === 0) return { slope: 0, intercept: sy / n, r2: 0 }
  const slope = cov / vx
  return { slope, intercept: sy / n - slope * (sx / n) - slope * x0, r2: vy === 0 ? 0 : (cov * cov) / (vx * vy) }
}
