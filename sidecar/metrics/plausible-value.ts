// Whether a number read from an exposition can feed a figure (SPEC §6: non-finite values never
// reach the serializer). An exposition may legally say NaN or ±Inf, and a broken client can write
// 1e308; every value the sidecar reads (seconds, bytes, counts, epoch seconds) is non-negative, and
// none comes near 2^53, above which a counter can no longer count by one. Such a reading is left
// out with a reason instead of turning into an infinite rate (1e308 / 60 * 100 overflows) or a NaN
// the serializer throws on.

/** The largest reading taken as real: beyond it, doubles no longer hold every integer. */
export const MAX_PLAUSIBLE = Number.MAX_SAFE_INTEGER

/** Why `value` cannot be used, as a phrase ("is NaN"), or undefined when it can. */
export function implausible (value: number): string | undefined {
  if (Number.isNaN(value)) return 'is NaN'
  if (value === Infinity) return 'is +Inf'
  if (value === -Infinity) return 'is -Inf'
  if (value < 0) return `is negative (${value})`
  if (value > MAX_PLAUSIBLE) return `is ${value}, beyond 2^53`
  return undefined
}
