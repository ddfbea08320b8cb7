// The diagnosis's thresholds, as data in one table (README "Diagnosis" states each conclusion's
// exact conditions with these numbers). Baselines come from the history window, so "up" means up
// against this app's own recent past, not against a number that fits nobody.

export const DIAGNOSIS_LIMITS = Object.freeze({
  /** p95 is "up" at this multiple of its baseline (the 25th percentile over the history window)… */
  latencyUpFactor: 2,
  /** …and above this floor, in ms, so 2 ms → 5 ms is not an incident. */
  latencyFloorMs: 250,
  /** Without a baseline (fewer points than `minBaselinePoints`), p95 is up above this, in ms. */
  latencyAbsoluteMs: 1000,
  minBaselinePoints: 5,
  /** Busy: CPU at or above this percent of one core, or the loop's p99 delay or utilization at or above these. */
  cpuBusyPercent: 80,
  /**
   * Busy too: CPU at or above this multiple of its baseline (the median over the history window) and
   * at or above `cpuUpFloorPercent`. A process starved of CPU (a throttled container, a crowded host)
   * never reaches 80 % of a core, but it climbs far above its own normal when the work is CPU.
   */
  cpuUpFactor: 2,
  cpuUpFloorPercent: 50,
  loopBusyMs: 100,
  eluBusy: 0.9,
  /**
   * Idle: CPU below this percent, loop p99 below this, utilization below this. Low on purpose: a
   * process starved of CPU (a throttled container, a crowded host) shows a middling CPU figure
   * while it is really busy, and must not be called idle.
   */
  cpuIdlePercent: 25,
  loopIdleMs: 50,
  eluIdle: 0.5,
  /** A service answering slower than this, in ms, is slow. */
  slowServiceMs: 1000,
  /** An error burst: the 5xx rate at or above this, and at least `errorUpFactor` × its baseline (the median). */
  errorRate: 0.05,
  errorUpFactor: 2,
  /** Critical from this 5xx rate. */
  errorRateCritical: 0.25,
  /** Memory growth: at least this many points spanning this long since the last restart… */
  memoryMinPoints: 10,
  memoryMinSpanMs: 10 * 60_000,
  /** …on a line that fits this well (R²)… */
  memoryMinR2: 0.8,
  /** …growing by at least this fraction of its starting level over the span. */
  memoryMinGrowth: 0.1,
  /** A restart is reported this long after it happened, in ms. */
  restartShownMs: 10 * 60_000,
  /** Flapping: more than this many status changes… */
  flappingChanges: 4,
  /** …within this window, in ms. */
  flappingWindowMs: 10 * 60_000,
  /** Ingestion has stalled when the last ingest is older than this, in s. */
  ingestStalledS: 600
})

export type DiagnosisLimits = typeof DIAGNOSIS_LIMITS
