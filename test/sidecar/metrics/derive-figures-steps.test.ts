// The metrics source computes each scrape's step once and drops older label sets (B7 of
// BENCHMARKS.md); the figures must be exactly those derived from the full scrapes.
import t from 'tap'
import { Counter, Histogram, Registry } from 'prom-client'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'
import { digestScrape, type ScrapeDigest } from '../../../sidecar/metrics/scrape-digest.js'
import { defaultMetricNames } from '../../helpers/default-metric-names.js'
import { deriveFigures, stepBetween } from '../../../sidecar/metrics/derive-figures.js'

const names = defaultMetricNames

t.test('precomputed steps with older label sets dropped give the same figures', async (t) => {
  const register = new Registry()
  const cpu = new Counter({ name: 'process_cpu_seconds_total', help: 'h', registers: [register] })
  const hits = new Counter({ name: 'cache_hits_total', help: 'h', registers: [register] })
  const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['route', 'status_code'], buckets: [0.01, 0.1, 1], registers: [register] })
  const full: ScrapeDigest[] = []
  const incremental: ScrapeDigest[] = []
  for (let i = 0; i < 6; i++) {
    cpu.inc(0.25 * (i + 1))
    hits.inc(i * 3)
    for (let n = 0; n <= i * 5; n++) duration.observe({ route: `/r${n % 4}`, status_code: n % 7 === 0 ? '500' : '200' }, (n % 10) / 50)
    const digest = digestScrape(parseExposition(await register.metrics()), names, 1_000_000 + i * 1000)
    full.push(digest)
    const previous = incremental.at(-1)
    if (previous !== undefined) incremental[incremental.length - 1] = { ...previous, requests: undefined }
    incremental.push(previous === undefined ? digest : { ...digest, step: stepBetween(full[i - 1], digest) })
  }
  const now = 1_006_000
  const expected = deriveFigures(full, now)
  t.same(deriveFigures(incremental, now), expected)
  t.ok((expected.performance?.request_latency_ms?.count ?? 0) > 0, 'the window had requests')
  t.ok((expected.performance?.cpu_percent ?? 0) > 0, 'and CPU')
  t.equal(incremental.slice(0, -1).every((d) => d.requests === undefined), true, 'older scrapes keep no label sets')
})
