// RESTARTED (the watched process's uptime went backwards) and FLAPPING (the overall status changed
// more than N times in a window): both read the transitions, plus this report against the last
// point, which the history records only after the report is built.
import type { Conclusion } from './diagnosis-input.js'

const UPTIME = 'infrastructure.uptime_s'

export const restarted: Conclusion = ({ report, points, transitions, now, limits }) => {
  const uptime = report.infrastructure.uptime_s
  // The last uptime known: across a restart's gap the points in between have none.
  const before = [...(points.figures[UPTIME] ?? [])].reverse().find((v) => v !== null) ?? null
  if (uptime !== null && before !== null && uptime < before) {
    return {
      code: 'RESTARTED',
      severity: 'info',
      summary: `the process restarted: uptime went from ${before} s back to ${uptime} s`,
      evidence: [{ path: UPTIME, value: uptime, threshold: before }],
      since: now - uptime * 1000
    }
  }
  const last = [...transitions].reverse().find((t) => t.kind === 'restart')
  if (last === undefined) return undefined
  const at = Date.parse(last.at)
  if (now - at > limits.restartShownMs) return undefined
  return {
    code: 'RESTARTED',
    severity: 'info',
    summary: `the process restarted ${Math.round((now - at) / 1000)} s ago (${last.detail ?? 'uptime went backwards'})`,
    evidence: [{ path: UPTIME, value: uptime }],
    since: uptime === null ? at : Math.min(at, now - uptime * 1000)
  }
}

export const flapping: Conclusion = ({ report, points, transitions, now, limits }) => {
  const from = now - limits.flappingWindowMs
  const changes = transitions
    .filter((t) => t.kind === 'status' && t.from !== null && Date.parse(t.at) >= from)
    .map((t) => Date.parse(t.at))
  const lastStatus = points.status[points.status.length - 1]
  if (lastStatus !== undefined && lastStatus !== report.overall_status) changes.push(now)
  if (changes.length <= limits.flappingChanges) return undefined
  return {
    code: 'FLAPPING',
    severity: 'warning',
    summary: `the status changed ${changes.length} times in the last ${Math.round(limits.flappingWindowMs / 60_000)} min`,
    evidence: [{ path: 'overall_status', value: report.overall_status }, { path: 'overall_status:changes', value: changes.length, threshold: limits.flappingChanges }],
    since: changes[0]
  }
}
