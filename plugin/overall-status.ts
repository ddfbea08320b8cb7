// SPEC §4: down beats degraded beats ok; info anomalies never change the status.
import type { Anomaly, ServiceStatus, SourceStatus, Status } from '../schemas/report.js'

export function overallStatus (
  anomalies: readonly Anomaly[],
  services: readonly ServiceStatus[],
  sources: Readonly<Record<string, SourceStatus>>
): Status {
  if (anomalies.some((a) => a.severity === 'critical')) return 'down'
  if (services.some((s) => s.critical && s.status === 'down')) return 'down'
  if (anomalies.some((a) => a.severity === 'warning')) return 'degraded'
  if (services.some((s) => s.status !== 'ok')) return 'degraded'
  // A stale source is one whose latest call failed: the report is showing old data, say so.
  for (const name in sources) {
    const status = sources[name].status
    if (status === 'error' || status === 'timeout' || status === 'stale') return 'degraded'
  }
  return 'ok'
}
