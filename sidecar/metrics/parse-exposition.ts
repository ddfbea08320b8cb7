// Prometheus text exposition (0.0.4) and OpenMetrics text parser, written for the sidecar: one
// pass over the string with charCode scanning, no regex, no per-sample closures. Histogram and
// summary samples are grouped per label set (the npm parsers merge label sets: see issue 3). Series
// keys are sliced straight out of the text when it is written canonically (no blanks, label names
// ascending, as prom-client and fastify-metrics write it) and built by sorting otherwise.
// Grammar: https://prometheus.io/docs/instrumenting/exposition_formats/ and the OpenMetrics spec;
// leniency follows Prometheus's own expfmt parser (blanks around tokens, trailing commas).
import { ReliabilityErrors } from '../../plugin/errors.js'
import { createExposition } from './exposition.js'
import type { Exposition, HistogramFamily, HistogramSeries, MetricFamily, MetricType, SummaryFamily, SummarySeries } from './exposition.js'
import { BUCKET, COUNT, hasSamples, newFamily, NONE, roleOf, SUM, TYPES, VALUE } from './metric-family.js'
import { isBlank, isNameChar, isNameStart, LabelReader } from './read-labels.js'
import { readNumber } from './read-number.js'

export interface ParseOptions {
  /** Throw SERIES_CAP past this many sample lines. Default: no cap (the body cap bounds it). */
  maxSeries?: number
}

const unescapeOne = (_: string, c: string): string => c === 'n' ? '\n' : c
/** `\\` and `\n` are the only escapes in HELP text; any other backslash stays as written. */
const unescapeHelp = (s: string): string => s.includes('\\') ? s.replace(/\\([\\n])/g, unescapeOne) : s

class Parser {
  readonly text: string
  readonly maxSeries: number
  readonly families = new Map<string, MetricFamily>()
  readonly helpSeen = new Set<string>()
  readonly typeSeen = new Set<string>()
  line = 0
  count = 0
  // The family and role of the sample being read; `cur` is also the fast-path guess for the next.
  cur: MetricFamily | undefined = undefined
  role = NONE
  /** The name of the previous sample line and its role in `cur`. */
  lastName = ''
  lastRole = NONE
  readonly labels = new LabelReader()
  // The series the previous line went to and its key: the lines of one histogram series come
  // together, so most bucket lines match it by an in-place compare, with no slice or Map look-up.
  lastFamily: MetricFamily | undefined = undefined
  lastKey = ''
  lastSeries: HistogramSeries | SummarySeries | undefined = undefined

  constructor (text: string, maxSeries: number) {
    this.text = text
    this.maxSeries = maxSeries
  }

  fail (reason: string): never {
    throw new ReliabilityErrors.METRICS_PARSE(this.line, reason)
  }

  number (start: number, end: number, what: string): number {
    const v = readNumber(this.text, start, end)
    return v === undefined ? this.fail('invalid ' + what) : v
  }

  run (): Exposition {
    const text = this.text
    this.labels.reset(text)
    const len = text.length
    let pos = 0
    while (pos < len) {
      this.line++
      let end = text.indexOf('\n', pos)
      if (end === -1) end = len
      const next = end + 1
      if (end > pos && text.charCodeAt(end - 1) === 13) end--
      let p = pos
      while (p < end && isBlank(text.charCodeAt(p))) p++
      if (p < end) {
        if (text.charCodeAt(p) !== 35) this.sample(p, end)
        else if (this.comment(p + 1, end)) break
      }
      pos = next
    }
    return createExposition(this.families, this.count)
  }

