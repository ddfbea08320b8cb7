// What the report route serves when the newest report cannot be serialised (issue 8): the last
// report that could, marked stale, rather than a canned "down" 500. Numbers JSON cannot carry never
// get this far (finite-guard.ts nulls them before a report is cached); this is for anything else
// the serializer rejects.
import type { ReliabilityReport, SourceStatus } from '../schemas/report.js'

const STALE_NOTE = 'report: serving the last good report'

/**
 * `report` served again in place of a newer one that could not be: a first note says so, when it
 * was generated and why, and the sources that were ok are `stale` with the report's age added to
 * theirs (SPEC §1: the last good value may be served marked stale with its age). Its status and
 * figures are left as they were: they are what was last known.
 */
export function markStale<T extends ReliabilityReport> (report: T, reason: string, now: number): T {
  const generated = Date.parse(report.timestamp)
  const ageMs = Number.isFinite(generated) ? Math.max(0, now - generated) : 0
  const sources: Record<string, SourceStatus> = {}
  for (const [name, s] of Object.entries(report.sources)) {
    sources[name] = s.status === 'ok' || s.status === 'stale' ? { ...s, status: 'stale', age_ms: Math.round((s.age_ms ?? 0) + ageMs) } : s
  }
  const note = `${STALE_NOTE}, generated ${report.timestamp} (${Math.round(ageMs / 1000)} s ago), marked stale: ${reason}.`
  return { ...report, sources, notes: [note, ...report.notes.filter((n) => !n.startsWith(STALE_NOTE))] }
}
