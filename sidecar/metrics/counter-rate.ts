// Counter arithmetic between two scrapes, with Prometheus's reset rule: a counter only goes up, so
// a lower value means the process restarted and counted from zero since (promql `increase`/`rate`
// treat every decrease as a reset). Two-point figures only: the sidecar compares the oldest and
// newest scrape inside its window, and does not extrapolate to the window's edges as `rate()` does.

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

/**
 * Per-second rate of a counter over `seconds` (the time between the two scrapes), resets handled as
 * in `counterIncrease`. NaN when a value is missing or `seconds` is not a positive finite number.
 */
export function rate (previous: number | undefined, current: number | undefined, seconds: number): number {
  if (!(seconds > 0) || seconds === Infinity) return NaN
  return counterIncrease(previous, current) / seconds
}
