import t from 'tap'
import client from 'prom-client'
import { deltaBuckets, histogramQuantile, locatedQuantile, sumBuckets } from '../../../sidecar/metrics/histogram-quantile.js'
import type { Bucket } from '../../../sidecar/metrics/histogram-quantile.js'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'

const b = (pairs: Array<[number, number]>): Bucket[] => pairs.map(([le, count]) => ({ le, count }))
/** Float equality to 1e-12: interpolation like 1 + 5 / 9 is not exact in binary. */
const near = (actual: number, expected: number): boolean => Math.abs(actual - expected) < 1e-12

// 100 observations: 10 ≤ 0.1, 50 in (0.1, 0.5], 30 in (0.5, 1], 9 in (1, 2], 1 above 2.
const layout = b([[0.1, 10], [0.5, 60], [1, 90], [2, 99], [Infinity, 100]])

t.test('histogramQuantile matches hand calculations of Prometheus bucketQuantile', async (t) => {
  const cases: Array<[string, number, number]> = [
    // rank 50 → bucket (0.1, 0.5]: 0.1 + 0.4 * (50 - 10) / (60 - 10)
    ['p50', 0.5, 0.42],
    // rank 95 → bucket (1, 2]: 1 + 1 * (95 - 90) / (99 - 90)
    ['p95', 0.95, 1 + 5 / 9],
    // rank 99 → bucket (1, 2] reached exactly: 1 + 1 * 9 / 9
    ['p99', 0.99, 2],
    // rank 5 → lowest bucket, interpolated from 0: 0.1 * 5 / 10
    ['p5', 0.05, 0.05],
    ['q=0', 0, 0],
    // rank 99.9 → +Inf bucket: the upper bound of the second-highest bucket
    ['p99.9 in the +Inf bucket', 0.999, 2],
    ['q=1 in the +Inf bucket', 1, 2]
  ]
  for (const [name, q, expected] of cases) t.ok(near(histogramQuantile(q, layout), expected), name)
})

t.test('histogramQuantile special cases', async (t) => {
  t.equal(histogramQuantile(-0.1, layout), -Infinity, 'q < 0 → -Inf')
  t.equal(histogramQuantile(1.1, layout), Infinity, 'q > 1 → +Inf')
  t.ok(Number.isNaN(histogramQuantile(NaN, layout)), 'q NaN → NaN')
  t.ok(Number.isNaN(histogramQuantile(0.5, [])), 'no buckets → NaN')
  t.ok(Number.isNaN(histogramQuantile(0.5, b([[0.1, 1], [1, 2]]))), 'no +Inf bucket → NaN')
  t.ok(Number.isNaN(histogramQuantile(0.5, b([[Infinity, 5]]))), 'fewer than 2 buckets → NaN')
  t.ok(Number.isNaN(histogramQuantile(0.5, b([[0.1, 0], [1, 0], [Infinity, 0]]))), 'no observations → NaN, never 0')
  t.equal(histogramQuantile(0.25, b([[-0.5, 4], [1, 8], [Infinity, 8]])), -0.5,
    'lowest bucket bound <= 0 is returned as is, not interpolated from 0')
})

t.test('histogramQuantile sorts, coalesces and leaves its input alone', async (t) => {
  const shuffled = b([[1, 90], [Infinity, 100], [0.1, 10], [2, 99], [0.5, 60]])
  const copy = structuredClone(shuffled)
  t.ok(near(histogramQuantile(0.5, shuffled), 0.42), 'unsorted input')
  t.same(shuffled, copy, 'input not mutated')
  // Two 0.5 buckets add up to 5: rank 5 → 0.5 * 5 / 5. Without coalescing it would be 0.6875.
  t.equal(histogramQuantile(0.5, b([[0.5, 3], [0.5, 2], [1, 10], [Infinity, 10]])), 0.5)
})

