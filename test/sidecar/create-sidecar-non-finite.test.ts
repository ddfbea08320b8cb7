// Issue 8, item 1, end to end: the app next door (a real HTTP server on 127.0.0.1:0, prom-client
// metrics) starts writing one non-finite value; the sidecar's report route answered 500 with the
// canned "down" body while /health said pass and /metrics said ok. Now the report stays a 200 with
// that figure null and a note, the three answers agree, nothing is logged at error, and once the
// app is fixed the full report comes back. Every figure and value is in non-finite-values.test.ts.
import t from 'tap'
import { REPORT, noCrash, startHarness } from '../helpers/fake-app.js'
import { waitFor } from '../helpers/wait-for.js'
import type { ReliabilityReport } from '../../schemas/report.js'

const replaceLine = (prefix: string, value: string) => (text: string) =>
  text.split('\n').map((l) => l.startsWith(prefix + ' ') ? `${prefix} ${value}` : l).join('\n')

const full = (r: ReliabilityReport) =>
  r.performance.cpu_percent !== null && r.infrastructure.memory.rss_bytes !== null &&
  r.performance.request_latency_ms.p95 !== null && r.performance.requests_per_s !== null && r.cache.hits !== null

const cases = [
  { name: 'process_resident_memory_bytes NaN', mutate: replaceLine('process_resident_memory_bytes', 'NaN'), metric: 'process_resident_memory_bytes', figure: (r: ReliabilityReport) => r.infrastructure.memory.rss_bytes },
  { name: 'process_cpu_seconds_total +Inf', mutate: replaceLine('process_cpu_seconds_total', '+Inf'), metric: 'process_cpu_seconds_total', figure: (r: ReliabilityReport) => r.performance.cpu_percent },
  { name: 'process_cpu_seconds_total 1e308', mutate: replaceLine('process_cpu_seconds_total', '1e308'), metric: 'process_cpu_seconds_total', figure: (r: ReliabilityReport) => r.performance.cpu_percent },
  { name: 'cache_hits_total 1e308', mutate: replaceLine('cache_hits_total', '1e308'), metric: 'cache_hits_total', figure: (r: ReliabilityReport) => r.cache.hit_rate },
  {
    name: 'a histogram bucket at NaN',
    mutate: replaceLine('http_request_duration_seconds_bucket{le="0.1",method="GET",route="/",status_code="200"}', 'NaN'),
    metric: 'http_request_duration_seconds',
    figure: (r: ReliabilityReport) => r.performance.request_latency_ms.p95
  }
]

for (const c of cases) {
  t.test(`the app writes ${c.name}: a 200 report with the figure null and a note; fixed, the full report`, async (t) => {
    const h = await startHarness(t)
    await h.waitReport('a full report', full)

    h.setMutate(c.mutate)
    const noted = (r: ReliabilityReport) => r.notes.some((n) => n.startsWith(`metrics: ${c.metric} `))
    const bad = await h.waitReport(`a note about ${c.metric}`, noted)
    t.equal(c.figure(bad), null, 'the figure is null')
    t.equal(bad.sources.metrics.status, 'ok', 'the scrape itself is fine')

    // The three answers from one report: a poll may land between the reads, so read until the
    // report is the same generation before and after them.
    const seen = await waitFor('three answers from one report', async () => {
      const before = await h.sidecar.app.inject({ method: 'GET', url: REPORT })
      if (before.statusCode !== 200) throw new Error(`report route answered ${before.statusCode}`)
      const report = before.json() as ReliabilityReport
      const health = await h.get('/health')
      const own = await h.ownMetric(`reliability_overall_status{status="${report.overall_status}"}`)
      const after = await h.report()
      return after.timestamp === report.timestamp ? { status: report.overall_status, health, own } : undefined
    })
    t.equal(seen.health.statusCode, seen.status === 'down' ? 503 : 200)
    t.same(JSON.parse(seen.health.body), { status: seen.status === 'ok' ? 'pass' : seen.status === 'degraded' ? 'warn' : 'fail' }, '/health agrees')
    t.equal(seen.own, 1, '/metrics agrees')
    t.same(h.lines.filter((l) => (l.level as number) >= 50), [], 'nothing logged at error')

    h.setMutate(undefined)
    const fixed = await h.waitReport('the full report again', (r) => full(r) && !noted(r))
    t.not(c.figure(fixed), null)
    noCrash(t, h)
  })
}
