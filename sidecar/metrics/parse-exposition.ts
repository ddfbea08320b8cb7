// Prometheus text exposition (0.0.4) and OpenMetrics text parser, written for the sidecar: one
// pass over the string with charCode scanning, no regex, no per-sample closures. Histogram and
// summary samples are grouped per label set (the npm parsers merge label sets: see issue 3). Series
// keys are sliced straight out of the text when it is written canonically (no blanks, label names
// ascending, as prom-client and fastify-metrics write it) and built by sorting otherwise.
// Grammar: https://prometheus.io/docs/instrumenting/exposition_formats/ and the OpenMetrics spec.
// What we accept is what Prometheus 3 accepts when it scrapes (model/textparse: promlex.l and
// promparse.go for text, openmetricslex.l for OpenMetrics, which is stricter): blanks between any
// two tokens, quoted UTF-8 metric and label names (`{"my.metric","http.method"="GET"} 1`, asked
// for with `escaping=allow-utf-8`), any backslash escape, `# HELP` with no text. We read both
// formats with one grammar, so a few things one of Prometheus's two parsers refuses pass here
// (OpenMetrics types and float timestamps in a text body, CRLF line ends, exemplars ignored
// unread). A line Prometheus rejects fails the whole scrape with its line number, as it fails
// Prometheus's scrape.
import { ReliabilityErrors } from '../../plugin/errors.js'
import { createExposition } from './exposition.js'
import type { Exposition, HistogramFamily, HistogramSeries, Labels, MetricFamily, SummaryFamily, SummarySeries } from './exposition.js'
import { BUCKET, COUNT, hasSamples, newFamily, NONE, roleOf, SUM, TYPES, VALUE } from './metric-family.js'
import { closingQuote, isBlank, isNameChar, isNameStart, isPlainName, LabelReader, unescapeQuoted } from './read-labels.js'
import { readNumber } from './read-number.js'
import { detached, detachedLabels, type SeriesCache, type SeriesEntry } from './series-cache.js'

export interface ParseOptions {
  /** Throw SERIES_CAP past this many sample lines. Default: no cap (the body cap bounds it). */
  maxSeries?: number
  /**
   * What the previous parse of the same target learnt: lines whose name and labels repeat it are
   * not read again. Updated line by line as this parse reads them.
   */
  cache?: SeriesCache
}

const unescapeOne = (_: string, c: string): string => c === 'n' ? '\n' : c
/** `\\` and `\n` are the only escapes in HELP text; any other backslash stays as written. */
const unescapeHelp = (s: string): string => s.includes('\\') ? s.replace(/\\([\\n])/g, unescapeOne) : s

class Parser {
  /** The piece being read (see `parseExposition`). */
  text = ''
  readonly maxSeries: number
  readonly families = new Map<string, MetricFamily>()
  readonly helpSeen = new Set<string>()
  readonly typeSeen = new Set<string>()
  line = 0
  count = 0
  // The family and role of the sample being read; `cur` is also the fast-path guess for the next.
  cur: MetricFamily | undefined = undefined
  role = NONE
  /**
   * The name of the previous sample line as its text starts, '' when it was quoted: the next
   * line that starts with it has the same name. `sampleName` is that name whatever its spelling.
   */
  lastName = ''
  sampleName = ''
  lastRole = NONE
  /** A family known to have a name that needs no quotes (see `sample`). */
  plainFamily: MetricFamily | undefined = undefined
  readonly labels = new LabelReader()
  // The series the previous line went to and its key: the lines of one histogram series come
  // together, so most bucket lines match it by an in-place compare, with no slice or Map look-up.
  lastFamily: MetricFamily | undefined = undefined
  lastKey = ''
  lastSeries: HistogramSeries | SummarySeries | undefined = undefined

  readonly cache: SeriesCache | undefined
  /** The entry of the previous line, read in full: the next line of its series reuses its strings. */
  lastEntry: SeriesEntry | undefined = undefined
  /** An entry's family string known to name `cur`: compared by identity on the next hit. */
  curAlias: string | undefined = undefined
  timestamp: number | undefined = undefined

