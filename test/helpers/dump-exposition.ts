// Everything a parse gives, in order, as one comparable string (NaN and -0 spelled out): two parses
// of one text, with and without the series cache, must dump the same.
import type { Exposition } from '../../sidecar/metrics/exposition.js'

// In the object's own order: two parses of one text must agree on it too.
const entries = (labels: Readonly<Record<string, string>>): Array<[string, string]> =>
  Object.keys(labels).map((k) => [k, labels[k]])
const n = (v: number | undefined): string => v === undefined ? 'u' : Object.is(v, -0) ? '-0' : String(v)

export function dumpExposition (e: Exposition): string {
  const out: unknown[] = [e.seriesCount]
  for (const [name, f] of e.families) {
    out.push([name, f.name, f.type, f.help])
    if ('samples' in f) {
      for (const s of f.samples) out.push([s.name, entries(s.labels), n(s.value), n(s.timestamp)])
      continue
    }
    for (const [key, s] of f.series) {
      const parts = 'buckets' in s ? s.buckets.map((b) => [n(b.le), n(b.count)]) : s.quantiles.map((q) => [n(q.quantile), n(q.value)])
      out.push([key, s.key, entries(s.labels), parts, n(s.sum), n(s.count), n(s.created)])
    }
  }
  return JSON.stringify(out)
}
