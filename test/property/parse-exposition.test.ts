// Properties of the Prometheus text parser (issue 5): hostile input ends in one of our two coded
// errors and nothing else; a valid exposition, written by the small renderer below from generated
// families, reads back exactly (values bit for bit, NaN as NaN, label values unescaped, histogram
// buckets per label set); the series cap throws exactly when the sample lines exceed it. And
// (issue 4) a parse given the series cache of earlier scrapes reads exactly what a fresh one reads.
// Since issue 9 the renderer also writes what Prometheus 3 reads beyond the docs' grammar: quoted
// UTF-8 metric and label names (the metric name anywhere inside the braces), unknown escapes
// written with a lone backslash, blanks between the name and `{` and around `=` and `,`, labels
// with no comma between them, and `# HELP`/`# TYPE` lines with no name.
// Grammar: https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details
import t from 'tap'
import fc from 'fast-check'
import { parseExposition } from '../../sidecar/metrics/parse-exposition.js'
import { labelsKey } from '../../sidecar/metrics/exposition.js'
import type { Exposition, HistogramFamily, ScalarFamily } from '../../sidecar/metrics/exposition.js'
import { SeriesCache } from '../../sidecar/metrics/series-cache.js'
import { dumpExposition } from '../helpers/dump-exposition.js'

// Run counts are sized for a few seconds per file on a loaded 2-core CI machine; FC_RUNS_SCALE=20
// multiplies them for a longer hunt (a failure prints the seed and path that replay it).
const runs = (n: number): number => Math.max(1, Math.round(n * (Number(process.env.FC_RUNS_SCALE) || 1)))

const CODES = new Set(['RELIABILITY_ERR_METRICS_PARSE', 'RELIABILITY_ERR_SERIES_CAP'])

/** The error's code when parsing throws, undefined when it does not; anything uncoded is rethrown. */
function parseOutcome (text: string, maxSeries?: number): { code: string | undefined, result?: Exposition } {
  try {
    return { code: undefined, result: parseExposition(text, maxSeries === undefined ? {} : { maxSeries }) }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (err instanceof Error && typeof code === 'string' && CODES.has(code)) return { code }
    throw err
  }
}

// ---- A valid exposition, as data, and its text -------------------------------------------------

type Pairs = Array<[string, string]>
interface Num { value: number, text: string }
interface GenSample { labels: Pairs, value: Num, timestamp: number | undefined }
interface GenScalar { kind: 'counter' | 'gauge' | 'untyped', name: string, sampleName: string, help: string | undefined, samples: GenSample[] }
interface GenBucket { le: Num, count: Num }
interface GenSeries { labels: Pairs, lePos: number, buckets: GenBucket[], sum: Num | undefined, count: Num | undefined, tail: boolean }
interface GenHistogram { kind: 'histogram', name: string, help: string | undefined, series: GenSeries[] }
type GenFamily = GenScalar | GenHistogram
interface Style {
  sep: string
  trailingComma: boolean
  emptyBraces: boolean
  helpFirst: boolean
  eol: string
  /** Between the metric name and `{`. */
  braceSep: string
  /** `=` with its blanks. */
  equals: string
  /** Between two labels: a comma with blanks around it, or blanks only, or nothing at all. */
  between: string
  /** Quote names that need no quotes too: `{"plain_name"}`, `{"a"="1"}`. */
  quoteNames: boolean
  quoteLabels: boolean
  /** Where in the braces a quoted metric name goes (modulo the number of labels + 1). */
  namePos: number
  /** Write a backslash before a character it does not escape (`\a`) as a lone one. */
  bareEscapes: boolean
}
interface GenExposition { families: GenFamily[], style: Style, eof: boolean, afterEof: string, comments: boolean }