  constructor (maxSeries: number, cache: SeriesCache | undefined) {
    this.maxSeries = maxSeries
    this.cache = cache
  }

  fail (reason: string): never {
    throw new ReliabilityErrors.METRICS_PARSE(this.line, reason)
  }

  number (start: number, end: number, what: string): number {
    const v = readNumber(this.text, start, end)
    return v === undefined ? this.fail('invalid ' + what) : v
  }

  run (pieces: readonly string[]): Exposition {
    this.cache?.begin()
    // A piece that does not end a line is joined to the next: a line is never read in two halves.
    let carry = ''
    for (let i = 0; i < pieces.length; i++) {
      const piece = carry + pieces[i]
      if (i < pieces.length - 1 && piece.charCodeAt(piece.length - 1) !== 10) {
        carry = piece
        continue
      }
      carry = ''
      if (this.piece(piece)) break
    }
    this.cache?.commit(this.count)
    return createExposition(this.families, this.count)
  }

  /** Reads the lines of one piece; true when it held `# EOF`. */
  piece (text: string): boolean {
    this.text = text
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
        else if (this.comment(p + 1, end)) return true
      }
      pos = next
    }
    return false
  }

  /**
   * A `#` line: HELP, TYPE, `# EOF` (returns true: stop), or a comment to ignore. Prometheus reads
   * HELP and TYPE only as `#`, blanks, the word, blanks: `#TYPE x gauge` and a bare `# HELP` are
   * comments. The name may be quoted (`# TYPE "my.metric" gauge`).
   */
  comment (p: number, end: number): boolean {
    const text = this.text
    if (p >= end || !isBlank(text.charCodeAt(p))) return false
    while (p < end && isBlank(text.charCodeAt(p))) p++
    const ts = p
    while (p < end && !isBlank(text.charCodeAt(p))) p++
    const n = p - ts
    if (n === 3 && text.startsWith('EOF', ts)) return true
    const help = n === 4 && text.startsWith('HELP', ts)
    if ((!help && !(n === 4 && text.startsWith('TYPE', ts))) || p >= end) return false
    while (p < end && isBlank(text.charCodeAt(p))) p++
    let name: string
    if (p < end && text.charCodeAt(p) === 34) {
      const q = closingQuote(text, p + 1, end)
      if (q === -1 || q === p + 1) this.fail('invalid metric name')
      name = unescapeQuoted(text.slice(p + 1, q))
      p = q + 1
    } else {
      const ns = p
      if (p >= end || !isNameStart(text.charCodeAt(p))) this.fail('invalid metric name')
      while (p < end && isNameChar(text.charCodeAt(p))) p++
      name = text.slice(ns, p)
    }
    const existing = this.families.get(name)
    if (help) {
      if (this.helpSeen.has(name)) this.fail('second HELP line for a metric')
      this.helpSeen.add(name)
      // As in Prometheus, the text is the rest of the line after the one character that ends the
      // name, whatever it is: `# HELP foo-bar x` is foo's help, "bar x".
      const doc = p + 1 < end ? unescapeHelp(text.slice(p + 1, end)) : ''
      if (existing !== undefined) existing.help = doc
      else this.families.set(name, newFamily(name, 'untyped', doc))
      return false
    }
    if (p < end && !isBlank(text.charCodeAt(p))) this.fail('invalid metric name')
    while (p < end && isBlank(text.charCodeAt(p))) p++
    let te = p
    while (te < end && !isBlank(text.charCodeAt(te))) te++
    const type = TYPES.get(text.slice(p, te).toLowerCase())
    if (type === undefined) this.fail('unknown metric type')
    while (te < end && isBlank(text.charCodeAt(te))) te++
    if (te < end) this.fail('unexpected text after the type')
    if (this.typeSeen.has(name)) this.fail('second TYPE line for a metric')
    if (existing !== undefined && hasSamples(existing)) this.fail('TYPE line after the samples of its metric')
    this.typeSeen.add(name)
    const family = newFamily(name, type, existing?.help ?? '')
    this.families.set(name, family)
    this.cur = family
    this.curAlias = undefined
    this.lastName = ''
    return false
  }

  /** Whether `f`'s name can be written bare; remembered for the last family that can. */
  plain (f: MetricFamily): boolean {
    if (f === this.plainFamily) return true
    if (!isPlainName(f.name)) return false
    this.plainFamily = f
    return true
  }

  /**
   * The family a sample named `name` belongs to by name alone: the exact name, then the name minus
   * a suffix its type allows. Sets `this.role`; undefined when neither fits.
   */
  byName (name: string): MetricFamily | undefined {
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
    return undefined
  }

  /** Finds the family of a sample not in the current one, creating an untyped one when none fits. */
  resolve (name: string): MetricFamily {
    const found = this.byName(name)
    if (found !== undefined) return found
    if (this.families.has(name)) this.fail('sample name does not fit its metric type')
    const family = newFamily(name, 'untyped', '')
    this.families.set(name, family)
    this.role = VALUE
    return family
  }

  sample (ns: number, end: number): void {
    const cache = this.cache
    if (cache !== undefined) {
      const entry = cache.match(this.count, this.text, ns)
      if (entry !== undefined && this.repeat(entry, ns + entry.prefix.length, end)) return
    }
    const text = this.text
    let fam = this.cur
    let p = ns
    let role = this.lastRole
    const labels = this.labels
    // Most lines have the name of the line before (`x_bucket` after `x_bucket`): one slice compare
    // (V8 compares strings far faster than startsWith or a charCode loop) settles name and role.
    const last = this.lastName
    let braced = false
    if (last !== '' && text.slice(ns, ns + last.length) === last && !isNameChar(text.charCodeAt(ns + last.length))) {
      p += last.length
    } else if (text.charCodeAt(ns) === 123) {
      braced = true
      p = this.braced(ns, end)
      fam = this.cur
      role = this.lastRole
    } else {
      // The current family's name starts the line: only its suffix is left to read. A family
      // named in quotes (`my.metric`) cannot be written bare, so it never counts.
      const known = fam !== undefined && text.slice(ns, ns + fam.name.length) === fam.name && this.plain(fam)
      if (known) p += fam!.name.length - 1
      else if (!isNameStart(text.charCodeAt(p))) this.fail('invalid metric name')
      while (++p < end && isNameChar(text.charCodeAt(p)));
      this.role = known ? roleOf(fam!.type, text, ns + fam!.name.length, p) : NONE
      const name = text.slice(ns, p)
      if (this.role === NONE) {
        this.cur = fam = this.resolve(name)
        this.curAlias = undefined
      }
      role = this.lastRole = this.role
      this.lastName = this.sampleName = name
    }
    const exclude = role === BUCKET ? 'le' : role === VALUE && fam!.type === 'summary' ? 'quantile' : ''

    let same = -1
    let c = text.charCodeAt(p)
    if (braced) {
      if (exclude !== '') labels.setApart(exclude)
    } else {
      // Blanks may stand between the name and `{` (Prometheus's lexer skips them between tokens).
      if (isBlank(c)) {
        let q = p + 1
        while (q < end && isBlank(text.charCodeAt(q))) q++
        if (text.charCodeAt(q) === 123) c = text.charCodeAt(p = q)
      }
      if (p < end && c === 123) {
        if (fam === this.lastFamily && this.lastKey !== '') same = labels.readSame(text, p, end, exclude, this.lastKey)
        if (same !== -1) p = same
        else p = labels.read(text, p, end, exclude, this.line)
      } else if (p < end && !isBlank(c)) {
        this.fail('invalid metric name')
      } else {
        labels.none()
      }
    }
    if (same === -1 && exclude !== '' && labels.excluded === -1) this.fail('missing ' + exclude + ' label')
    const prefixEnd = p
    const value = this.value(p, end)

    const f = fam!
    const excluded = exclude === '' ? NaN : labels.excludedValue
    if ('samples' in f) {
      const sampleLabels = cache === undefined ? labels.labels() : detachedLabels(labels.labels())
      f.samples.push({ name: this.sampleName, labels: sampleLabels, value, timestamp: this.timestamp })
      if (cache !== undefined) this.keep(ns, prefixEnd, f, role, '', sampleLabels, excluded)
      return
    }
    const series = same !== -1 ? this.lastSeries! : this.series(f)
    this.store(series, role, excluded, value)
    if (cache !== undefined) this.keep(ns, prefixEnd, f, role, series.key, series.labels, excluded)
  }

  /**
   * `{"my.metric",a="1"} 1`: the name is a quoted string somewhere in the set, so the set is read
   * before the name is known (its `le`/`quantile` is set apart by the caller once it is). Sets the
   * family and role as `sample` does for a bare name; returns the offset after `}`.
   */
  braced (ns: number, end: number): number {
    const labels = this.labels
    const p = labels.read(this.text, ns, end, '', this.line, true)
    const name = labels.metricName()
    if (name === undefined) this.fail('no metric name')
    const fam = this.cur
    if (fam === undefined || !name.startsWith(fam.name) || (this.role = roleOf(fam.type, name, fam.name.length, name.length)) === NONE) {
      this.cur = this.resolve(name)
      this.curAlias = undefined
    }
    this.lastRole = this.role
    this.sampleName = name
    this.lastName = ''
    return p
  }

  /**
   * A line whose name and labels are exactly those of the same line in the previous scrape: only
   * its value is read. False (nothing read) when the family is gone or changed type since.
   */
  repeat (entry: SeriesEntry, p: number, end: number): boolean {
    // The line's family must be the one a full read would pick now. The current family is, when it
    // has the entry's family name (and, checked below, type): the sample name starts with it, with
    // a suffix that type allows. The entries of one family share one name string, so after the
    // first match the rest compare by identity (`curAlias`), not by characters.
    const cur = this.cur
    let f: MetricFamily | undefined = cur
    if (cur === undefined || (entry.family !== this.curAlias && cur.name !== entry.family)) {
      f = this.lookUp(entry.name)
      if (f?.name !== entry.family) return false
    }
    if (f === undefined || f.type !== entry.type) return false
    // `x 1` last time, `x {a="b"} 1` now: the same prefix, but labels where the value was.
    const text = this.text
    while (p < end && isBlank(text.charCodeAt(p))) p++
    if (text.charCodeAt(p) === 123) return false
    const value = this.value(p, end)
    this.cur = f
    this.curAlias = entry.family
    this.sampleName = entry.name
    // The next line's quick name test compares text with the name: only when it was written bare.
    this.lastName = entry.prefix.charCodeAt(0) === 123 ? '' : entry.name
    this.lastRole = this.role = entry.role
    if ('samples' in f) {
      f.samples.push({ name: entry.name, labels: entry.labels, value, timestamp: this.timestamp })
    } else {
      let series = this.lastSeries
      if (f !== this.lastFamily || entry.key !== this.lastKey) {
        series = f.series.get(entry.key)
        if (series === undefined) {
          series = newSeries(f, entry.key, entry.labels)
          ;(f.series as Map<string, HistogramSeries | SummarySeries>).set(entry.key, series)
        }
        this.lastFamily = f
        this.lastKey = entry.key
        this.lastSeries = series
      }
      this.store(series!, entry.role, entry.excluded, value)
    }
    this.lastEntry = undefined
    this.cache!.keep(this.count - 1, entry)
    this.cache!.hits++
    return true
  }

  /** The family a full read would give a sample named `name` now, without creating one. */
  lookUp (name: string): MetricFamily | undefined {
    const cur = this.cur
    if (cur !== undefined && (name === this.lastName ||
      (name.startsWith(cur.name) && roleOf(cur.type, name, cur.name.length, name.length) !== NONE))) return cur
    return this.byName(name)
  }

  /** Reads the value at text[p] (after blanks) and the optional timestamp into `this.timestamp`. */
  value (p: number, end: number): number {
    const text = this.text
    while (p < end && isBlank(text.charCodeAt(p))) p++
    if (p >= end) this.fail('missing value')
    let ve = p
    while (ve < end && !isBlank(text.charCodeAt(ve))) ve++
    const value = this.number(p, ve, 'value')
    p = ve
    while (p < end && isBlank(text.charCodeAt(p))) p++
    this.timestamp = undefined
    // A '#' after the value (or timestamp) starts an OpenMetrics exemplar, which we ignore.
    if (p < end && text.charCodeAt(p) !== 35) {
      let te = p
      while (te < end && !isBlank(text.charCodeAt(te))) te++
      const timestamp = this.number(p, te, 'timestamp')
      if (!Number.isFinite(timestamp)) this.fail('invalid timestamp')
      p = te
      while (p < end && isBlank(text.charCodeAt(p))) p++
      if (p < end && text.charCodeAt(p) !== 35) this.fail('unexpected text after the timestamp')
      this.timestamp = timestamp
    }
    if (++this.count > this.maxSeries) throw new ReliabilityErrors.SERIES_CAP(this.maxSeries)
    return value
  }

  store (series: HistogramSeries | SummarySeries, role: number, excluded: number, value: number): void {
    if (role === BUCKET) this.addBucket(series as HistogramSeries, excluded, value)
    else if (role === VALUE) (series as SummarySeries).quantiles.push({ quantile: excluded, value })
    else if (role === SUM) series.sum = value
    else if (role === COUNT) series.count = value
    else series.created = value
  }

  /** Records a line read in full in the cache, with strings detached from this scrape's text. */
  keep (ns: number, prefixEnd: number, f: MetricFamily, role: number, key: string, labels: Labels, excluded: number): void {
    // The lines of one series come together: the previous line's entry lends its detached strings.
    const prev = this.lastEntry
    const sameSeries = prev !== undefined && prev.family === f.name && prev.key === key && key !== ''
    const entry: SeriesEntry = {
      family: prev !== undefined && prev.family === f.name ? prev.family : detached(f.name),
      type: f.type,
      role,
      name: prev !== undefined && prev.name === this.sampleName ? prev.name : detached(this.sampleName),
      key: sameSeries ? prev.key : detached(key),
      labels: sameSeries ? prev.labels : key === '' ? labels : detachedLabels(labels),
      excluded,
      prefix: detached(this.text.slice(ns, prefixEnd))
    }
    this.lastEntry = entry
    this.cache!.keep(this.count - 1, entry)
    this.cache!.misses++
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
      s = newSeries(f, key, labels.labels())
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

/** A new, empty series of `f`; the family's type decides its shape and which map it goes in. */
function newSeries (f: HistogramFamily | SummaryFamily, key: string, labels: Labels): HistogramSeries | SummarySeries {
  return f.type === 'summary'
    ? { key, labels, quantiles: [], sum: NaN, count: NaN, created: NaN }
    : { key, labels, buckets: [], sum: NaN, count: NaN, created: NaN }
}

/**
 * Parses a Prometheus text (0.0.4) or OpenMetrics text exposition. Throws METRICS_PARSE with the
 * 1-based line number and a short reason (never the line itself) on a malformed line, SERIES_CAP
 * past `maxSeries` sample lines. Stops at `# EOF`; ignores exemplars and other comments.
 *
 * `text` may be given in pieces, read in order as one text. Pieces that end at a newline (as
 * `UpstreamAnswer.lines` do) are read as they are; any other is joined to the next. The sidecar
 * never joins a scrape into one string: V8 keeps a string over 128 KB as a large object, mapped
 * afresh each time, and that cost about 5 ms per MB here, more than parsing it.
 */
export function parseExposition (text: string | readonly string[], opts: ParseOptions = {}): Exposition {
  return new Parser(opts.maxSeries ?? Infinity, opts.cache).run(typeof text === 'string' ? [text] : text)
}
