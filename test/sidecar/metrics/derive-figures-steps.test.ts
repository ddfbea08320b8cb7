// The metrics source computes each scrape's step once and drops older label sets (B7 of
// BENCHMARKS.md); the figures it reports must be exactly those derived from the full scrapes of its
// window. The scrapes are fed to the real source's handler, as the poller would.
import t from 'tap'
import { Counter, Histogram, Registry } from 'prom-client'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'
import { digestScrape, type ScrapeDigest } from '../../../sidecar/metrics/scrape-digest.js'
import { deriveFigures } from '../../../sidecar/metrics/derive-figures.js'
import { createMetricsSource } from '../../../sidecar/sources/metrics-source.js'
import { defaultMetricNames as names } from '../../helpers/default-metric-names.js'
import { silentLog } from '../../helpers/silent-log.js'

const T0 = 1_000_000
const EVERY = 1000

// windowMs: how many of the six scrapes the source keeps (the last `kept`, the oldest a rate baseline).
const cases = [
  { name: 'a window holding every scrape', windowMs: 60_000, kept: 6 },
  { name: 'a window holding the last four', windowMs: 2500, kept: 4 }
]

for (const c of cases) {
  t.test(`steps computed once per scrape give the figures of the full scrapes: ${c.name}`, async (t) => {
    const register = new Registry()
    const cpu = new Counter({ name: 'process_cpu_seconds_total', help: 'h', registers: [register] })
    const hits = new Counter({ name: 'cache_hits_total', help: 'h', registers: [register] })
    const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['route', 'status_code'], buckets: [0.01, 0.1, 1], registers: [register] })
    const now = T0 + 6 * EVERY
    const { handler, source } = createMetricsSource({ path: '/metrics', intervalMs: EVERY, windowMs: c.windowMs, maxSeries: 10_000, names, now: () => now })
    const full: ScrapeDigest[] = []
    for (let i = 0; i < 6; i++) {
      cpu.inc(0.25 * (i + 1))
      hits.inc(i * 3)
      for (let n = 0; n <= i * 5; n++) duration.observe({ route: `/r${n % 4}`, status_code: n % 7 === 0 ? '500' : '200' }, (n % 10) / 50)
      const body = await register.metrics()
      const at = T0 + i * EVERY
      full.push(digestScrape(parseExposition(body), names, at))
      const failure = handler.onResult({ at, durationMs: 1, answer: { statusCode: 200, contentType: 'text/plain', body, lines: body.split(/(?<=\n)/), durationMs: 1 } })
      t.equal(failure, undefined, `scrape ${i} read`)
    }
    const expected = deriveFigures(full.slice(-c.kept), now)
    const { provenance, notes, setup, ...figures } = await source.collect({ now: () => now, signal: new AbortController().signal, log: silentLog() })
    t.same(provenance, { status: 'ok', ageMs: EVERY })
    const { notes: expectedNotes, ...expectedFigures } = expected
    t.same(figures, expectedFigures)
    t.same(notes, expectedNotes ?? [])
    t.ok((expected.performance?.request_latency_ms?.count ?? 0) > 0, 'the window had requests')
    t.ok((expected.performance?.cpu_percent ?? 0) > 0, 'and CPU')
    if (c.kept < full.length) t.notSame(deriveFigures(full.slice(-c.kept - 1), now).performance, expected.performance, 'one scrape more would change the figures')
  })
}