/** Every spelling Go's strconv.ParseFloat (the Prometheus parser's reader) gives the same double. */
function spell (value: number, pick: number): string {
  if (Number.isNaN(value)) return ['NaN', 'nan', 'NAN'][pick % 3]
  if (value === Infinity) return ['+Inf', 'Inf', '+inf', 'Infinity', '+Infinity', 'inf'][pick % 6]
  if (value === -Infinity) return ['-Inf', '-inf', '-Infinity', '-INF'][pick % 4]
  if (Object.is(value, -0)) return ['-0', '-0.0', '-0e3', '-.0'][pick % 4]
  const forms = [String(value), value.toExponential(), value.toPrecision(17), value.toExponential(20)]
  if (Number.isSafeInteger(value)) forms.push(`${value}.0`, `${value}e0`, value >= 0 ? `+${value}` : `-0${-value}`)
  return forms[pick % forms.length]
}

const num = (values: fc.Arbitrary<number>): fc.Arbitrary<Num> =>
  fc.tuple(values, fc.nat(20)).map(([value, pick]) => ({ value, text: spell(value, pick) }))

const anyValue = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1, -1),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.double({ min: -1e6, max: 1e6, noNaN: true })
)
const countValue = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.double({ min: 0, max: 1e12, noNaN: true }))

/**
 * A value or quoted name as a writer may spell it: Prometheus reads a backslash before any other
 * character than `\\`, `"` or `n` as itself (`\a` is a backslash and an a), so with `bare` such a
 * backslash may be written alone.
 */
function quoted (s: string, bare: boolean): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    const next = s[i + 1]
    if (c === '"') out += '\\"'
    else if (c === '\n') out += '\\n'
    else if (c !== '\\') out += c
    else out += bare && next !== undefined && next !== '\\' && next !== '"' && next !== 'n' && next !== '\n' ? '\\' : '\\\\'
  }
  return out
}

const escapeHelp = (s: string): string => s.replace(/[\\\n]/g, (c) => c === '\\' ? '\\\\' : '\\n')

/** Characters a UTF-8 name may hold that a bare one may not, and some it may. */
const utf8NameChar = fc.constantFrom('.', 'é', '😀', '"', '\\', '\\a', '=', ',', '{', '}', ' ', '\t', '\n', '#', '-', '/', 'a', 'Z', '_', '1', ':')
const labelName = fc.oneof(
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'method', 'route', 'status_code', 'a', 'b', 'quantile'),
  // Issue 9: quoted UTF-8 label names (`{"http.method"="GET"}`).
  fc.string({ unit: utf8NameChar, minLength: 1, maxLength: 5 }),
  fc.constantFrom('http.method', 'le="1"', 'a="1",b', '1a', 'le ')
)
const labelValue = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom('\\', '"', '\n', '\\n', '\\"', '{', '}', ',', '=', ' ', '\t', '#', '\r', 'le="1"', '😀', 'é', '\u0000') }
  ),
  maxLength: 12
})
const helpText = fc.string({
  unit: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.constantFrom('\\', '\n', '\\n', '"', ' ', '#')),
  maxLength: 20
}).filter((s) => !s.includes('\r'))

/** A label set, names unique; `le` left out (histograms add their own, gauges may have one). */
const labelSet = (noLe: boolean): fc.Arbitrary<Pairs> =>
  fc.tuple(
    fc.uniqueArray(fc.tuple(labelName, labelValue), { selector: ([name]) => name, maxLength: 4 }),
    fc.boolean()
  ).map(([pairs, sorted]) => {
    const kept = noLe ? pairs.filter(([n]) => n !== 'le') : pairs
    return sorted ? [...kept].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0) : kept
  })
const setKey = (pairs: Pairs): string => JSON.stringify([...pairs].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))

// After `f<i>`: `_` and a tail a bare name may have, or (issue 9) `.` and one only a quoted name may.
const nameTail = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_:]{0,10}$/).map((tail) => `_${tail}`) },
  { weight: 1, arbitrary: fc.string({ unit: utf8NameChar, maxLength: 6 }).map((tail) => `.${tail}`) }
)
const timestamp = fc.option(fc.integer({ min: -1e13, max: 1e13 }), { nil: undefined })

