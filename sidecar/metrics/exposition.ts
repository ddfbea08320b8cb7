// The shape a parsed Prometheus exposition takes, and the look-ups the sidecar runs on it.
// Families are keyed by the name in their `# TYPE` line; histogram and summary families hold one
// series per label set (labels other than `le`/`quantile`), keyed by `labelsKey`, so a look-up is
// one Map get and a later cache of unchanged series can reuse the same keys.
import type { Bucket } from './histogram-quantile.js'

export type { Bucket }

/** Label name → unescaped value. */
export type Labels = Readonly<Record<string, string>>

export type ScalarType = 'counter' | 'gauge' | 'untyped' | 'info' | 'stateset'
export type MetricType = ScalarType | 'histogram' | 'gaugehistogram' | 'summary'

/** One line of a scalar family. `timestamp` is as written (ms in 0.0.4, seconds in OpenMetrics). */
export interface Sample {
  /** The sample's own name: `foo_total` and `foo_created` both belong to counter family `foo`. */
  name: string
  labels: Labels
  value: number
  timestamp: number | undefined
}

/** One label set of a histogram. `sum`, `count`, `created` are NaN when the exposition omits them. */
export interface HistogramSeries {
  key: string
  labels: Labels
  /** Cumulative, sorted by `le`, `+Inf` last when present. */
  buckets: Bucket[]
  sum: number
  count: number
  created: number
}

export interface Quantile {
  quantile: number
  value: number
}

/** One label set of a summary. `sum`, `count`, `created` are NaN when the exposition omits them. */
export interface SummarySeries {
  key: string
  labels: Labels
  /** In exposition order. */
  quantiles: Quantile[]
  sum: number
  count: number
  created: number
}

export interface ScalarFamily {
  name: string
  type: ScalarType
  help: string
  samples: Sample[]
}

export interface HistogramFamily {
  name: string
  type: 'histogram' | 'gaugehistogram'
  help: string
  /** By `labelsKey(labels)`. */
  series: Map<string, HistogramSeries>
}

export interface SummaryFamily {
  name: string
  type: 'summary'
  help: string
  series: Map<string, SummarySeries>
}

export type MetricFamily = ScalarFamily | HistogramFamily | SummaryFamily

export interface Exposition {
  /** By family name, in exposition order. */
  readonly families: Map<string, MetricFamily>
  /** Sample lines read (each bucket, `_sum`, `_count` counts): what the series cap limits. */
  readonly seriesCount: number
  /**
   * A family by name. A counter's or info's sample name works too (`foo_total` finds the
   * OpenMetrics family `foo`), so callers can use one metric name whichever format the target speaks.
   */
  family(name: string): MetricFamily | undefined
  /** A histogram family by name, undefined when absent or of another type. */
  histogram(name: string): HistogramFamily | undefined
  /**
   * The value of the first sample named `name` (a sample name, e.g. `process_cpu_seconds_total`)
   * whose labels include every pair of `match`; undefined when there is none.
   */
  value(name: string, match?: Labels): number | undefined
  /** The sum of every such sample (a counter split by label), undefined when there is none. */
  sum(name: string, match?: Labels): number | undefined
}

function escapeLabelValue (v: string): string {
  let out = ''
  let from = 0
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (c !== 92 && c !== 34 && c !== 10) continue
    out += v.slice(from, i) + (c === 92 ? '\\\\' : c === 34 ? '\\"' : '\\n')
    from = i + 1
  }
  return from === 0 ? v : out + v.slice(from)
}

/** A label name that can be written without quotes (`[a-zA-Z_][a-zA-Z0-9_]*`). */
function isPlainLabelName (name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (i > 0 && c >= 48 && c <= 57))) return false
  }
  return name.length > 0
}

/**
 * The key of a label set in `HistogramFamily.series` / `SummaryFamily.series`: the pairs sorted by
 * name, written `name="escaped value"` and joined by commas (the exposition's own canonical form,
 * which lets the parser slice it straight out of the text). A name that needs quotes (UTF-8,
 * `{"http.method"="GET"}`) is written quoted and escaped, so that no name can spell another set.
 * `le` and `quantile` are not part of a series' labels, so leave them out.
 */
export function labelsKey (labels: Labels): string {
  const names = Object.keys(labels).sort()
  let key = ''
  for (let i = 0; i < names.length; i++) {
    if (i > 0) key += ','
    const name = names[i]
    key += (isPlainLabelName(name) ? name : '"' + escapeLabelValue(name) + '"') + '="' + escapeLabelValue(labels[name]) + '"'
  }
  return key
}

function matches (labels: Labels, match: Labels | undefined): boolean {
  if (match === undefined) return true
  for (const name in match) if (labels[name] !== match[name]) return false
  return true
}

// OpenMetrics names these families without the suffix their samples carry.
const OPENMETRICS_SUFFIXES: Record<string, MetricType | undefined> = { _total: 'counter', _created: 'counter', _info: 'info' }

class ParsedExposition implements Exposition {
  readonly families: Map<string, MetricFamily>
  readonly seriesCount: number

  constructor (families: Map<string, MetricFamily>, seriesCount: number) {
    this.families = families
    this.seriesCount = seriesCount
  }

  family (name: string): MetricFamily | undefined {
    const found = this.families.get(name)
    if (found !== undefined) return found
    const cut = name.lastIndexOf('_')
    const type = cut > 0 ? OPENMETRICS_SUFFIXES[name.slice(cut)] : undefined
    const base = type === undefined ? undefined : this.families.get(name.slice(0, cut))
    return base?.type === type ? base : undefined
  }

  histogram (name: string): HistogramFamily | undefined {
    const f = this.families.get(name)
    return f !== undefined && (f.type === 'histogram' || f.type === 'gaugehistogram') ? f : undefined
  }

  value (name: string, match?: Labels): number | undefined {
    const f = this.family(name)
    if (f === undefined || !('samples' in f)) return undefined
    for (const s of f.samples) if (s.name === name && matches(s.labels, match)) return s.value
    return undefined
  }

  sum (name: string, match?: Labels): number | undefined {
    const f = this.family(name)
    if (f === undefined || !('samples' in f)) return undefined
    let total: number | undefined
    for (const s of f.samples) {
      if (s.name === name && matches(s.labels, match)) total = (total ?? 0) + s.value
    }
    return total
  }
}

/** Wraps what the parser built; the sidecar never constructs one itself. */
export function createExposition (families: Map<string, MetricFamily>, seriesCount: number): Exposition {
  return new ParsedExposition(families, seriesCount)
}