t.test('histogramQuantile forces non-monotonic counts monotonic, as Prometheus does', async (t) => {
  // [4, 12, 8, 16, 16] becomes [4, 12, 12, 16, 16].
  const broken = b([[0.1, 4], [0.5, 12], [1, 8], [2, 16], [Infinity, 16]])
  // p75: rank 12 → (0.1, 0.5] fully: 0.5. On the raw counts the search would land in (1, 2]: 1.5.
  t.equal(histogramQuantile(0.75, broken), 0.5)
  // p90: rank 14.4 → (1, 2]: 1 + (14.4 - 12) / (16 - 12)
  t.ok(near(histogramQuantile(0.9, broken), 1.6), 'p90')
})

t.test('deltaBuckets: the window between two scrapes', async (t) => {
  const previous = b([[0.1, 5], [1, 8], [Infinity, 9]])
  const current = b([[0.1, 7], [1, 12], [Infinity, 15]])
  t.same(deltaBuckets(current, previous), b([[0.1, 2], [1, 4], [Infinity, 6]]))
  t.same(current, b([[0.1, 7], [1, 12], [Infinity, 15]]), 'current not mutated')
  t.same(deltaBuckets(b([[0.1, 1], [1, 2], [Infinity, 3]]), previous), b([[0.1, 1], [1, 2], [Infinity, 3]]),
    'a count going down is a reset: current as is')
  t.same(deltaBuckets(b([[0.1, 6], [1, 8], [Infinity, 20]]), previous), b([[0.1, 1], [1, 0], [Infinity, 11]]),
    'an unchanged bucket is 0, not a reset')
  t.same(deltaBuckets(b([[0.2, 9], [Infinity, 10]]), previous), b([[0.2, 9], [Infinity, 10]]),
    'a changed layout (a restart) is a reset')
  t.same(deltaBuckets(current, undefined), current, 'no previous scrape: everything is new')
  t.not(deltaBuckets(current, undefined), current, 'a copy, not the same array')
})

t.test('sumBuckets: per le across label sets', async (t) => {
  t.same(sumBuckets([]), [])
  t.same(sumBuckets([b([[0.1, 1], [Infinity, 2]]), b([[0.1, 3], [Infinity, 5]])]), b([[0.1, 4], [Infinity, 7]]))
  // Different layouts: the union of bounds, a missing bound contributing nothing (sum by (le)).
  const a = b([[0.1, 2], [1, 4], [Infinity, 4]])
  const c = b([[0.5, 1], [Infinity, 2]])
  const summed = sumBuckets([a, c])
  t.same(summed, b([[0.1, 2], [0.5, 1], [1, 4], [Infinity, 6]]))
  // Prometheus on that: monotonic [2, 2, 4, 6]; p50 rank 3 → (0.5, 1]: 0.5 + 0.5 * (3 - 2) / (4 - 2)
  t.equal(histogramQuantile(0.5, summed), 0.75)
  t.same(a, b([[0.1, 2], [1, 4], [Infinity, 4]]), 'inputs not mutated')
})

