// Reads the `{name="value",...}` part of an exposition line into reusable offset arrays, so a
// bucket line costs no allocation until its series is new. The series key (see `labelsKey`) is
// sliced straight out of the text when the set is written canonically — no blanks, no trailing
// comma, names strictly ascending and unquoted, only the three escapes a writer must use, as
// prom-client and fastify-metrics write it — and rebuilt by sorting otherwise, so every spelling
// of one label set lands in the same series.
//
// What a set may hold is what Prometheus 3's text lexer takes (model/textparse/promlex.l): blanks
// between any two tokens, a trailing comma, labels with no comma between them, quoted UTF-8 label
// names (`{"http.method"="GET"}`), the metric name itself as a quoted string anywhere in the set
// when the line starts with `{` (`{"my.metric",a="1"}`), and any backslash escape in a value or
// quoted name: `\\`, `\"` and `\n` are undone, any other keeps its backslash (`\a` is a backslash and an a).
import { ReliabilityErrors } from '../../plugin/errors.js'
import { labelsKey } from './exposition.js'
import { readNumber } from './read-number.js'

export const isBlank = (c: number): boolean => c === 32 || c === 9
export const isNameStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58
export const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57)

/** A metric name that can be written without quotes (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
export function isPlainName (s: string): boolean {
  if (s.length === 0 || !isNameStart(s.charCodeAt(0))) return false
  for (let i = 1; i < s.length; i++) if (!isNameChar(s.charCodeAt(i))) return false
  return true
}

const unescapeOne = (_: string, c: string): string => c === 'n' ? '\n' : c
/**
 * Undoes `\\`, `\"` and `\n`, left to right as Prometheus's strings.Replacer does; any other
 * backslash stays as written.
 */
