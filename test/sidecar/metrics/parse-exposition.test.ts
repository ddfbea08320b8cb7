import t from 'tap'
import type { Test } from 'tap'
import client from 'prom-client'
import type { OpenMetricsContentType, PrometheusContentType, Registry as RegistryType } from 'prom-client'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'
import { labelsKey } from '../../../sidecar/metrics/exposition.js'
import type { Exposition, HistogramFamily, Labels, ScalarFamily, SummaryFamily } from '../../../sidecar/metrics/exposition.js'

const { Registry } = client

function parseError (text: string, opts?: { maxSeries?: number }): { code?: string, line?: number, message: string } {
  try {
    parseExposition(text, opts)
  } catch (err) {
    const e = err as Error & { code?: string }
    const line = /line (\d+):/.exec(e.message)?.[1]
    return { code: e.code, line: line === undefined ? undefined : Number(line), message: e.message }
  }
  return { message: 'no error' }
}

const scalar = (e: Exposition, name: string): ScalarFamily => {
  const f = e.families.get(name)
  if (f === undefined || !('samples' in f)) throw new Error(`no scalar family ${name}`)
  return f
}

/**
 * An independent reading of every sample line (a regex per line: slow but plainly right), to check
 * that each value the parser returns is the one written, under the same name and labels.
 */
function referenceSamples (text: string): Array<{ name: string, labels: Record<string, string>, value: number }> {
  const out = []
  for (const line of text.split('\n')) {
    if (line === '# EOF') break
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\})? +(\S+)/.exec(line)
    if (m === null) throw new Error('reference parser cannot read a line')
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => c === 'n' ? '\n' : c)
    }
    const raw = m[3].toLowerCase()
    const value = raw === 'nan' ? NaN : raw === '+inf' ? Infinity : raw === '-inf' ? -Infinity : Number(m[3])
    out.push({ name: m[1], labels, value })
  }
  return out
}

/** The value our parse holds for one reference sample, found by its name and labels. */
function lookUp (e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  for (const f of e.families.values()) {
    if ('samples' in f) {
      if (!name.startsWith(f.name)) continue
      const s = f.samples.find(s => s.name === name && labelsKey(s.labels) === labelsKey(labels))
      if (s !== undefined) return s.value
      continue
    }
    if (!name.startsWith(f.name)) continue
    const suffix = name.slice(f.name.length)
    const { le, quantile, ...rest } = labels
    const series = f.series.get(labelsKey(rest))
    if (series === undefined) continue
    if (suffix === '_sum') return series.sum
    if (suffix === '_count') return series.count
    if (suffix === '_bucket' && 'buckets' in series) return series.buckets.find(b => Object.is(b.le, Number(le.replace(/inf/i, 'Infinity'))))?.count
    if (suffix === '' && 'quantiles' in series) return series.quantiles.find(q => q.quantile === Number(quantile))?.value
  }
  return undefined
}

function checkRoundTrip (t: Test, text: string, e: Exposition): void {
  const reference = referenceSamples(text)
  t.equal(e.seriesCount, reference.length, 'one parsed sample per sample line')
  const wrong = reference.filter(r => !Object.is(lookUp(e, r.name, r.labels), r.value))
  t.same(wrong, [], `every one of the ${reference.length} values round-trips`)
}

/** A registry like an app's: default metrics plus one of each type, with known observations. */
function appRegistry (openMetrics: boolean) {
  let register: RegistryType<PrometheusContentType> | RegistryType<OpenMetricsContentType>
  if (openMetrics) {
    const om = new Registry<OpenMetricsContentType>()
    om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
    register = om
  } else {
    register = new Registry()
  }
  client.collectDefaultMetrics({ register })
  const histogram = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request duration in seconds',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.1, 0.5, 1],
    registers: [register],
    enableExemplars: openMetrics
  })
  const counter = new client.Counter({
    name: 'cache_hits_total', help: 'Cache hits', labelNames: ['cache'], registers: [register], enableExemplars: openMetrics
  })
  const gauge = new client.Gauge({ name: 'queue_depth', help: 'Jobs waiting', labelNames: ['queue'], registers: [register] })
  const summary = new client.Summary({
    name: 'job_seconds', help: 'Job time', labelNames: ['kind'], percentiles: [0.5, 0.9], registers: [register]
  })
  // Exemplar labels are typed as the metric's own label names; prom-client takes any.
  const exemplarLabels = { trace_id: 'abc123' } as Record<string, string>
  const observations: Array<[Record<string, string>, number[]]> = [
    [{ method: 'GET', route: '/users', status_code: '200' }, [0.05, 0.2, 0.7]],
    // Same key length as the first label set and written right after it: only the text of the
    // labels tells the two apart.
    [{ method: 'GET', route: '/posts', status_code: '200' }, [0.6]],
    [{ method: 'POST', route: '/users', status_code: '201' }, [0.3, 2]],
    // A route with every character that needs escaping, and a comma and brace inside the quotes.
    [{ method: 'GET', route: '/a"b\\c\nd,{}', status_code: '500' }, [0.08]]
  ]
  for (const [labels, values] of observations) {
    for (const value of values) {
      if (openMetrics) histogram.observe({ labels, value, exemplarLabels })
      else histogram.observe(labels, value)
    }
  }
  if (openMetrics) {
    counter.inc({ labels: { cache: 'users' }, value: 7, exemplarLabels: { trace_id: 'def456' } as Record<string, string> })
    counter.inc({ labels: { cache: 'posts' }, value: 2 })
  } else {
    counter.inc({ cache: 'users' }, 7)
    counter.inc({ cache: 'posts' }, 2)
  }
  gauge.set({ queue: 'mail' }, 12)
  gauge.set({ queue: 'never' }, -Infinity)
  gauge.set({ queue: 'unknown' }, NaN)
  for (const v of [1, 2, 3, 4, 5]) summary.observe({ kind: 'import' }, v)
  return register
}

