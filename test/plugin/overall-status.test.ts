import t from 'tap'
import { overallStatus } from '../../plugin/overall-status.js'
import type { Anomaly, ServiceStatus, Severity, SourceState, SourceStatus, Status } from '../../schemas/report.js'

const anomaly = (severity: Severity): Anomaly => ({
  code: `A_${severity.toUpperCase()}`,
  severity,
  message: `a ${severity} anomaly`,
  value: 1,
  threshold: 0,
  context: {},
  since: '2026-01-01T00:00:00.000Z'
})
const service = (status: Status, critical: boolean): ServiceStatus => ({
  name: `${critical ? 'critical' : 'optional'}-${status}`, status, critical, latency_ms: 1
})
const sources = (...states: SourceState[]): Record<string, SourceStatus> =>
  Object.fromEntries(states.map((status, i) => [`s${i}`, { status, duration_ms: 1, age_ms: 0 }]))

interface Case {
  name: string
  anomalies?: Anomaly[]
  services?: ServiceStatus[]
  sources?: Record<string, SourceStatus>
  expected: Status
}

// SPEC §4, row by row, then the combinations where one row must win over another.
const cases: Case[] = [
  { name: 'nothing at all', expected: 'ok' },
  { name: 'every source ok, every service ok', services: [service('ok', true), service('ok', false)], sources: sources('ok', 'ok'), expected: 'ok' },
  { name: 'critical anomaly', anomalies: [anomaly('critical')], expected: 'down' },
  { name: 'critical service down', services: [service('down', true)], expected: 'down' },
  { name: 'non-critical service down', services: [service('down', false)], expected: 'degraded' },
  { name: 'critical service degraded', services: [service('degraded', true)], expected: 'degraded' },
  { name: 'non-critical service degraded', services: [service('degraded', false)], expected: 'degraded' },
  { name: 'warning anomaly', anomalies: [anomaly('warning')], expected: 'degraded' },
  { name: 'info anomaly alone', anomalies: [anomaly('info')], expected: 'ok' },
  { name: 'many info anomalies', anomalies: [anomaly('info'), anomaly('info'), anomaly('info')], expected: 'ok' },
  { name: 'source error', sources: sources('ok', 'error'), expected: 'degraded' },
  { name: 'source timeout', sources: sources('timeout'), expected: 'degraded' },
  { name: 'source stale', sources: sources('stale', 'ok'), expected: 'degraded' },
  { name: 'source unconfigured', sources: sources('unconfigured', 'unconfigured'), expected: 'ok' },
  // combinations
  { name: 'info anomaly with a warning anomaly', anomalies: [anomaly('info'), anomaly('warning')], expected: 'degraded' },
  { name: 'warning then critical anomaly', anomalies: [anomaly('warning'), anomaly('critical')], expected: 'down' },
  { name: 'critical anomaly beats healthy everything', anomalies: [anomaly('critical')], services: [service('ok', true)], sources: sources('ok'), expected: 'down' },
  { name: 'critical service down beats warning anomaly', anomalies: [anomaly('warning')], services: [service('ok', false), service('down', true)], expected: 'down' },
  { name: 'critical service down beats source errors', services: [service('down', true)], sources: sources('error', 'timeout'), expected: 'down' },
  { name: 'non-critical down with a critical ok', services: [service('ok', true), service('down', false)], expected: 'degraded' },
  { name: 'info anomaly with a source timeout', anomalies: [anomaly('info')], sources: sources('timeout'), expected: 'degraded' },
  { name: 'info anomaly with unconfigured sources', anomalies: [anomaly('info')], sources: sources('unconfigured', 'ok'), expected: 'ok' },
  { name: 'unconfigured next to an error', sources: sources('unconfigured', 'error'), expected: 'degraded' }
]

for (const c of cases) {
  t.equal(overallStatus(c.anomalies ?? [], c.services ?? [], c.sources ?? {}), c.expected, c.name)
}