export const unescapeQuoted = (s: string): string => s.includes('\\') ? s.replace(/\\([\\"n])/g, unescapeOne) : s

/**
 * The offset of the `"` closing the quoted string whose text starts at text[p] (after the opening
 * quote), -1 when the line ends first. A backslash escapes the character after it, whatever it is.
 */
export function closingQuote (text: string, p: number, end: number): number {
  for (; p < end; p++) {
    const c = text.charCodeAt(p)
    if (c === 34) return p
    if (c === 92) p++
  }
  return -1
}

function compareNames (text: string, as: number, ae: number, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs)
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(as + i) - text.charCodeAt(bs + i)
    if (d !== 0) return d
  }
  return (ae - as) - (be - bs)
}

export class LabelReader {
  text = ''
  line = 0
  // 4 offsets per pair: name start, name end, raw value start, raw value end.
  readonly spans: number[] = []
  readonly escaped: boolean[] = []
  pairs = 0
  open = -1
  close = -1
  /** Which pair is the `le`/`quantile` label asked to be set apart (-1: none), and its number. */
  excluded = -1
  excludedValue = 0
  canonical = true
  /** Some label name was quoted (and may hold escapes). */
  quoted = false
  /** text[nameStart, nameEnd) is the quoted metric name inside the set; -1 when there is none. */
  nameStart = -1
  nameEnd = -1
  /** Set by `keyRegion`: text[keyStart, keyEnd) is the key. */
  keyStart = 0
  keyEnd = 0

  /** The last key `readSame` was given, and whether it holds the set-apart label's name. */
  checkedKey = ''
  checkedExclude = ''
  keyHoldsExcluded = false

  /** Offset of the next backslash in `text` at or after the last value read. */
  backslash = -1

  /** Starts on a new exposition. */
  reset (text: string): void {
    this.text = text
    this.backslash = -1
  }

  fail (reason: string): never {
    throw new ReliabilityErrors.METRICS_PARSE(this.line, reason)
  }

  /** No labels on this line. */
  none (): void {
    this.pairs = 0
    this.excluded = -1
    this.canonical = true
    this.quoted = false
    this.open = this.close = -1
  }

  /**
   * Reads the set opening at text[p] (`{`); returns the offset after `}`. With `named` (the line
   * starts with `{`) the set may hold the metric name as a quoted string, left in `nameStart` and
   * `nameEnd`; without, a name there is a second one and fails the line, as in Prometheus.
   */
  read (text: string, p: number, end: number, exclude: string, line: number, named = false): number {
    this.line = line
    this.none()
    this.nameStart = this.nameEnd = -1
    const spans = this.spans
    this.open = p++
    let n = 0
    let prevStart = -1
    let prevEnd = -1
    for (;;) {
      while (p < end && isBlank(text.charCodeAt(p))) { p++; this.canonical = false }
      if (p >= end) this.fail('unterminated label set')
      let c = text.charCodeAt(p)
      if (c === 125) {
        if (n > 0) this.canonical = false // after a trailing comma
        break
      }
      let ls: number
      let le: number
      if (c === 34) {
        // A quoted string: a UTF-8 label name, or the metric name when a comma or `}` follows.
        ls = p + 1
        le = closingQuote(text, ls, end)
        if (le === -1) this.fail('unterminated quoted name')
        p = le + 1
        this.canonical = false
        this.quoted = true
        while (p < end && isBlank(text.charCodeAt(p))) p++
        c = text.charCodeAt(p)
        if (c === 44 || c === 125) {
          if (!named || this.nameStart !== -1) this.fail('a second metric name')
          if (le === ls) this.fail('invalid metric name')
          this.nameStart = ls
          this.nameEnd = le
          if (c === 125) break
          p++
          continue
        }
        if (le === ls) this.fail('invalid label name')
      } else {
        if (!isNameStart(c) || c === 58) this.fail('invalid label name')
        ls = p
        while (++p < end && isNameChar(c = text.charCodeAt(p)) && c !== 58);
        le = p
        while (p < end && isBlank(text.charCodeAt(p))) { p++; this.canonical = false }
      }
      if (text.charCodeAt(p) !== 61) this.fail("expected '=' after a label name")
      p++
      while (p < end && isBlank(text.charCodeAt(p))) { p++; this.canonical = false }
      if (p >= end || text.charCodeAt(p) !== 34) this.fail('expected a quoted label value')
      const vs = ++p
      // The closing quote by indexOf (native speed); escapes are rare, so one cursor on the next
      // backslash in the whole text tells whether this value has any, in amortised O(1).
      let q = text.indexOf('"', p)
      if (q === -1 || q >= end) q = end
      if (this.backslash < vs) this.backslash = text.indexOf('\\', vs) >>> 0 // -1 → 2^32-1
      const escaped = this.backslash < q
      if (escaped) {
        for (;;) {
          if (p >= end) this.fail('unterminated label value')
          c = text.charCodeAt(p)
          if (c === 34) break
          if (c === 92) {
            if (++p >= end) this.fail('unterminated label value')
            c = text.charCodeAt(p)
            // Any escape is read (Prometheus keeps the backslash of one it does not know), but
            // only the three a writer must use keep the text the key's own spelling.
            if (c !== 92 && c !== 34 && c !== 110) this.canonical = false
          }
          p++
        }
      } else if (q === end) {
        this.fail('unterminated label value')
      } else {
        p = q
      }
      const ve = p++
      if (exclude !== '' && le - ls === exclude.length && text.startsWith(exclude, ls)) {
        if (this.excluded !== -1) this.fail('duplicate label')
        const v = escaped ? undefined : readNumber(text, vs, ve)
        if (v === undefined) this.fail('invalid ' + exclude + ' value')
        this.excluded = n
        this.excludedValue = v
      } else if (this.canonical) {
        if (prevStart !== -1 && compareNames(text, prevStart, prevEnd, ls, le) >= 0) this.canonical = false
        prevStart = ls
        prevEnd = le
      }
      spans[4 * n] = ls
      spans[4 * n + 1] = le
      spans[4 * n + 2] = vs
      spans[4 * n + 3] = ve
      this.escaped[n++] = escaped
      while (p < end && isBlank(text.charCodeAt(p))) { p++; this.canonical = false }
      if (p >= end) this.fail("expected ',' or '}' in a label set")
      c = text.charCodeAt(p)
      if (c === 44) { p++; continue }
      if (c === 125) break
      // Prometheus's text parser reads the next label with no comma before it (promparse.go).
      this.canonical = false
    }
    this.pairs = n
    this.close = p
    return p + 1
  }

  /**
   * After `read` with exclude '' (the line named its metric inside the set, so which label to set
   * apart was not known yet): sets `exclude` apart as `read` would have.
   */
  setApart (exclude: string): void {
    const { text, spans } = this
    for (let i = 0; i < this.pairs; i++) {
      const ls = spans[4 * i]
      if (spans[4 * i + 1] - ls !== exclude.length || !text.startsWith(exclude, ls)) continue
      if (this.excluded !== -1) this.fail('duplicate label')
      const v = this.escaped[i] ? undefined : readNumber(text, spans[4 * i + 2], spans[4 * i + 3])
      if (v === undefined) this.fail('invalid ' + exclude + ' value')
      this.excluded = i
      this.excludedValue = v
    }
  }

  /** The metric name the set held (see `read`), unescaped; undefined when it held none. */
  metricName (): string | undefined {
    return this.nameStart === -1 ? undefined : unescapeQuoted(this.text.slice(this.nameStart, this.nameEnd))
  }

  /**
   * When the label set at text[p] (`{`) is `key` (the previous line's series key) plus, where
   * `exclude` is set, that label first or last (`{le="0.5",KEY}`, `{KEY,le="0.5"}`), reads only
   * the excluded value and returns the offset after `}`; else -1, and `read` takes the line. The
   * key was validated when first read, so matching it in place is as strict as reading it again.
   */
  readSame (text: string, p: number, end: number, exclude: string, key: string): number {
    const k = key.length
    if (exclude === '') {
      return p + k + 2 <= end && text.charCodeAt(p + 1 + k) === 125 && text.slice(p + 1, p + 1 + k) === key ? p + k + 2 : -1
    }
    // A key that itself holds the set-apart name (`h_sum{le="1"}` before `h_bucket{le="2",le="1"}`)
    // makes the line a duplicate label, which only `read` reports. Checked once per key.
    if (key !== this.checkedKey || exclude !== this.checkedExclude) {
      this.checkedKey = key
      this.checkedExclude = exclude
      this.keyHoldsExcluded = key.startsWith(exclude + '="') || key.includes(',' + exclude + '="')
    }
    if (this.keyHoldsExcluded) return -1
    const x = exclude.length
    let vs = p + x + 3
    let q: number
    if (text.startsWith(exclude, p + 1) && text.charCodeAt(p + 1 + x) === 61 && text.charCodeAt(p + 2 + x) === 34) {
      q = text.indexOf('"', vs)
      if (q === -1 || q + k + 3 > end || text.charCodeAt(q + 1) !== 44 || text.charCodeAt(q + 2 + k) !== 125 ||
        text.slice(q + 2, q + 2 + k) !== key) return -1
      p = q + k + 3
    } else if (text.charCodeAt(p + 1 + k) === 44 && text.slice(p + 1, p + 1 + k) === key && text.startsWith(exclude, p + 2 + k) &&
      text.charCodeAt(p + 2 + k + x) === 61 && text.charCodeAt(p + 3 + k + x) === 34) {
      vs = p + k + x + 4
      q = text.indexOf('"', vs)
      if (q === -1 || q + 2 > end || text.charCodeAt(q + 1) !== 125) return -1
      p = q + 2
    } else {
      return -1
    }
    const v = readNumber(text, vs, q)
    if (v === undefined) return -1
    this.excludedValue = v
    return p
  }

  /**
   * True when the key is one contiguous slice of the text (canonical, with the set-apart label
   * first, last or absent), placed in keyStart/keyEnd: the parser compares it in place with the
   * previous line's key, and slices it only for a new series.
   */
  keyRegion (): boolean {
    const { pairs: n, excluded: x, spans } = this
    if (!this.canonical) return false
    if (n === 0 || (n === 1 && x === 0)) {
      this.keyStart = this.keyEnd = 0
      return true
    }
    this.keyStart = this.open + 1
    this.keyEnd = this.close
    if (x === 0) this.keyStart = spans[3] + 2 // past the closing quote and the comma
    else if (x === n - 1) this.keyEnd = spans[4 * x] - 1 // before the comma
    else return x === -1
    return true
  }

  /** The series key of the set just read, without the set-apart label. */
  key (): string {
    if (this.keyRegion()) return this.text.slice(this.keyStart, this.keyEnd)
    if (!this.canonical) return labelsKey(this.labels())
    const { text, spans, excluded: x } = this
    return text.slice(this.open + 1, spans[4 * x]) + text.slice(spans[4 * x + 3] + 2, this.close)
  }

  /**
   * The set just read as an object, without the set-apart label, its names in ascending order
   * whatever order the line wrote them in: one label set is one object shape, however spelled.
   */
  labels (): Record<string, string> {
    const { text, spans, pairs: n, excluded: x } = this
    const labels: Record<string, string> = {}
    let order: number[] | undefined
    let names: string[] | undefined
    if (!this.canonical) {
      // Only a quoted name can hold a backslash; names compare once unescaped.
      names = []
      for (let i = 0; i < n; i++) {
        const raw = text.slice(spans[4 * i], spans[4 * i + 1])
        names.push(this.quoted ? unescapeQuoted(raw) : raw)
      }
      const by = names
      order = Array.from({ length: n }, (_v, i) => i).sort((a, b) => by[a] < by[b] ? -1 : by[a] > by[b] ? 1 : 0)
    }
    for (let j = 0; j < n; j++) {
      const i = order === undefined ? j : order[j]
      if (i === x) continue
      const name = names === undefined ? text.slice(spans[4 * i], spans[4 * i + 1]) : names[i]
      const raw = text.slice(spans[4 * i + 2], spans[4 * i + 3])
      const value = this.escaped[i] ? unescapeQuoted(raw) : raw
      if (!this.canonical && Object.hasOwn(labels, name)) this.fail('duplicate label')
      // A label called __proto__ must become an own property, not the object's prototype.
      if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true })
      else labels[name] = value
    }
    return labels
  }
}