const scalarFamily = (i: number): fc.Arbitrary<GenScalar> => fc.record({
  kind: fc.constantFrom('counter' as const, 'gauge' as const, 'untyped' as const),
  tail: nameTail,
  openMetricsTotal: fc.boolean(),
  help: fc.option(helpText, { nil: undefined }),
  sets: fc.uniqueArray(labelSet(false), { selector: setKey, minLength: 1, maxLength: 4 }),
  values: fc.array(fc.tuple(num(anyValue), timestamp), { minLength: 4, maxLength: 4 })
}).map(({ kind, tail, openMetricsTotal, help, sets, values }) => {
  // Family names start `f<i>_` so that no family is another's name plus a suffix (`x` and `x_sum`).
  const name = `f${i}${tail}`
  // OpenMetrics names a counter's family without the `_total` its samples carry.
  const sampleName = kind === 'counter' && openMetricsTotal ? `${name}_total` : name
  return {
    kind,
    name,
    sampleName,
    help,
    samples: sets.map((labels, j) => ({ labels, value: values[j][0], timestamp: values[j][1] }))
  }
})

const series = fc.record({
  labels: labelSet(true),
  lePos: fc.nat(5),
  bounds: fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), { comparator: 'SameValueZero', maxLength: 6 }),
  inf: fc.boolean(),
  increments: fc.array(countValue, { minLength: 7, maxLength: 7 }),
  picks: fc.array(fc.nat(20), { minLength: 7, maxLength: 7 }),
  sum: fc.option(num(anyValue), { nil: undefined }),
  count: fc.option(num(countValue), { nil: undefined }),
  tail: fc.boolean()
}).map(({ labels, lePos, bounds, inf, increments, picks, sum, count, tail }): GenSeries => {
  const les = [...bounds].sort((a, b) => a - b)
  // A series is known by its lines: one without any would not exist at all.
  if (inf || les.length === 0) les.push(Infinity)
  let total = 0
  const buckets = les.map((le, k) => {
    total += increments[k]
    return { le: { value: le, text: spell(le, picks[k]) }, count: { value: total, text: spell(total, picks[k] + 1) } }
  })
  return { labels, lePos: lePos % (labels.length + 1), buckets, sum, count, tail }
})

const histogramFamily = (i: number): fc.Arbitrary<GenHistogram> => fc.record({
  tail: nameTail,
  help: fc.option(helpText, { nil: undefined }),
  series: fc.uniqueArray(series, { selector: (s) => setKey(s.labels), minLength: 1, maxLength: 3 })
}).map(({ tail, help, series }) => ({ kind: 'histogram' as const, name: `f${i}${tail}`, help, series }))

const exposition: fc.Arbitrary<GenExposition> = fc.record({
  kinds: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
  style: fc.record({
    sep: fc.constantFrom(' ', ' ', '\t', '  ', ' \t'),
    trailingComma: fc.boolean(),
    emptyBraces: fc.boolean(),
    helpFirst: fc.boolean(),
    eol: fc.constantFrom('\n', '\n', '\r\n'),
    braceSep: fc.constantFrom('', '', '', ' ', '\t', ' \t '),
    equals: fc.constantFrom('=', '=', '=', ' = ', '\t=', '= '),
    between: fc.constantFrom(',', ',', ',', ', ', ' , ', '\t,', ' ', ''),
    quoteNames: fc.boolean(),
    quoteLabels: fc.boolean(),
    namePos: fc.nat(5),
    bareEscapes: fc.boolean()
  }),
  eof: fc.boolean(),
  afterEof: fc.constantFrom('', 'garbage{{{ here\n', 'f0_x 1\n', '# TYPE f0_x summary\n'),
  comments: fc.boolean()
}).chain(({ kinds, style, eof, afterEof, comments }) =>
  fc.tuple(...kinds.map((histogram, i) => histogram ? histogramFamily(i) as fc.Arbitrary<GenFamily> : scalarFamily(i)))
    .map((families) => ({ families, style, eof, afterEof, comments })))

