import t from 'tap'
import { reportTransitions, summarize } from '../../../plugin/history/report-transitions.js'
import { emptySections } from '../../../plugin/assemble-sections.js'
import { emptySetup } from '../../../plugin/report-setup.js'
import type { ReliabilityReport } from '../../../schemas/report.js'

function report (patch: Partial<ReliabilityReport> & { uptime?: number } = {}): ReliabilityReport {
  const { uptime, ...rest } = patch
  const sections = emptySections(60_000)
  if (uptime !== undefined) sections.infrastructure.uptime_s = uptime
  return {
    timestamp: '2026-01-01T00:01:00.000Z',
    overall_status: 'ok',
    health_version: 'v2',
    ...sections,
    anomalies: [],
    diagnosis: [],
    notes: [],
    sources: { metrics: { status: 'ok', duration_ms: 1, age_ms: 0 } },
    setup: emptySetup(),
    generation_time_ms: 1,
    include_traces: false,
    ...rest
  }
}

const anomaly = (code: string) => ({ code, severity: 'warning' as const, message: `${code} message`, value: 1, threshold: 0, context: {}, since: '2026-01-01T00:00:00.000Z' })
const svc = (status: 'ok' | 'down', error?: string) => ({ name: 'app:db', status, critical: false, latency_ms: 1, ...(error ? { error } : {}) })

t.test('the first report is one transition: its status, from nothing', async (t) => {
  t.same(reportTransitions(undefined, report()), [{ at: '2026-01-01T00:01:00.000Z', kind: 'status', subject: 'overall', from: null, to: 'ok', detail: 'first report' }])
})

t.test('each kind of change, once, in a stable order; nothing when nothing changed', async (t) => {
  const before = summarize(report({ anomalies: [anomaly('OLD')], services: [svc('ok')], uptime: 3600 }))
  t.same(reportTransitions(before, report({ anomalies: [anomaly('OLD')], services: [svc('ok')], uptime: 3605 })), [], 'same state: no transitions')
  const after = report({
    overall_status: 'degraded',
    anomalies: [anomaly('HIGH_CPU')],
    services: [svc('down', 'connection refused')],
    sources: { metrics: { status: 'stale', duration_ms: 1, age_ms: 5000, error: 'GET /metrics answered HTTP 500' } },
    uptime: 4
  })
  t.same(reportTransitions(before, after).map((x) => [x.kind, x.subject, x.from, x.to, x.detail]), [
    ['status', 'overall', 'ok', 'degraded', undefined],
    ['anomaly', 'HIGH_CPU', 'inactive', 'firing', 'warning: HIGH_CPU message'],
    ['anomaly', 'OLD', 'firing', 'inactive', 'warning: cleared'],
    ['source', 'metrics', 'ok', 'stale', 'GET /metrics answered HTTP 500'],
    ['service', 'app:db', 'ok', 'down', 'connection refused'],
    ['restart', 'target', '3600 s', '4 s', 'uptime went from 3600 s back to 4 s']
  ])
})

t.test('a new service is a transition only when it is not ok; a null uptime is no restart', async (t) => {
  const before = summarize(report({ uptime: 100 }))
  t.same(reportTransitions(before, report({ services: [svc('ok')] })), [], 'a new healthy check: nothing to say')
  t.same(reportTransitions(before, report({ services: [svc('down')] })).map((x) => [x.kind, x.from, x.to]), [['service', null, 'down']])
})

t.test('a restart across a gap with no uptime (the process unreachable) is still a restart', async (t) => {
  const up = summarize(report({ uptime: 3600 }))
  const gap = summarize(report({ overall_status: 'down' }), up)
  t.equal(gap.uptimeS, 3600, 'the last uptime known is kept')
  t.same(reportTransitions(gap, report({ uptime: 3 })).map((x) => [x.kind, x.from, x.to]), [['status', 'down', 'ok'], ['restart', '3600 s', '3 s']])
})
