// Which family a sample line belongs to, and as what: `x_bucket` is a bucket of histogram `x`,
// `x_total` the value of OpenMetrics counter `x`. The suffixes are those of the Prometheus text
// format 0.0.4 and OpenMetrics 1.0 (gauge histograms count with `_gcount`/`_gsum`).
import type { MetricFamily, MetricType } from './exposition.js'

/** What a sample line is to its family. */
export const NONE = -1
export const VALUE = 0
export const BUCKET = 1
export const SUM = 2
export const COUNT = 3
export const CREATED = 4

/**
 * The TYPE words we accept (`unknown` is OpenMetrics for `untyped`), each to its type as a string
 * literal: literals are interned, so two families' types compare by identity, not by characters.
 */
export const TYPES = new Map<string, MetricType>([['counter', 'counter'], ['gauge', 'gauge'], ['histogram', 'histogram'],
  ['gaugehistogram', 'gaugehistogram'], ['summary', 'summary'], ['untyped', 'untyped'], ['unknown', 'untyped'],
  ['info', 'info'], ['stateset', 'stateset']])

const SUFFIXES: Record<MetricType, ReadonlyArray<readonly [string, number]>> = {
  histogram: [['_bucket', BUCKET], ['_sum', SUM], ['_count', COUNT], ['_created', CREATED]],
  gaugehistogram: [['_bucket', BUCKET], ['_gsum', SUM], ['_gcount', COUNT], ['_created', CREATED]],
  summary: [['_sum', SUM], ['_count', COUNT], ['_created', CREATED]],
  // 0.0.4 counters are named with their `_total` already, so the bare name is their value too.
  counter: [['_total', VALUE], ['_created', VALUE]],
  info: [['_info', VALUE]],
  gauge: [],
  untyped: [],
  stateset: []
}

/** The role of a sample named like a family of `type`, followed by text[at, end); NONE if it is not one. */
export function roleOf (type: MetricType, text: string, at: number, end: number): number {
  const n = end - at
  if (n === 0) return type === 'histogram' || type === 'gaugehistogram' || type === 'info' ? NONE : VALUE
  if (text.charCodeAt(at) !== 95) return NONE
  for (const [suffix, role] of SUFFIXES[type]) {
    if (n === suffix.length && text.startsWith(suffix, at)) return role
  }
  return NONE
}

export function newFamily (name: string, type: MetricType, help: string): MetricFamily {
  if (type === 'histogram' || type === 'gaugehistogram') return { name, type, help, series: new Map() }
  if (type === 'summary') return { name, type, help, series: new Map() }
  return { name, type, help, samples: [] }
}

export const hasSamples = (f: MetricFamily): boolean => 'samples' in f ? f.samples.length > 0 : f.series.size > 0
