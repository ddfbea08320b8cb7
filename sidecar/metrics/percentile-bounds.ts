// A request percentile whose rank falls in the lowest bucket or in the `+Inf` bucket is not a
// measurement: Prometheus's histogram_quantile interpolates from 0 inside the lowest bucket (the
// Prometheus server's own p50/p95/p99 read exactly 50/95/99 ms inside its 0.1 s bucket, issue 9)
// and answers the highest finite bound for the `+Inf` one. The figure keeps Prometheus's value, so
// rules and dashboards agree; the report says, once per report, which figures are only bounds.

/** A report path whose figure lies in the lowest (`le`: its bound) or the `+Inf` bucket (`le`: the highest finite bound). */
export interface PercentileBound {
  readonly path: string
  readonly in: 'lowest' | '+Inf'
  readonly le: number
}

/** `performance.request_latency_ms.p50, p95` from the full paths: the shared prefix said once. */
function listPaths (paths: readonly string[]): string {
  const cut = paths[0].lastIndexOf('.') + 1
  const prefix = paths[0].slice(0, cut)
  return paths.every((p) => p.startsWith(prefix)) ? prefix + paths.map((p) => p.slice(cut)).join(', ') : paths.join(', ')
}

const ms = (seconds: number): string => `${Math.round(seconds * 1e6) / 1e3} ms`

/** At most two notes: the figures in the lowest bucket, and those in the `+Inf` bucket. */
export function boundNotes (bounds: readonly PercentileBound[]): string[] {
  const notes: string[] = []
  for (const where of ['lowest', '+Inf'] as const) {
    const these = bounds.filter((b) => b.in === where)
    if (these.length === 0) continue
    const one = these.length === 1
    const subject = `metrics: ${listPaths(these.map((b) => b.path))} ${one ? 'lies' : 'lie'}`
    notes.push(where === 'lowest'
      ? `${subject} in the lowest bucket (≤ ${ms(these[0].le)}): ${one ? 'an upper bound' : 'upper bounds'}, not ${one ? 'a measurement' : 'measurements'}.`
      : `${subject} in the +Inf bucket (> ${ms(these[0].le)}): ${one ? 'a lower bound' : 'lower bounds'}, not ${one ? 'a measurement' : 'measurements'}.`)
  }
  return notes
}