  /** A `#` line: HELP, TYPE, `# EOF` (returns true: stop), or a comment to ignore. */
  comment (p: number, end: number): boolean {
    const text = this.text
    while (p < end && isBlank(text.charCodeAt(p))) p++
    const ts = p
    while (p < end && !isBlank(text.charCodeAt(p))) p++
    const n = p - ts
    if (n === 3 && text.startsWith('EOF', ts)) return true
    const help = n === 4 && text.startsWith('HELP', ts)
    if (!help && !(n === 4 && text.startsWith('TYPE', ts))) return false
    while (p < end && isBlank(text.charCodeAt(p))) p++
    const ns = p
    if (p >= end || !isNameStart(text.charCodeAt(p))) this.fail('invalid metric name')
    while (p < end && isNameChar(text.charCodeAt(p))) p++
    if (p < end && !isBlank(text.charCodeAt(p))) this.fail('invalid metric name')
    const name = text.slice(ns, p)
    while (p < end && isBlank(text.charCodeAt(p))) p++
    const existing = this.families.get(name)
    if (help) {
      if (this.helpSeen.has(name)) this.fail('second HELP line for a metric')
      this.helpSeen.add(name)
      const doc = unescapeHelp(text.slice(p, end))
      if (existing !== undefined) existing.help = doc
      else this.families.set(name, newFamily(name, 'untyped', doc))
      return false
    }
    let te = p
    while (te < end && !isBlank(text.charCodeAt(te))) te++
    let type = text.slice(p, te).toLowerCase()
    if (!TYPES.has(type)) this.fail('unknown metric type')
    while (te < end && isBlank(text.charCodeAt(te))) te++
    if (te < end) this.fail('unexpected text after the type')
    if (this.typeSeen.has(name)) this.fail('second TYPE line for a metric')
    if (existing !== undefined && hasSamples(existing)) this.fail('TYPE line after the samples of its metric')
    this.typeSeen.add(name)
    if (type === 'unknown') type = 'untyped'
    const family = newFamily(name, type as MetricType, existing?.help ?? '')
    this.families.set(name, family)
    this.cur = family
    this.lastName = ''
    return false
  }

  /** Finds the family of a sample not in the current one: exact name, then name minus a suffix. */
  resolve (name: string): MetricFamily {
    const exact = this.families.get(name)
    if (exact !== undefined) {
      this.role = roleOf(exact.type, name, name.length, name.length)
      if (this.role !== NONE) return exact
    }
    const cut = name.lastIndexOf('_')
    const base = cut > 0 ? this.families.get(name.slice(0, cut)) : undefined
    if (base !== undefined) {
      this.role = roleOf(base.type, name, cut, name.length)
      if (this.role !== NONE) return base
    }
    if (exact !== undefined) this.fail('sample name does not fit its metric type')
    const family = newFamily(name, 'untyped', '')
    this.families.set(name, family)
    this.role = VALUE
    return family
  }