function checkAppMetrics (t: Test, e: Exposition): void {
  const h = e.histogram('http_request_duration_seconds')
  t.ok(h, 'histogram family found')
  t.equal(h!.type, 'histogram')
  t.equal(h!.help, 'Request duration in seconds')
  t.equal(h!.series.size, 4, 'issue 3: each label set is its own histogram series, never merged')
  const get = h!.series.get(labelsKey({ method: 'GET', route: '/users', status_code: '200' }))
  t.same(get?.labels, { method: 'GET', route: '/users', status_code: '200' }, 'labels without le')
  t.same(get?.buckets, [{ le: 0.1, count: 1 }, { le: 0.5, count: 2 }, { le: 1, count: 3 }, { le: Infinity, count: 3 }])
  t.equal(get?.count, 3)
  t.ok(Math.abs(get!.sum - 0.95) < 1e-12, 'sum 0.05 + 0.2 + 0.7')
  const post = h!.series.get(labelsKey({ method: 'POST', route: '/users', status_code: '201' }))
  t.same(post?.buckets, [{ le: 0.1, count: 0 }, { le: 0.5, count: 1 }, { le: 1, count: 1 }, { le: Infinity, count: 2 }])
  t.equal(post?.sum, 2.3)
  t.equal(post?.count, 2)
  const posts = h!.series.get(labelsKey({ method: 'GET', route: '/posts', status_code: '200' }))
  t.same(posts?.buckets, [{ le: 0.1, count: 0 }, { le: 0.5, count: 0 }, { le: 1, count: 1 }, { le: Infinity, count: 1 }])
  t.equal(posts?.sum, 0.6)
  const odd = h!.series.get(labelsKey({ method: 'GET', route: '/a"b\\c\nd,{}', status_code: '500' }))
  t.equal(odd?.labels.route, '/a"b\\c\nd,{}', 'escapes undone; comma and braces kept inside the quotes')
  t.same(odd?.buckets.map(b => b.count), [1, 1, 1, 1])

  t.equal(e.value('cache_hits_total', { cache: 'users' }), 7)
  t.equal(e.value('cache_hits_total', { cache: 'posts' }), 2)
  t.equal(e.sum('cache_hits_total'), 9, 'summed across label sets')
  t.equal(e.family('cache_hits_total')?.type, 'counter')
  t.equal(e.value('queue_depth', { queue: 'mail' }), 12)
  t.equal(e.value('queue_depth', { queue: 'never' }), -Infinity)
  t.ok(Number.isNaN(e.value('queue_depth', { queue: 'unknown' })), 'prom-client writes NaN as "Nan"')

  const s = e.families.get('job_seconds') as SummaryFamily
  t.equal(s.type, 'summary')
  t.equal(s.series.size, 1)
  const job = s.series.get(labelsKey({ kind: 'import' }))
  t.same(job?.labels, { kind: 'import' }, 'labels without quantile')
  t.same(job?.quantiles, [{ quantile: 0.5, value: 3 }, { quantile: 0.9, value: 5 }])
  t.equal(job?.sum, 15)
  t.equal(job?.count, 5)

  const cpu = e.value('process_cpu_seconds_total')
  t.ok(typeof cpu === 'number' && cpu >= 0, 'default metric process_cpu_seconds_total read by its sample name')
  t.ok((e.value('process_resident_memory_bytes') ?? 0) > 0, 'process_resident_memory_bytes')
}

t.test('real prom-client output (text format 0.0.4)', async (t) => {
  const register = appRegistry(false)
  t.equal(register.contentType, Registry.PROMETHEUS_CONTENT_TYPE)
  const text = await register.metrics()
  const e = parseExposition(text)
  checkAppMetrics(t, e)
  t.equal(e.family('process_cpu_seconds_total')?.name, 'process_cpu_seconds_total', '0.0.4 names the family with _total')
  checkRoundTrip(t, text, e)
})