const plainMetricName = (name: string): boolean => /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)
const plainLabelName = (name: string): boolean => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)

/** A sample line's name and labels: `name{...}`, or `{"name",...}` when the name needs quotes. */
function renderSeries (name: string, pairs: Pairs, style: Style): string {
  const items = pairs.map(([n, v]) => {
    const label = plainLabelName(n) && !style.quoteLabels ? n : `"${quoted(n, style.bareEscapes)}"`
    return { text: `${label}${style.equals}"${quoted(v, style.bareEscapes)}"`, isName: false }
  })
  const inBraces = !plainMetricName(name) || style.quoteNames
  if (inBraces) items.splice(style.namePos % (items.length + 1), 0, { text: `"${quoted(name, style.bareEscapes)}"`, isName: true })
  const head = inBraces ? '' : name + style.braceSep
  if (items.length === 0) return head + (style.emptyBraces ? '{}' : '')
  let body = items[0].text
  for (let i = 1; i < items.length; i++) {
    // Only a label value may go without a comma after it: after the quoted name a comma must come.
    body += (items[i - 1].isName ? ',' : style.between) + items[i].text
  }
  return `${head}{${body}${style.trailingComma ? ',' : ''}}`
}

/** A HELP or TYPE line's name, quoted when it needs it. */
const metaName = (name: string, style: Style): string =>
  plainMetricName(name) && !style.quoteNames ? name : `"${quoted(name, style.bareEscapes)}"`

/** The text of the exposition, and how many sample lines it has (what the series cap counts). */
function render (gen: GenExposition): { text: string, samples: number } {
  const { style } = gen
  const lines: string[] = []
  let samples = 0
  const line = (name: string, pairs: Pairs, value: Num, ts?: number) => {
    samples++
    lines.push(`${renderSeries(name, pairs, style)}${style.sep}${value.text}${ts === undefined ? '' : `${style.sep}${ts}`}`)
  }
  for (const f of gen.families) {
    const head: string[] = []
    if (f.help !== undefined) head.push(`# HELP ${metaName(f.name, style)} ${escapeHelp(f.help)}`)
    if (f.kind !== 'untyped') head.push(`# TYPE ${metaName(f.name, style)} ${f.kind}`)
    lines.push(...(style.helpFirst ? head : head.reverse()))
    // `# HELP` and `# TYPE` with no name, and `#TYPE` with no blank, are comments to Prometheus.
    if (gen.comments) lines.push('# a comment, not a HELP or TYPE line', '', '# HELP', '# TYPE', `#TYPE ${metaName(f.name, style)} summary`)
    if (f.kind !== 'histogram') {
      for (const s of f.samples) line(f.sampleName, s.labels, s.value, s.timestamp)
      continue
    }
    for (const s of f.series) {
      const extra = (): void => {
        if (s.sum !== undefined) line(`${f.name}_sum`, s.labels, s.sum)
        if (s.count !== undefined) line(`${f.name}_count`, s.labels, s.count)
      }
      if (!s.tail) extra()
      for (const b of s.buckets) {
        const pairs: Pairs = [...s.labels]
        pairs.splice(s.lePos, 0, ['le', b.le.text])
        // The `le` value is a number: written as is, never escaped.
        line(`${f.name}_bucket`, pairs, b.count)
      }
      if (s.tail) extra()
    }
  }
  if (gen.eof) lines.push('# EOF', gen.afterEof)
  return { text: lines.join(style.eol) + style.eol, samples }
}

// ---- Comparing what was written with what was read ----------------------------------------------

/** Labels as sorted entries: `__proto__` is an own key like any other. */
const entries = (labels: Readonly<Record<string, string>>): Pairs =>
  Object.keys(labels).sort().map((k) => [k, labels[k]])
