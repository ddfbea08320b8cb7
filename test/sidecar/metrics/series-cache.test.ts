// The parser's series cache (issue 4, B6): a scrape whose lines repeat the previous scrape's names
// and labels is answered from the cache, reading only values, and always reads exactly as a fresh
// parse does. Real prom-client output, plus the cases where the previous scrape's understanding of
// a line no longer holds.
import t from 'tap'
import type { Test } from 'tap'
import client from 'prom-client'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'
import { detached, SeriesCache } from '../../../sidecar/metrics/series-cache.js'
import { dumpExposition } from '../../helpers/dump-exposition.js'
import type { ScalarFamily } from '../../../sidecar/metrics/exposition.js'

function appRegistry () {
  const register = new client.Registry()
  client.collectDefaultMetrics({ register })
  const histogram = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'request duration',
    labelNames: ['method', 'route', 'status_code'],
    registers: [register]
  })
  const hits = new client.Counter({ name: 'cache_hits_total', help: 'hits', labelNames: ['tier'], registers: [register] })
  return { register, histogram, hits }
}

/** Both parses of `text`, with the cache and without: the same dump, or the same coded error. */
function sameOutcome (t: Test, text: string, cache: SeriesCache, what: string): void {
  const run = (c?: SeriesCache): string => {
    try {
      return dumpExposition(parseExposition(text, { cache: c }))
    } catch (err) {
      return `${(err as { code?: string }).code}: ${(err as Error).message}`
    }
  }
  t.equal(run(cache), run(), `${what}: with the cache as without`)
}

/** Parses with the cache and checks the result against a fresh parse of the same text. */
function both (t: Test, text: string, cache: SeriesCache, what: string) {
  const cached = parseExposition(text, { cache })
  t.equal(dumpExposition(cached), dumpExposition(parseExposition(text)), `${what}: reads as a fresh parse does`)
  return cached
}

t.test('a later prom-client scrape with the same series: every line from the cache, values new', async (t) => {
  const { register, histogram, hits } = appRegistry()
  for (let i = 0; i < 20; i++) histogram.observe({ method: 'GET', route: `/r${i % 5}`, status_code: '200' }, i / 100)
  hits.inc({ tier: 'l1' }, 3)
  const cache = new SeriesCache()
  const first = both(t, await register.metrics(), cache, 'first scrape')
  t.equal(cache.hits, 0, 'the first scrape has nothing to reuse')
  t.equal(cache.misses, first.seriesCount, 'every line read in full')

  for (let i = 0; i < 20; i++) histogram.observe({ method: 'GET', route: `/r${i % 5}`, status_code: '200' }, 2)
  hits.inc({ tier: 'l1' }, 4)
  const second = both(t, await register.metrics(), cache, 'second scrape')
  // prom-client's default metrics move between scrapes (CPU, heap, handles), and some of their
  // label sets may too: nearly every line, not necessarily all, repeats.
  t.ok(cache.hits >= second.seriesCount - 10, `${cache.hits} of ${second.seriesCount} lines from the cache`)
  t.equal(cache.hits + cache.misses, second.seriesCount, 'each line counted once')
  t.equal(second.value('cache_hits_total', { tier: 'l1' }), 7, 'a counter read from the cache has its new value')
  const series = second.histogram('http_request_duration_seconds')!.series
  t.equal(series.size, 5, 'five label sets')
  t.equal([...series.values()].reduce((sum, s) => sum + s.count, 0), 40, 'counts are this scrape\'s')
})

