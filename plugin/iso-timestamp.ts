// People hand us timestamps as ISO strings, epoch milliseconds or Dates; the report says ISO. Shared
// by user section sources (section-source.ts) and the sidecar's websocket source.

/** ISO-8601 for a timestamp given as ISO text, epoch ms or Date; null when it is not a valid time. */
export function toIsoTimestamp (value: unknown): string | null {
  if (value === null || value === undefined) return null
  const date = value instanceof Date ? value : new Date(value as string | number)
  return Number.isFinite(date.getTime()) ? date.toISOString() : null
}
