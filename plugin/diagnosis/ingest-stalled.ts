// INGEST_STALLED: the last ingest is older than the limit. An app that never ingested (null) is
// not stalled: its ingestion is unconfigured or idle by design, and no conclusion is drawn.
import type { Conclusion } from './diagnosis-input.js'

export const ingestStalled: Conclusion = ({ report, now, limits }) => {
  const last = report.ingestion.last_ingest_ts
  if (last === null) return undefined
  const at = Date.parse(last)
  if (Number.isNaN(at)) return undefined
  const ageS = Math.round((now - at) / 1000)
  if (ageS <= limits.ingestStalledS) return undefined
  const failures = report.ingestion.recent_failures
  return {
    code: 'INGEST_STALLED',
    severity: 'warning',
    summary: `nothing ingested for ${ageS} s${failures !== null && failures > 0 ? `, ${failures} recent failures` : ''}`,
    evidence: [
      { path: 'ingestion.last_ingest_ts', value: last, threshold: `${limits.ingestStalledS} s` },
      ...(failures === null ? [] : [{ path: 'ingestion.recent_failures', value: failures }])
    ],
    since: at + limits.ingestStalledS * 1000
  }
}