t.test('real prom-client output (OpenMetrics), exemplars ignored, # EOF', async (t) => {
  const register = appRegistry(true)
  t.equal(register.contentType, Registry.OPENMETRICS_CONTENT_TYPE)
  const text = await register.metrics()
  t.match(text, /_bucket\{[^}]*\} \d+ # \{trace_id="abc123"\}/, 'the output does carry exemplars')
  t.match(text, /# EOF\n?$/, 'and ends with # EOF')
  const e = parseExposition(text)
  checkAppMetrics(t, e)
  t.equal(e.families.get('cache_hits')?.type, 'counter', 'OpenMetrics names the counter family without _total')
  t.equal(e.family('cache_hits_total')?.name, 'cache_hits', 'family() finds it by the sample name')
  checkRoundTrip(t, text, e)
})

// https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-example
const DOCS_EXAMPLE = `# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.05"} 3272
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.9"} 9001
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
`

t.test('the exposition-format example from the Prometheus docs', async (t) => {
  const e = parseExposition(DOCS_EXAMPLE)
  const requests = scalar(e, 'http_requests_total')
  t.equal(requests.help, 'The total number of HTTP requests.')
  t.same(requests.samples, [
    { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000 },
    { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestamp: 1395066363000 }
  ])
  t.same(scalar(e, 'msdos_file_access_time_seconds').samples[0], {
    name: 'msdos_file_access_time_seconds',
    labels: { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' },
    value: 1.458255915e9,
    timestamp: undefined
  })
  t.equal(scalar(e, 'msdos_file_access_time_seconds').type, 'untyped')
  t.equal(e.value('metric_without_timestamp_and_labels'), 12.47)
  t.same(scalar(e, 'something_weird').samples[0], {
    name: 'something_weird', labels: { problem: 'division by zero' }, value: Infinity, timestamp: -3982045
  })
  const h = e.histogram('http_request_duration_seconds')!
  t.equal(h.help, 'A histogram of the request duration.')
  t.equal(h.series.size, 1)
  t.same([...h.series.values()][0], {
    key: '',
    labels: {},
    buckets: [
      { le: 0.05, count: 24054 }, { le: 0.1, count: 33444 }, { le: 0.2, count: 100392 },
      { le: 0.5, count: 129389 }, { le: 1, count: 133988 }, { le: Infinity, count: 144320 }
    ],
    sum: 53423,
    count: 144320,
    created: NaN
  })
  const rpc = e.families.get('rpc_duration_seconds') as SummaryFamily
  const series = rpc.series.get('')!
  t.same(series.quantiles.map(q => [q.quantile, q.value]), [[0.01, 3102], [0.05, 3272], [0.5, 4773], [0.9, 9001], [0.99, 76656]])
  t.equal(series.sum, 1.7560473e7)
  t.equal(series.count, 2693)
  t.equal(e.seriesCount, 20)
  t.same([...e.families.keys()], ['http_requests_total', 'msdos_file_access_time_seconds',
    'metric_without_timestamp_and_labels', 'something_weird', 'http_request_duration_seconds', 'rpc_duration_seconds'])
  checkRoundTrip(t, DOCS_EXAMPLE, e)
})

t.test('HELP escapes: only \\\\ and \\n', async (t) => {
  const e = parseExposition('# HELP a Backslash \\\\ newline \\n other \\t kept\n# TYPE a gauge\na 1\n')
  t.equal(e.families.get('a')?.help, 'Backslash \\ newline \n other \\t kept')
  t.equal(e.families.get('a')?.type, 'gauge', 'TYPE after HELP keeps the help')
  const noText = parseExposition('# HELP b\nb 2\n')
  t.equal(noText.families.get('b')?.help, '', 'a HELP line may have no text')
})

t.test('special values in any case, for values and le', async (t) => {
  const e = parseExposition([
    'a NaN', 'b nan', 'c +Inf', 'd -inf', 'e INF', 'f +infinity', 'g -0', 'h 1e-3', 'i .5', 'j 6.02E+23', 'k 12345678901234567890',
    '# TYPE x histogram', 'x_bucket{le="1"} 1', 'x_bucket{le="+inf"} 2', 'x_bucket{le="-Inf"} 0', 'x_sum NaN', 'x_count 2'
  ].join('\n'))
  t.ok(Number.isNaN(e.value('a')))
  t.ok(Number.isNaN(e.value('b')))
  t.equal(e.value('c'), Infinity)
  t.equal(e.value('d'), -Infinity)
  t.equal(e.value('e'), Infinity)
  t.equal(e.value('f'), Infinity)
  t.ok(Object.is(e.value('g'), -0))
  t.equal(e.value('h'), 0.001)
  t.equal(e.value('i'), 0.5)
  t.equal(e.value('j'), 6.02e23)
  t.equal(e.value('k'), Number('12345678901234567890'), 'more digits than a double holds')
  const x = e.histogram('x')!.series.get('')!
  t.same(x.buckets, [{ le: -Infinity, count: 0 }, { le: 1, count: 1 }, { le: Infinity, count: 2 }], 'out-of-order le sorted in')
  t.ok(Number.isNaN(x.sum))
})

t.test('decimal values read exactly like Number()', async (t) => {
  const values = ['0.005', '0.1', '0.3', '2.5', '123.456', '0.8715174683378253', '5.11e-7', '1795846400.567', '999999999999999',
    '-42.125', '1e22', '1e-22', '3.4028234663852886e+38', '9007199254740993', '0.000001', '100e-2', '1.', '007']
  const e = parseExposition(values.map((v, i) => `v${i} ${v}`).join('\n'))
  for (let i = 0; i < values.length; i++) t.equal(e.value(`v${i}`), Number(values[i]), values[i])
})

t.test('labels: empty sets, trailing commas, blanks, order — one series per label set', async (t) => {
  const e = parseExposition([
    '# TYPE h histogram',
    'h_bucket{le="1",b="2",a="1"} 1',
    'h_bucket{ a = "1" , b="2", le="+Inf", } 2',
    'h_sum{b="2",a="1",} 3',
    'h_count{a="1",b="2"} 2',
    'h_bucket{le="+Inf"} 5',
    'h_count{} 5',
    'plain{} 1',
    'trailing{a="x",} 2'
  ].join('\n'))
  const h = e.histogram('h')!
  t.equal(h.series.size, 2)
  const ab = h.series.get(labelsKey({ a: '1', b: '2' }))!
  t.same(ab.buckets, [{ le: 1, count: 1 }, { le: Infinity, count: 2 }], 'four spellings, one series')
  t.equal(ab.sum, 3)
  t.equal(ab.count, 2)
  t.same(ab.labels, { b: '2', a: '1' })
  t.equal(h.series.get('')?.count, 5, 'no labels and {} are the same empty set')
  t.same(scalar(e, 'plain').samples[0].labels, {})
  t.same(scalar(e, 'trailing').samples[0].labels, { a: 'x' })
})

t.test('histograms, summaries and counters group per label set wherever le/quantile sits', async (t) => {
  const e = parseExposition([
    '# TYPE h histogram',
    'h_bucket{route="/a",le="0.5"} 1',
    'h_bucket{route="/a",le="+Inf"} 1',
    'h_bucket{route="/b",le="0.5"} 0',
    'h_bucket{route="/b",le="+Inf"} 4',
    'h_bucket{le="0.5",route="/c",z="1"} 2',
    'h_bucket{method="x",le="+Inf",route="/c"} 9',
    '# TYPE s summary',
    's{quantile="0.5",kind="a"} 1',
    's{kind="b",quantile="0.5"} 2',
    's_count{kind="a"} 10',
    '# TYPE c counter',
    'c_total{x="1"} 3',
    'c_created{x="1"} 1700000000',
    'c_total{x="2"} 4'
  ].join('\n'))
  const h = e.histogram('h')!
  t.same([...h.series.keys()], ['route="/a"', 'route="/b"', 'route="/c",z="1"', 'method="x",route="/c"'])
  t.same(h.series.get('route="/b"')?.buckets, [{ le: 0.5, count: 0 }, { le: Infinity, count: 4 }])
  t.same(h.series.get('method="x",route="/c"')?.buckets, [{ le: Infinity, count: 9 }], 'le in the middle')
  const s = e.families.get('s') as SummaryFamily
  t.same(s.series.get('kind="a"')?.quantiles, [{ quantile: 0.5, value: 1 }])
  t.equal(s.series.get('kind="a"')?.count, 10)
  t.same(s.series.get('kind="b"')?.quantiles, [{ quantile: 0.5, value: 2 }])
  const c = scalar(e, 'c')
  t.same(c.samples.map(x => [x.name, x.labels.x, x.value]), [['c_total', '1', 3], ['c_created', '1', 1700000000], ['c_total', '2', 4]])
  t.equal(e.sum('c_total'), 7, '_created is not added to the total')
  t.equal(e.value('c_total', { x: '2' }), 4)
  t.equal(e.value('c_total', { x: '3' }), undefined)
  t.equal(e.value('nothing'), undefined)
  t.equal(e.sum('nothing'), undefined)
  t.equal(e.value('h'), undefined, 'value() is for scalar families')
  t.equal(e.histogram('c'), undefined, 'histogram() only finds histograms')
})

t.test('two histograms with the same label set stay apart', async (t) => {
  const e = parseExposition([
    '# TYPE a histogram',
    'a_bucket{le="1",x="1"} 1',
    'a_bucket{le="+Inf",x="1"} 2',
    '# TYPE b histogram',
    'b_bucket{le="1",x="1"} 5',
    'b_bucket{le="+Inf",x="1"} 6',
    'b_count{x="1"} 6',
    'a_count{x="1"} 2'
  ].join('\n'))
  t.same(e.histogram('a')?.series.get('x="1"')?.buckets, [{ le: 1, count: 1 }, { le: Infinity, count: 2 }])
  t.equal(e.histogram('a')?.series.get('x="1"')?.count, 2, 'a sample back in an earlier family finds it')
  t.same(e.histogram('b')?.series.get('x="1"')?.buckets, [{ le: 1, count: 5 }, { le: Infinity, count: 6 }])
  t.equal(e.histogram('b')?.series.get('x="1"')?.count, 6)
})

t.test('OpenMetrics example: exemplars, _created, # EOF, unknown type', async (t) => {
  const text = [
    '# TYPE foo histogram',
    'foo_bucket{le="0.01"} 0',
    'foo_bucket{le="0.1"} 8 # {} 0.054',
    'foo_bucket{le="1"} 11 # {trace_id="KOO5S4vxi0o"} 0.67',
    'foo_bucket{le="10"} 17 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789',
    'foo_bucket{le="+Inf"} 17',
    'foo_count 17',
    'foo_sum 324789.3',
    'foo_created 1520430000.123',
    '# TYPE bar unknown',
    'bar 1.5 1520879607.789 # {a="b"} 1',
    '# TYPE baz info',
    'baz_info{version="1.2"} 1',
    '# EOF',
    'this line is after the end { and never read'
  ].join('\n')
  const e = parseExposition(text)
  const foo = e.histogram('foo')!.series.get('')!
  t.same(foo.buckets.map(b => b.count), [0, 8, 11, 17, 17])
  t.equal(foo.sum, 324789.3)
  t.equal(foo.created, 1520430000.123)
  t.equal(e.families.get('bar')?.type, 'untyped')
  t.same(scalar(e, 'bar').samples[0], { name: 'bar', labels: {}, value: 1.5, timestamp: 1520879607.789 })
  t.equal(e.value('baz_info', { version: '1.2' }), 1)
  t.equal(e.seriesCount, 10)
})

t.test('CRLF line endings read the same as LF', async (t) => {
  const crlf = parseExposition(DOCS_EXAMPLE.replaceAll('\n', '\r\n'))
  const lf = parseExposition(DOCS_EXAMPLE)
  t.same([...crlf.families.values()], [...lf.families.values()])
  t.equal(crlf.families.get('http_requests_total')?.help, 'The total number of HTTP requests.', 'no \\r in HELP')
})

t.test('a label called __proto__ is an own label', async (t) => {
  const labels: Labels = scalar(parseExposition('x{__proto__="p",a="b"} 1'), 'x').samples[0].labels
  t.ok(Object.hasOwn(labels, '__proto__'))
  t.equal(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value, 'p')
  t.equal(Object.getPrototypeOf(labels), Object.prototype)
})

t.test('labelsKey is independent of order and escapes like the exposition', async (t) => {
  t.equal(labelsKey({ b: '2', a: '1' }), 'a="1",b="2"')
  t.equal(labelsKey({ a: 'q"\\\n' }), 'a="q\\"\\\\\\n"')
  t.equal(labelsKey({}), '')
})

// A missing comma between labels, an unknown escape, `# TYPE` alone and `# HELP foo-bar x` were
// rejected here until issue 9: Prometheus 3 takes them (see the issue 9 tests below).
t.test('every rejected line throws METRICS_PARSE with its line number', async (t) => {
  const good = '# HELP ok fine\nok 1\n'
  const cases: Array<[string, string]> = [
    ['metric name starting with a digit', '1abc 1'],
    ['metric name with a bad character', 'foo-bar 1'],
    ['missing value', 'foo'],
    ['missing value after labels', 'foo{a="b"}'],
    ['value not a number', 'foo bar'],
    ['value with a hex prefix', 'foo 0x10'],
    ['value with a dangling exponent', 'foo 1e'],
    ['value of two dots', 'foo 1.2.3'],
    ['timestamp not a number', 'foo 1 abc'],
    ['timestamp not finite', 'foo 1 NaN'],
    ['text after the timestamp', 'foo 1 2 3'],
    ['unterminated label set', 'foo{a="b"'],
    ['unterminated label value', 'foo{a="b} 1'],
    ['backslash at the end of a line', 'foo{a="b\\'],
    ['unquoted label value', 'foo{a=b} 1'],
    ['label without =', 'foo{a} 1'],
    ['label name starting with a digit', 'foo{1a="b"} 1'],
    ['label name with a colon', 'foo{a:b="c"} 1'],
    ['lone comma', 'foo{,} 1'],
    ['duplicate label', 'foo{a="1",a="2"} 1'],
    ['duplicate label, not in order', 'foo{b="1",a="2",b="3"} 1'],
    ['unknown type', '# TYPE foo bogus'],
    ['TYPE without a valid name', '# TYPE 1foo counter'],
    ['TYPE with extra text', '# TYPE foo counter extra'],
    ['second TYPE', '# TYPE foo counter\n# TYPE foo counter'],
    ['second HELP', '# HELP foo x\n# HELP foo y'],
    ['TYPE after samples', 'foo 1\n# TYPE foo gauge'],
    ['bucket without le', '# TYPE h histogram\nh_bucket{a="1"} 1'],
    ['le not a number', '# TYPE h histogram\nh_bucket{le="abc"} 1'],
    ['le empty', '# TYPE h histogram\nh_bucket{le=""} 1'],
    ['le repeated', '# TYPE h histogram\nh_bucket{le="1",le="2"} 1'],
    ['duplicate bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="1"} 2'],
    ['duplicate bucket out of order', '# TYPE h histogram\nh_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="2"} 2'],
    ['summary sample without quantile', '# TYPE s summary\ns{a="1"} 1'],
    ['histogram family name used bare', '# TYPE h histogram\nh 1']
  ]
  for (const [name, bad] of cases) {
    const err = parseError(good + bad + '\nafter 1\n')
    t.equal(err.code, 'RELIABILITY_ERR_METRICS_PARSE', name)
    t.equal(err.line, 2 + bad.split('\n').length, `${name}: line number`)
  }
})

t.test('a bad huge line is reported without being echoed', async (t) => {
  const err = parseError('ok 1\nfoo{a="' + 'x'.repeat(200_000) + '\n')
  t.equal(err.code, 'RELIABILITY_ERR_METRICS_PARSE')
  t.equal(err.line, 2)
  t.ok(err.message.length < 120, `short message (${err.message.length} chars)`)
  t.notMatch(err.message, /xxxx/)
})

t.test('series cap: sample lines past maxSeries throw SERIES_CAP', async (t) => {
  const text = DOCS_EXAMPLE // 20 sample lines, 15 of them histogram and summary parts
  t.equal(parseExposition(text, { maxSeries: 20 }).seriesCount, 20, 'exactly at the cap is fine')
  t.equal(parseError(text, { maxSeries: 19 }).code, 'RELIABILITY_ERR_SERIES_CAP')
  t.equal(parseError(text, { maxSeries: 0 }).code, 'RELIABILITY_ERR_SERIES_CAP')
  const many = Array.from({ length: 1000 }, (_, i) => `m{i="${i}"} ${i}`).join('\n') + '\nbroken{'
  t.equal(parseError(many, { maxSeries: 10 }).code, 'RELIABILITY_ERR_SERIES_CAP', 'stops at the cap, before later lines')
  t.equal(parseError(many).code, 'RELIABILITY_ERR_METRICS_PARSE', 'no cap by default')
})

t.test('empty input, blank lines and comments only', async (t) => {
  for (const text of ['', '\n\n', '# just a comment\n\n   \n#another\n', '  \t\n# EOF\n']) {
    const e = parseExposition(text)
    t.equal(e.seriesCount, 0)
    t.equal(e.families.size, 0)
  }
  const indented = parseExposition('  \t x 1\n  # TYPE y gauge\ny 2')
  t.equal(indented.value('x'), 1, 'leading blanks before a sample')
  t.equal(indented.family('y')?.type, 'gauge', 'leading blanks before a comment')
})

t.test('a HELP-only family with no samples is listed, typed by a later TYPE', async (t) => {
  const e = parseExposition('# HELP g the gc\n# TYPE g histogram\n')
  const g = e.families.get('g') as HistogramFamily
  t.equal(g.type, 'histogram')
  t.equal(g.help, 'the gc')
  t.equal(g.series.size, 0)
})

// Issue 9: what Prometheus 3's text and OpenMetrics parsers accept (model/textparse/promlex.l,
// openmetricslex.l, promparse.go, openmetricsparse.go at prometheus/prometheus d15adb9), each case
// written here from the grammar, not copied from their tests.
t.test('issue 9: quoted UTF-8 metric names inside the braces, anywhere in the set', async (t) => {
  const e = parseExposition([
    '# HELP "my.metric" A metric whose name has dots.',
    '# TYPE "my.metric" gauge',
    '{"my.metric",label="x"} 1',
    '{"my.metric"} 2',
    '{label="y","my.metric"} 3',
    '{ "my.metric" , "label" = "z" , } 4',
    '{"my.metric",\tb="1"\t}\t5\t1700000000000',
    '{"plain_name"} 6',
    '{"a\\"b\\\\c\\nd"} 7',
    '{"Heizöl € ©","größe"="ß"} 8'
  ].join('\n'))
  const m = scalar(e, 'my.metric')
  t.equal(m.type, 'gauge')
  t.equal(m.help, 'A metric whose name has dots.')
  t.same(m.samples, [
    { name: 'my.metric', labels: { label: 'x' }, value: 1, timestamp: undefined },
    { name: 'my.metric', labels: {}, value: 2, timestamp: undefined },
    { name: 'my.metric', labels: { label: 'y' }, value: 3, timestamp: undefined },
    { name: 'my.metric', labels: { label: 'z' }, value: 4, timestamp: undefined },
    { name: 'my.metric', labels: { b: '1' }, value: 5, timestamp: 1700000000000 }
  ])
  t.equal(e.value('plain_name'), 6, 'a quoted name that needs no quotes is the same name')
  t.equal(e.value('a"b\\c\nd'), 7, 'escapes in a quoted name are undone like those of a value')
  t.same(scalar(e, 'Heizöl € ©').samples[0].labels, { größe: 'ß' })
  t.equal(e.seriesCount, 8)
})

t.test('issue 9: a histogram with a quoted name and quoted label names', async (t) => {
  const e = parseExposition([
    '# TYPE "http.server.duration" histogram',
    '{"http.server.duration_bucket","http.method"="GET",le="0.1"} 1',
    '{le="+Inf","http.server.duration_bucket","http.method"="GET"} 3',
    '{"http.server.duration_sum","http.method"="GET"} 0.7',
    '{"http.server.duration_count", "http.method" = "GET"} 3',
    '{"http.server.duration_bucket",le="+Inf","http.method"="POST"} 1'
  ].join('\n'))
  const h = e.histogram('http.server.duration')
  t.ok(h, 'found by its UTF-8 name')
  t.same([...h!.series.values()].map((s) => s.labels), [{ 'http.method': 'GET' }, { 'http.method': 'POST' }])
  const get = h!.series.get(labelsKey({ 'http.method': 'GET' }))!
  t.same(get.buckets, [{ le: 0.1, count: 1 }, { le: Infinity, count: 3 }])
  t.equal(get.sum, 0.7)
  t.equal(get.count, 3)
  t.equal(labelsKey({ 'http.method': 'GET', a: '1' }), 'a="1","http.method"="GET"', 'a name that needs quotes is quoted in the key')
})

t.test('issue 9: quoted label names on a plain metric name; the key tells names apart however they are spelled', async (t) => {
  const e = parseExposition([
    'foo{"label.with.dots"="v"} 1',
    'foo{"a"="1"} 2',
    '# TYPE h histogram',
    'h_bucket{"x=\\"1\\",y"="2",le="1"} 1',
    'h_bucket{x="1",y="2",le="1"} 5',
    'h_bucket{"a"="1",le="+Inf"} 7',
    'h_bucket{a="1",le="1"} 6'
  ].join('\n'))
  const foo = scalar(e, 'foo')
  t.same(foo.samples.map((s) => s.labels), [{ 'label.with.dots': 'v' }, { a: '1' }])
  const h = e.histogram('h')!
  t.equal(h.series.size, 3, 'a name holding `="1",` is not the set it spells')
  t.same(h.series.get(labelsKey({ 'x="1",y': '2' }))?.buckets, [{ le: 1, count: 1 }])
  t.same(h.series.get(labelsKey({ x: '1', y: '2' }))?.buckets, [{ le: 1, count: 5 }])
  t.same(h.series.get('a="1"')?.buckets, [{ le: 1, count: 6 }, { le: Infinity, count: 7 }], '"a" and a are one name')
})

t.test('issue 9: an unknown escape in a label value keeps its backslash, and spells the same set as \\\\', async (t) => {
  const e = parseExposition([
    'foo{path="C:\\Windows\\temp",b="\\a\\\\a",q="\\"",n="x\\ny",u="\\u00e9"} 1',
    '# TYPE h histogram',
    'h_bucket{path="\\d+",le="1"} 1',
    'h_bucket{path="\\\\d+",le="+Inf"} 2',
    'h_count{path="\\d+"} 2'
  ].join('\n'))
  t.same(scalar(e, 'foo').samples[0].labels, { path: 'C:\\Windows\\temp', b: '\\a\\a', q: '"', n: 'x\ny', u: '\\u00e9' })
  const h = e.histogram('h')!
  t.equal(h.series.size, 1, '\\d and \\\\d are both backslash-d: one series')
  const s = h.series.get(labelsKey({ path: '\\d+' }))!
  t.same(s.buckets, [{ le: 1, count: 1 }, { le: Infinity, count: 2 }])
  t.equal(s.count, 2)
})

t.test('issue 9: blanks between the name and `{`, around `=` and `,`, and no comma between labels', async (t) => {
  const e = parseExposition([
    'foo {a="b"} 1',
    'foo\t{a="c"}\t2',
    'foo  { a = "d" , b\t=\t"e" , } 3',
    'foo{a="f" b="g"} 4',
    'foo{a="h"b="i"} 5',
    'foo{a="j"}6',
    '# TYPE h histogram',
    'h_bucket {le="1"} 1',
    'h_bucket  {le="+Inf"} 2',
    'h_sum 1',
    'h_count {} 2'
  ].join('\n'))
  t.same(scalar(e, 'foo').samples.map((s) => [s.labels, s.value]), [
    [{ a: 'b' }, 1], [{ a: 'c' }, 2], [{ a: 'd', b: 'e' }, 3], [{ a: 'f', b: 'g' }, 4], [{ a: 'h', b: 'i' }, 5], [{ a: 'j' }, 6]
  ])
  const h = e.histogram('h')!.series.get('')!
  t.same(h.buckets, [{ le: 1, count: 1 }, { le: Infinity, count: 2 }])
  t.equal(h.count, 2)
})

t.test('issue 9: # HELP and # TYPE as Prometheus reads them', async (t) => {
  const e = parseExposition([
    '# HELP',
    '# TYPE',
    '# HELP nohelp',
    '# HELP foo-bar x',
    '#TYPE typed_by_nobody histogram',
    '#HELP typed_by_nobody not a help line',
    '# HELP "dotted.name" its help',
    '# TYPE "dotted.name" counter',
    '#\tTYPE tabbed gauge',
    '# UNIT dotted_seconds seconds',
    'nohelp 1',
    'foo 2',
    'typed_by_nobody 3',
    '{"dotted.name_total"} 4',
    'tabbed 5'
  ].join('\n'))
  t.equal(e.families.get('nohelp')?.help, '', 'a HELP line with no text')
  t.equal(e.families.get('foo')?.help, 'bar x', 'the name ends at the first character a name cannot hold')
  t.equal(e.families.get('typed_by_nobody')?.type, 'untyped', '`#TYPE` (no blank after #) is a comment')
  t.equal(e.families.get('typed_by_nobody')?.help, '')
  t.equal(e.families.get('dotted.name')?.type, 'counter')
  t.equal(e.families.get('dotted.name')?.help, 'its help')
  t.equal(e.value('dotted.name_total'), 4)
  t.equal(e.families.get('tabbed')?.type, 'gauge', 'a tab after # separates like a space')
  t.same([...e.families.keys()], ['nohelp', 'foo', 'dotted.name', 'tabbed', 'typed_by_nobody'])
})

t.test('issue 9: OpenMetrics with UTF-8 names, exemplars and # EOF', async (t) => {
  const e = parseExposition([
    '# TYPE "rpc.calls" counter',
    '# HELP "rpc.calls" Calls made.',
    '{"rpc.calls_total","rpc.method"="Get"} 17 1520879607.789 # {trace_id="KOO5S4vxi0o"} 1 1520879607.1',
    '{"rpc.calls_created","rpc.method"="Get"} 1520872607.123',
    'plain_total 3 # {"span.id"="x"} 1',
    '# EOF'
  ].join('\n') + '\n')
  const calls = scalar(e, 'rpc.calls')
  t.equal(calls.type, 'counter')
  t.same(calls.samples[0], { name: 'rpc.calls_total', labels: { 'rpc.method': 'Get' }, value: 17, timestamp: 1520879607.789 })
  t.equal(e.value('rpc.calls_total', { 'rpc.method': 'Get' }), 17, 'found by its sample name')
  t.equal(e.sum('rpc.calls_total'), 17, '_created is not a value')
  t.equal(e.value('plain_total'), 3)
})

t.test('issue 9: what Prometheus 3 still rejects, with the line it is on', async (t) => {
  const cases: Array<[string, string]> = [
    ['labels and no metric name', '{a="ok"} 1'],
    ['a quoted name after a plain one', 'foo{"bar"} 1'],
    ['two quoted names', '{"a","b"} 1'],
    ['an empty quoted name', '{""} 1'],
    ['an empty quoted label name', 'foo{""="v"} 1'],
    ['an unterminated quoted name', '{"my.metric} 1'],
    ['a quoted name and no value', '{"my.metric"}'],
    ['a bare word in the braces', '{A} 0'],
    ['a dotted name unquoted', 'my.metric 1'],
    ['a quoted name unquoted after its TYPE', '# TYPE "my.metric" gauge\nmy.metric 1'],
    ['a quoted name and a label without =', '{"my.metric",a} 1'],
    ['a quoted label name without a value', 'foo{"a.b"} 1'],
    ['HELP, a blank and no name', '# HELP '],
    ['TYPE, a blank and no name', '# TYPE '],
    ['TYPE with a quoted name unterminated', '# TYPE "a.b counter'],
    ['TYPE with a dashed name', '# TYPE foo-bar counter'],
    ['blanks before { and no value', 'foo {a="b"}'],
    ['a brace where the value goes', 'foo 1{'],
    ['a backslash ending the line inside a value', 'foo{a="b\\'],
    ['a bucket with a quoted name and no le', '# TYPE "h.x" histogram\n{"h.x_bucket",a="1"} 1']
  ]
  for (const [name, bad] of cases) {
    const err = parseError('# HELP ok fine\nok 1\n' + bad + '\nafter 1\n')
    t.equal(err.code, 'RELIABILITY_ERR_METRICS_PARSE', name)
    t.equal(err.line, 2 + bad.split('\n').length, `${name}: line number`)
  }
})