t.test('a label set new in the middle: later lines are read in full, and it reads as a fresh parse', async (t) => {
  const { register, histogram } = appRegistry()
  histogram.observe({ method: 'GET', route: '/a', status_code: '200' }, 0.1)
  histogram.observe({ method: 'GET', route: '/c', status_code: '200' }, 0.1)
  const cache = new SeriesCache()
  both(t, await register.metrics(), cache, 'before')
  histogram.observe({ method: 'GET', route: '/b', status_code: '500' }, 0.1)
  const after = both(t, await register.metrics(), cache, 'after')
  t.ok(cache.misses >= 14, `the new series and the lines it shifted were read in full (${cache.misses})`)
  t.equal(after.histogram('http_request_duration_seconds')!.series.size, 3, 'three label sets')
  both(t, await register.metrics(), cache, 'the scrape after that')
  t.ok(cache.hits >= after.seriesCount - 10, 'and the next scrape is answered from the cache again')
})

t.test('a line whose family changed since: read in full, never put in the old family', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['a type changed', '# TYPE x gauge\nx{a="1"} 1\n', '# TYPE x counter\nx{a="1"} 2\n'],
    ['a gauge family now shadows the counter', '# TYPE foo counter\nfoo_total 1\n', '# TYPE foo counter\n# TYPE foo_total gauge\nfoo_total 2\n'],
    ['the counter family now comes first', '# TYPE foo_total gauge\nfoo_total 1\n', '# TYPE foo counter\nfoo_total 2\n'],
    ['its TYPE line is gone', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\n', 'h_bucket{le="1"} 1\nh_sum 1\n'],
    ['a summary where a histogram was', '# TYPE h histogram\nh_sum 1\nh_count 1\n', '# TYPE h summary\nh_sum 1\nh_count 1\n'],
    ['an untyped family reused', 'u{a="1"} 1\nu{a="2"} 2\n', 'u{a="1"} 3\nu{a="2"} 4\n']
  ]
  for (const [what, before, after] of cases) {
    const cache = new SeriesCache()
    both(t, before, cache, `${what}, before`)
    both(t, after, cache, `${what}, after`)
  }
  t.end()
})

t.test('regressions found in review: a key holding `le` or `quantile`, and one label set in two orders', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['a _sum with an le label before a bucket line repeating it',
      '# TYPE h histogram\nh_sum{le="1"} 1\nh_bucket{le="2",le="1"} 2\n',
      '# TYPE h histogram\nh_sum{a="1"} 1\nh_bucket{le="2",le="1"} 2\n'],
    ['the same with quantile in a summary',
      '# TYPE s summary\ns_sum{quantile="1"} 1\ns{quantile="0.5",quantile="1"} 2\n',
      '# TYPE s summary\ns_sum{a="1"} 1\ns{quantile="0.5",quantile="1"} 2\n'],
    ['one series written b,a then a,b',
      '# TYPE h histogram\nh_bucket{b="1",a="2",le="1"} 1\nh_bucket{a="2",b="1",le="+Inf"} 2\n',
      '# TYPE h histogram\nh_bucket{c="1",le="1"} 1\nh_bucket{a="2",b="1",le="+Inf"} 2\n']
  ]
  for (const [what, before, after] of cases) {
    const cache = new SeriesCache()
    sameOutcome(t, before, cache, `${what}, before`)
    sameOutcome(t, after, cache, `${what}, after`)
  }
  // Without any cache, a label repeated under the set-apart name is refused, as `read` refuses it.
  t.throws(() => parseExposition('# TYPE h histogram\nh_sum{le="1"} 1\nh_bucket{le="2",le="1"} 2\n'),
    { code: 'RELIABILITY_ERR_METRICS_PARSE' }, 'a duplicate le is refused after a _sum that has one')
  t.same(Object.keys((parseExposition('x{b="1",a="2"} 1').family('x') as ScalarFamily).samples[0].labels), ['a', 'b'], 'labels in name order')
  t.end()
})