  sample (ns: number, end: number): void {
    const text = this.text
    let fam = this.cur
    let p = ns
    let role = this.lastRole
    // Most lines have the name of the line before (`x_bucket` after `x_bucket`): one slice compare
    // (V8 compares strings far faster than startsWith or a charCode loop) settles name and role.
    const last = this.lastName
    if (last !== '' && text.slice(ns, ns + last.length) === last && !isNameChar(text.charCodeAt(ns + last.length))) {
      p += last.length
    } else {
      const known = fam !== undefined && text.slice(ns, ns + fam.name.length) === fam.name
      if (known) p += fam!.name.length - 1
      else if (!isNameStart(text.charCodeAt(p))) this.fail('invalid metric name')
      while (++p < end && isNameChar(text.charCodeAt(p)));
      this.role = known ? roleOf(fam!.type, text, ns + fam!.name.length, p) : NONE
      const name = text.slice(ns, p)
      if (this.role === NONE) this.cur = fam = this.resolve(name)
      role = this.lastRole = this.role
      this.lastName = name
    }
    const exclude = role === BUCKET ? 'le' : role === VALUE && fam!.type === 'summary' ? 'quantile' : ''

    const labels = this.labels
    let same = -1
    if (p < end && text.charCodeAt(p) === 123) {
      if (fam === this.lastFamily && this.lastKey !== '') same = labels.readSame(text, p, end, exclude, this.lastKey)
      if (same !== -1) p = same
      else p = labels.read(text, p, end, exclude, this.line)
    } else if (p < end && !isBlank(text.charCodeAt(p))) {
      this.fail('invalid metric name')
    } else {
      labels.none()
    }
    if (same === -1 && exclude !== '' && labels.excluded === -1) this.fail('missing ' + exclude + ' label')

    while (p < end && isBlank(text.charCodeAt(p))) p++
    if (p >= end) this.fail('missing value')
    let ve = p
    while (ve < end && !isBlank(text.charCodeAt(ve))) ve++
    const value = this.number(p, ve, 'value')
    p = ve
    while (p < end && isBlank(text.charCodeAt(p))) p++
    let timestamp: number | undefined
    // A '#' after the value (or timestamp) starts an OpenMetrics exemplar, which we ignore.
    if (p < end && text.charCodeAt(p) !== 35) {
      let te = p
      while (te < end && !isBlank(text.charCodeAt(te))) te++
      timestamp = this.number(p, te, 'timestamp')
      if (!Number.isFinite(timestamp)) this.fail('invalid timestamp')
      p = te
      while (p < end && isBlank(text.charCodeAt(p))) p++
      if (p < end && text.charCodeAt(p) !== 35) this.fail('unexpected text after the timestamp')
    }
    if (++this.count > this.maxSeries) throw new ReliabilityErrors.SERIES_CAP(this.maxSeries)

    const f = fam!
    if ('samples' in f) {
      f.samples.push({ name: this.lastName, labels: labels.labels(), value, timestamp })
      return
    }
    const series = same !== -1 ? this.lastSeries! : this.series(f)
    if (role === BUCKET) this.addBucket(series as HistogramSeries, labels.excludedValue, value)
    else if (role === VALUE) (series as SummarySeries).quantiles.push({ quantile: labels.excludedValue, value })
    else if (role === SUM) series.sum = value
    else if (role === COUNT) series.count = value
    else series.created = value
  }

  /** The series of the label set just read, created when new. */
  series (f: HistogramFamily | SummaryFamily): HistogramSeries | SummarySeries {
    const labels = this.labels
    const last = this.lastKey
    if (f === this.lastFamily && labels.keyRegion() && labels.keyEnd - labels.keyStart === last.length &&
      this.text.slice(labels.keyStart, labels.keyEnd) === last) return this.lastSeries!
    const key = labels.key()
    let s: HistogramSeries | SummarySeries | undefined = f.series.get(key)
    if (s === undefined) {
      s = f.type === 'summary'
        ? { key, labels: labels.labels(), quantiles: [], sum: NaN, count: NaN, created: NaN }
        : { key, labels: labels.labels(), buckets: [], sum: NaN, count: NaN, created: NaN }
      // Both kinds hold their own shape; the family's type decides which map it goes in.
      ;(f.series as Map<string, HistogramSeries | SummarySeries>).set(key, s)
    }
    this.lastFamily = f
    this.lastKey = key
    this.lastSeries = s
    return s
  }

  /** Appends in order (the usual case); an out-of-order bound is inserted where it belongs. */
  addBucket (h: HistogramSeries, le: number, count: number): void {
    const b = h.buckets
    let i = b.length
    while (i > 0 && b[i - 1].le > le) i--
    if (i > 0 && b[i - 1].le === le) this.fail('duplicate bucket')
    if (i === b.length) b.push({ le, count })
    else b.splice(i, 0, { le, count })
  }
}

/**
 * Parses a Prometheus text (0.0.4) or OpenMetrics text exposition. Throws METRICS_PARSE with the
 * 1-based line number and a short reason (never the line itself) on a malformed line, SERIES_CAP
 * past `maxSeries` sample lines. Stops at `# EOF`; ignores exemplars and other comments.
 */
export function parseExposition (text: string, opts: ParseOptions = {}): Exposition {
  return new Parser(text, opts.maxSeries ?? Infinity).run()
}
