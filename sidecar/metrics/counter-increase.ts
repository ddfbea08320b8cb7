// Counter arithmetic between two scrapes, with Prometheus's reset rule: a counter only goes up, so
// a lower value means the process restarted and counted from zero since (promql `increase`/`rate`
// treat every decrease as a reset). The sidecar adds up these increases step by step, one per pair
// of consecutive scrapes in its window (derive-figures.ts), and does not extrapolate to the
// window's edges as Prometheus's `rate()` does.

/**
 * How much a counter grew from `previous` to `current`. A decrease is a reset: the increase is then
 * `current` (all counted since the restart). NaN when either value is missing or NaN — "no data",
 * never 0.
 */
export function counterIncrease (previous: number | undefined, current: number | undefined): number {
  if (previous === undefined || current === undefined) return NaN
  if (Number.isNaN(previous) || Number.isNaN(current)) return NaN
  return current < previous ? current : current - previous
}