const sameLabels = (labels: Readonly<Record<string, string>>, pairs: Pairs): boolean =>
  JSON.stringify(entries(labels)) === setKey(pairs)
/** What a HELP line reads back as: as in Prometheus, everything after the one blank after the name. */
const helpRead = (help: string | undefined): string => help ?? ''

function mismatch (gen: GenExposition, e: Exposition, samples: number): string | undefined {
  if (e.seriesCount !== samples) return `seriesCount ${e.seriesCount}, expected ${samples}`
  const names = [...e.families.keys()]
  if (JSON.stringify(names) !== JSON.stringify(gen.families.map((f) => f.name))) return `families ${JSON.stringify(names)}`
  for (const g of gen.families) {
    const f = e.families.get(g.name)!
    if (f.help !== helpRead(g.help)) return `${g.name}: help ${JSON.stringify(f.help)}`
    if (g.kind !== 'histogram') {
      if (f.type !== g.kind || !('samples' in f)) return `${g.name}: type ${f.type}`
      const got = (f as ScalarFamily).samples
      if (got.length !== g.samples.length) return `${g.name}: ${got.length} samples`
      for (const [i, s] of g.samples.entries()) {
        const r = got[i]
        if (r.name !== g.sampleName) return `${g.name}[${i}]: name ${r.name}`
        if (!sameLabels(r.labels, s.labels)) return `${g.name}[${i}]: labels ${JSON.stringify(entries(r.labels))}`
        if (!Object.is(r.value, s.value.value)) return `${g.name}[${i}]: value ${r.value} for ${s.value.text}`
        if (r.timestamp !== s.timestamp) return `${g.name}[${i}]: timestamp ${r.timestamp}`
      }
      continue
    }
    if (f.type !== 'histogram') return `${g.name}: type ${f.type}`
    const h = f as HistogramFamily
    if (h.series.size !== g.series.length) return `${g.name}: ${h.series.size} series, expected ${g.series.length}`
    for (const s of g.series) {
      const r = [...h.series.values()].find((x) => sameLabels(x.labels, s.labels))
      if (r === undefined) return `${g.name}: no series ${setKey(s.labels)}`
      if (r.key !== labelsKey(r.labels)) return `${g.name}: key ${r.key}`
      if (r.buckets.length !== s.buckets.length) return `${g.name}: ${r.buckets.length} buckets`
      for (const [i, b] of s.buckets.entries()) {
        if (!Object.is(r.buckets[i].le, b.le.value)) return `${g.name}: le ${r.buckets[i].le} for ${b.le.text}`
        if (!Object.is(r.buckets[i].count, b.count.value)) return `${g.name}: bucket count ${r.buckets[i].count} for ${b.count.text}`
      }
      if (!Object.is(r.sum, s.sum?.value ?? NaN)) return `${g.name}: sum ${r.sum}`
      if (!Object.is(r.count, s.count?.value ?? NaN)) return `${g.name}: count ${r.count}`
    }
  }
  return undefined
}

// ---- Properties ---------------------------------------------------------------------------------

// Pieces of the grammar, so that random text reaches deep into the parser rather than failing on
// its first character.
const token = fc.constantFrom(
  '# TYPE ', '# HELP ', '# EOF', '#', ' ', '\t', '\n', '\r\n', '\r', 'x', 'x_bucket', 'x_sum', 'x_count', 'x_total',
  'x_created', 'x_gsum', 'y', ':', '_', '{', '}', ',', '=', '"', '\\', '\\"', '\\n', '\\\\', 'le', 'quantile', 'le="',
  'quantile="', '0.5', '+Inf', '-Inf', 'NaN', 'nan', 'Inf', '1e3', '1e', '-', '+', '.', '1', '0', '9'.repeat(20), '1e400',
  '1e-400', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'untyped', 'unknown', 'info', 'stateset',
  'x{le="1"} 1\n', 'x{le="+Inf"} 2\n', '# TYPE x histogram\n', '# TYPE x summary\n', 'x{a="1",le="1"} 1\n',
  '__proto__', 'é', '😀', '\uD800', '\u0000',
  // Issue 9: quoted names, unknown escapes, blanks before `{`.
  '{"', '"x.y"', '"le"', '{"x.y"} 1\n', '{"x_bucket",le="1"} 1\n', '# TYPE "x" histogram\n', '# HELP "x.y" ', '\\a', ' {', '"="'
)
const grammarSoup = fc.array(token, { maxLength: 60 }).map((parts) => parts.join(''))
const bytesAsUtf8 = fc.uint8Array({ maxLength: 300 }).map((bytes) => new TextDecoder().decode(bytes))
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  bytesAsUtf8,
  grammarSoup
)