t.test('p95 over a window of a labelled prom-client histogram: delta, summed across label sets', async (t) => {
  const register = new client.Registry()
  const histogram = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request duration',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.1, 0.25, 0.5, 1],
    registers: [register]
  })
  const get = { method: 'GET', route: '/a', status_code: '200' }
  const post = { method: 'POST', route: '/b', status_code: '201' }
  const fail = { method: 'GET', route: '/c', status_code: '500' }
  // Before the window: slow requests that must not count.
  for (let i = 0; i < 50; i++) histogram.observe(get, 3)
  for (let i = 0; i < 50; i++) histogram.observe(post, 0.9)
  const first = parseExposition(await register.metrics())

  // The window: 10 fast GETs, 6 POSTs at 0.3 s, and 4 failures at 0.7 s from a label set new in it.
  for (let i = 0; i < 10; i++) histogram.observe(get, 0.05)
  for (let i = 0; i < 6; i++) histogram.observe(post, 0.3)
  for (let i = 0; i < 4; i++) histogram.observe(fail, 0.7)
  const second = parseExposition(await register.metrics())

  const before = first.histogram('http_request_duration_seconds')!
  const after = second.histogram('http_request_duration_seconds')!
  t.equal(after.series.size, 3, 'three label sets, three series')
  const deltas = [...after.series.values()].map(s => deltaBuckets(s.buckets, before.series.get(s.key)?.buckets))
  const window = sumBuckets(deltas)
  t.same(window, b([[0.1, 10], [0.25, 10], [0.5, 16], [1, 20], [Infinity, 20]]))
  // rank 19 → (0.5, 1]: 0.5 + 0.5 * (19 - 16) / (20 - 16)
  t.equal(histogramQuantile(0.95, window), 0.875)
  // rank 10 → lowest bucket, full: 0.1 * 10 / 10
  t.equal(histogramQuantile(0.5, window), 0.1)
  t.ok(near(histogramQuantile(0.99, window), 0.975), 'p99')
  // Without the delta the old slow requests dominate: p95 lands in +Inf and reads 1.
  t.equal(histogramQuantile(0.95, sumBuckets([...after.series.values()].map(s => s.buckets))), 1)
})

t.test('a histogram reset between two scrapes counts what came after it', async (t) => {
  const register = new client.Registry()
  const histogram = new client.Histogram({ name: 'h', help: 'h', buckets: [1], registers: [register] })
  for (let i = 0; i < 9; i++) histogram.observe(2)
  const before = parseExposition(await register.metrics()).histogram('h')!.series.get('')!
  histogram.reset()
  histogram.observe(0.5)
  const after = parseExposition(await register.metrics()).histogram('h')!.series.get('')!
  const delta = deltaBuckets(after.buckets, before.buckets)
  t.same(delta, b([[1, 1], [Infinity, 1]]))
  t.equal(histogramQuantile(0.5, delta), 0.5)
})

t.test('locatedQuantile: Prometheus\'s value, and whether only a bound is known (issue 9)', async (t) => {
  const cases: Array<{ name: string, q: number, buckets: Bucket[], value: number, bound: unknown }> = [
    // The Prometheus server's p50 inside its 0.1 s bucket: interpolated from 0, not measured.
    { name: 'rank in the lowest bucket', q: 0.5, buckets: b([[0.1, 100], [0.2, 100], [Infinity, 100]]), value: 0.05, bound: { in: 'lowest', le: 0.1 } },
    { name: 'lowest bucket with a bound at 0 answers the bound', q: 0.5, buckets: b([[0, 10], [1, 20], [Infinity, 20]]), value: 0, bound: { in: 'lowest', le: 0 } },
    // Value kept as Prometheus gives it, so a rule on p95 still fires on a +Inf-bucket p95.
    { name: 'rank in the +Inf bucket answers the highest finite bound', q: 0.95, buckets: b([[0.5, 80], [1, 90], [Infinity, 100]]), value: 1, bound: { in: '+Inf', le: 1 } },
    { name: 'rank in an inner bucket is a measurement', q: 0.5, buckets: b([[0.1, 10], [0.2, 90], [Infinity, 100]]), value: 0.15, bound: undefined },
    { name: 'no observations: NaN, no bound', q: 0.5, buckets: b([[0.1, 0], [Infinity, 0]]), value: NaN, bound: undefined }
  ]
  for (const c of cases) {
    const got = locatedQuantile(c.q, c.buckets)
    t.ok(Object.is(got.value, c.value) || near(got.value, c.value), `${c.name}: value ${got.value}`)
    t.same(got.bound, c.bound, `${c.name}: bound`)
    t.ok(Object.is(histogramQuantile(c.q, c.buckets), got.value), `${c.name}: histogramQuantile agrees`)
  }
})
