// What changed from one report to the next, as transitions (SPEC §9): the overall status, an
// anomaly firing or cleared, a source or a service changing state, the watched process restarting
// (its uptime went backwards). Only what is needed to compare is kept of the previous report.
import type { ReliabilityReport } from '../../schemas/report.js'
import type { Transition } from '../../schemas/history.js'

export interface ReportSummary {
  readonly status: ReliabilityReport['overall_status']
  readonly anomalies: ReadonlyMap<string, string>
  readonly sources: ReadonlyMap<string, string>
  readonly services: ReadonlyMap<string, string>
  readonly uptimeS: number | null
}

/**
 * What a later report is compared with. The uptime is the last one known: while the watched
 * process is unreachable (a restart's gap) the report has none, and the restart must still show
 * when it answers again.
 */
export function summarize (report: ReliabilityReport, before?: ReportSummary): ReportSummary {
  return {
    status: report.overall_status,
    anomalies: new Map(report.anomalies.map((a) => [a.code, a.severity])),
    sources: new Map(Object.entries(report.sources).map(([name, s]) => [name, s.status])),
    services: new Map(report.services.map((s) => [s.name, s.status])),
    uptimeS: report.infrastructure.uptime_s ?? before?.uptimeS ?? null
  }
}

/** The transitions from `before` (undefined for the first report) to `report`, in a stable order. */
export function reportTransitions (before: ReportSummary | undefined, report: ReliabilityReport): Transition[] {
  const at = report.timestamp
  if (before === undefined) return [{ at, kind: 'status', subject: 'overall', from: null, to: report.overall_status, detail: 'first report' }]
  const out: Transition[] = []
  if (before.status !== report.overall_status) out.push({ at, kind: 'status', subject: 'overall', from: before.status, to: report.overall_status })

  const firing = new Set<string>()
  for (const a of report.anomalies) {
    firing.add(a.code)
    if (!before.anomalies.has(a.code)) out.push({ at, kind: 'anomaly', subject: a.code, from: 'inactive', to: 'firing', detail: `${a.severity}: ${a.message}` })
  }
  for (const [code, severity] of before.anomalies) {
    if (!firing.has(code)) out.push({ at, kind: 'anomaly', subject: code, from: 'firing', to: 'inactive', detail: `${severity}: cleared` })
  }

  for (const [name, s] of Object.entries(report.sources)) {
    const was = before.sources.get(name)
    if (was !== undefined && was !== s.status) {
      out.push({ at, kind: 'source', subject: name, from: was, to: s.status, ...(s.error === undefined ? {} : { detail: s.error }) })
    }
  }
  for (const s of report.services) {
    const was = before.services.get(s.name)
    if (was !== s.status && (was !== undefined || s.status !== 'ok')) {
      out.push({ at, kind: 'service', subject: s.name, from: was ?? null, to: s.status, ...(s.error === undefined ? {} : { detail: s.error }) })
    }
  }

  const uptime = report.infrastructure.uptime_s
  if (before.uptimeS !== null && uptime !== null && uptime < before.uptimeS) {
    out.push({ at, kind: 'restart', subject: 'target', from: `${before.uptimeS} s`, to: `${uptime} s`, detail: `uptime went from ${before.uptimeS} s back to ${uptime} s` })
  }
  return out
}