/** A valid exposition with a few random edits: the near misses a broken exporter writes. */
const mutated = fc.tuple(
  exposition,
  fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.oneof(token, fc.string({ maxLength: 3 }))), { minLength: 1, maxLength: 4 })
).map(([gen, edits]) => {
  let text = render(gen).text
  for (const [at, cut, insert] of edits) {
    const i = text.length === 0 ? 0 : at % text.length
    text = text.slice(0, i) + insert + text.slice(i + cut)
  }
  return text
})
const maxSeries = fc.option(fc.nat(50), { nil: undefined })

t.test('arbitrary text and bytes: only our coded errors, and a well-formed result otherwise', async (t) => {
  let threw = 0
  let parsed = 0
  await fc.assert(fc.asyncProperty(fc.oneof(hostileText, mutated), maxSeries, async (text, cap) => {
    const { code, result } = parseOutcome(text, cap)
    if (code !== undefined) {
      threw++
      return true
    }
    parsed++
    return result!.families instanceof Map && Number.isInteger(result!.seriesCount) &&
      result!.seriesCount >= 0 && (cap === undefined || result!.seriesCount <= cap)
  }), { numRuns: runs(1500) })
  t.ok(threw > 100 && parsed > 100, `both outcomes exercised (threw: ${threw}, parsed: ${parsed})`)
})

t.test('a valid exposition round-trips every value, label and bucket', async (t) => {
  await fc.assert(fc.asyncProperty(exposition, async (gen) => {
    const { text, samples } = render(gen)
    const { code, result } = parseOutcome(text)
    if (code !== undefined) throw new Error(`${code} on a valid exposition:\n${text}`)
    const wrong = mismatch(gen, result!, samples)
    if (wrong !== undefined) throw new Error(`${wrong}\n${text}`)
  }), { numRuns: runs(800) })
  t.pass('round-trips')
})

t.test('the series cap throws SERIES_CAP exactly when the sample lines exceed it', async (t) => {
  await fc.assert(fc.asyncProperty(exposition, fc.nat(40), async (gen, slack) => {
    const { text, samples } = render(gen)
    // Caps on both sides of the count, the count itself included.
    const cap = Math.max(0, samples - 20 + slack)
    const { code, result } = parseOutcome(text, cap)
    if (samples > cap) return code === 'RELIABILITY_ERR_SERIES_CAP'
    return code === undefined && result!.seriesCount === samples
  }), { numRuns: runs(400) })
  t.pass('cap')
})

// ---- The series cache: a parse that remembers the previous scrape reads exactly what a fresh one reads

/** The outcome of a parse as a string: the dump, or the error's code and message. */
function outcomeOf (text: string | string[], cache?: SeriesCache, maxSeries?: number): string {
  try {
    return dumpExposition(parseExposition(text, { cache, maxSeries }))
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (!(err instanceof Error) || typeof code !== 'string' || !CODES.has(code)) throw err
    return `${code}: ${err.message}`
  }
}