t.test('issue 9: quoted names, blanks before `{` and unknown escapes read from the cache as afresh', async (t) => {
  const cases: Array<[string, string, string]> = [
    // The old line's name and a blank are all a cache entry checks: here labels follow the blank.
    ['labels now after a blank where the value was', '# TYPE foo gauge\nfoo 1\n', '# TYPE foo gauge\nfoo {a="b"} 2\n'],
    ['the same in an untyped family', 'foo{a="c"} 0\nfoo 1\n', 'foo{a="c"} 0\nfoo {a="b"} 2\n'],
    ['a histogram named in quotes',
      '# TYPE "h.x" histogram\n{"h.x_bucket",le="1","a.b"="1"} 1\n{"h.x_bucket",le="+Inf","a.b"="1"} 2\n{"h.x_count","a.b"="1"} 2\n',
      '# TYPE "h.x" histogram\n{"h.x_bucket",le="1","a.b"="1"} 3\n{"h.x_bucket",le="+Inf","a.b"="1"} 4\n{"h.x_count","a.b"="1"} 4\n'],
    ['a quoted name then the same name bare',
      '{"plain"} 1\nplain 2\nplain_x 3\n', '{"plain"} 4\nplain 5\nplain_x 6\n'],
    ['a family named in quotes, then its name written bare', '# TYPE "a.b" gauge\n{"a.b"} 1\n', '# TYPE "a.b" gauge\n{"a.b"} 1\na.b 2\n'],
    ['one series spelled with \\d and \\\\d',
      '# TYPE h histogram\nh_bucket{p="\\d",le="1"} 1\nh_bucket{p="\\\\d",le="+Inf"} 2\n',
      '# TYPE h histogram\nh_bucket{p="\\\\d",le="1"} 1\nh_bucket{p="\\d",le="+Inf"} 2\n'],
    ['blanks before { on bucket lines', '# TYPE h histogram\nh_bucket {le="1"} 1\nh_bucket\t{le="+Inf"} 2\n',
      '# TYPE h histogram\nh_bucket {le="1"} 3\nh_bucket {le="+Inf"} 4\n']
  ]
  for (const [what, before, after] of cases) {
    const cache = new SeriesCache()
    sameOutcome(t, before, cache, `${what}, before`)
    sameOutcome(t, after, cache, `${what}, after`)
    sameOutcome(t, after, cache, `${what}, again`)
  }
  const cache = new SeriesCache()
  const text = '# TYPE "h.x" histogram\n{"h.x_bucket",le="1"} 1\n{"h.x_bucket",le="+Inf"} 2\n{"h.x_count"} 2\n'
  both(t, text, cache, 'quoted names, first')
  const again = both(t, text.replaceAll('} 2', '} 7'), cache, 'quoted names, next')
  t.equal(cache.hits, 3, 'lines with quoted names are answered from the cache too')
  t.equal(again.histogram('h.x')?.series.get('')?.count, 7)
  t.end()
})

t.test('a scrape that fails to parse leaves a cache that still answers only what it matches', async (t) => {
  const text = '# TYPE h histogram\nh_bucket{le="1",route="/a"} 1\nh_bucket{le="+Inf",route="/a"} 2\nh_count{route="/a"} 2\n'
  const cache = new SeriesCache()
  both(t, text, cache, 'first')
  t.throws(() => parseExposition(text.replace('h_count{route="/a"} 2', 'h_count{route="/a"} two'), { cache }),
    { code: 'RELIABILITY_ERR_METRICS_PARSE' }, 'a bad value fails the parse')
  both(t, text.replaceAll('} 2', '} 5'), cache, 'next')
  t.equal(cache.hits, 3, 'every line of the next scrape is still answered from it')
  both(t, '# TYPE h histogram\nh_bucket{le="1",route="/b"} 1\n', cache, 'a scrape with other series')
  t.equal(cache.hits, 0, 'nothing it does not match')
  t.end()
})

// That the copy shares no memory with the scrape cannot be seen from JavaScript (a heap snapshot
// would show it); what can fail here is the copy's content.
t.test('detached strings read exactly as the slices they copy', async (t) => {
  const text = 'x'.repeat(100) + 'http_request_duration_seconds'
  const slice = text.slice(100)
  t.equal(detached(slice), slice, 'the same characters')
  t.equal(detached('short'), 'short', 'short strings as they are')
  t.end()
})