/** A scrape and the ones after it: the same families with other values, edited, or any text. */
const scrapeSequence = exposition.chain((gen) => {
  const text = render(gen).text
  const later = fc.oneof(
    { weight: 4, arbitrary: exposition.map((g) => render(g).text) },
    // Same lines, values rewritten: what a live app's next scrape is.
    { weight: 4, arbitrary: fc.nat(1000).map((k) => text.replace(/ (\d+)(\r?\n)/g, (_m, v: string, eol: string) => ` ${Number(v) + k}${eol}`)) },
    {
      weight: 3,
      arbitrary: fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.oneof(token, fc.string({ maxLength: 3 }))), { minLength: 1, maxLength: 3 }).map((edits) => {
        let out = text
        for (const [at, cut, insert] of edits) {
          const i = out.length === 0 ? 0 : at % out.length
          out = out.slice(0, i) + insert + out.slice(i + cut)
        }
        return out
      })
    },
    // Whole lines dropped or doubled: series that come and go, or shift every later line.
    {
      weight: 2,
      arbitrary: fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 3 }).map((ops) => {
        const lines = text.split('\n')
        for (const [at, dup] of ops) {
          const i = at % lines.length
          if (dup) lines.splice(i, 0, lines[i])
          else lines.splice(i, 1)
        }
        return lines.join('\n')
      })
    },
    { weight: 1, arbitrary: hostileText }
  )
  return fc.tuple(fc.constant(text), fc.array(later, { minLength: 1, maxLength: 4 }), maxSeries)
})

t.test('with the series cache, every scrape of a sequence reads exactly as it does without one', async (t) => {
  let hits = 0
  let misses = 0
  await fc.assert(fc.asyncProperty(scrapeSequence, async ([first, later, cap]) => {
    const cache = new SeriesCache()
    for (const text of [first, ...later]) {
      const fresh = outcomeOf(text, undefined, cap)
      const cached = outcomeOf(text, cache, cap)
      if (cached !== fresh) throw new Error(`differs with the cache:\n${cached}\nwithout:\n${fresh}\ntext:\n${text}`)
      hits += cache.hits
      misses += cache.misses
    }
  }), { numRuns: runs(600) })
  t.ok(hits > 1000 && misses > 1000, `lines answered from the cache and read in full both exercised (hits: ${hits}, misses: ${misses})`)
})

/** The text cut after some of its newlines, as the upstream client hands a body to the parser. */
function inPieces (text: string, picks: number[]): string[] {
  const ends: number[] = []
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) ends.push(i + 1)
  const cuts = [...new Set(picks.map((p) => ends[p % Math.max(1, ends.length)]).filter((c) => c !== undefined))].sort((a, b) => a - b)
  const pieces: string[] = []
  let from = 0
  for (const c of cuts) {
    if (c > from) pieces.push(text.slice(from, c))
    from = c
  }
  if (from < text.length) pieces.push(text.slice(from))
  return pieces
}

t.test('an exposition in pieces reads as the whole text, with and without the cache', async (t) => {
  await fc.assert(fc.asyncProperty(scrapeSequence, fc.array(fc.nat(), { maxLength: 6 }), async ([first, later], picks) => {
    const cache = new SeriesCache()
    for (const text of [first, ...later]) {
      const whole = outcomeOf(text)
      const pieces = inPieces(text, picks)
      if (pieces.join('') !== text) throw new Error('the test cut the text wrong')
      if (outcomeOf(pieces) !== whole) throw new Error(`differs in pieces:\n${JSON.stringify(pieces)}`)
      if (outcomeOf(pieces, cache) !== whole) throw new Error(`differs in pieces with the cache:\n${JSON.stringify(pieces)}`)
      // Cut anywhere, even inside a line or between \r and \n, the pieces still read as the text.
      const anywhere = picks.map((p) => p % (text.length + 1)).sort((a, b) => a - b)
      const cut = [...anywhere, text.length].map((c, i) => text.slice(i === 0 ? 0 : anywhere[i - 1], c))
      if (outcomeOf(cut) !== whole) throw new Error(`differs in pieces cut anywhere:\n${JSON.stringify(cut)}`)
    }
  }), { numRuns: runs(300) })
  t.pass('pieces')
})
