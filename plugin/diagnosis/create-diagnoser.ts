// Runs every conclusion against the report being built and the history before it (SPEC §9), and
// remembers since when each has held, as the rule engine does for anomalies. An empty list means
// no conclusion, never a guess; a symptom whose explanation lacks data says what is missing.
import { DIAGNOSIS_LIMITS, type DiagnosisLimits } from './diagnosis-limits.js'
import { cpuBound, waitingOnDependency } from './latency-conclusions.js'
import { errorBurst } from './error-burst.js'
import { memoryGrowth } from './memory-growth.js'
import { flapping, restarted } from './restart-and-flapping.js'
import { ingestStalled } from './ingest-stalled.js'
import type { Conclusion, DiagnosedReport } from './diagnosis-input.js'
import type { Diagnosis } from '../../schemas/report.js'
import type { HistoryPoints, Transition } from '../../schemas/history.js'

/** In the order the report lists them: causes of slowness first, then errors, memory, lifecycle. */
export const CONCLUSIONS: readonly Conclusion[] = Object.freeze([
  cpuBound, waitingOnDependency, errorBurst, memoryGrowth, restarted, flapping, ingestStalled
])

export interface DiagnosisResult {
  readonly diagnosis: Diagnosis[]
  /** Sentences for the notes: a symptom is there, and what would explain it is not. */
  readonly missing: string[]
}

export interface Diagnoser {
  diagnose(report: DiagnosedReport, points: HistoryPoints, transitions: readonly Transition[], now: number): DiagnosisResult
}

export function createDiagnoser (limits: DiagnosisLimits = DIAGNOSIS_LIMITS): Diagnoser {
  // Since when each code has held without a break.
  let heldSince = new Map<string, number>()
  return {
    diagnose (report, points, transitions, now) {
      const diagnosis: Diagnosis[] = []
      const missing: string[] = []
      const next = new Map<string, number>()
      for (const conclude of CONCLUSIONS) {
        const verdict = conclude({ report, points, transitions, now, limits })
        if (verdict === undefined) continue
        if ('missing' in verdict) {
          missing.push(`diagnosis: ${verdict.missing}.`)
          continue
        }
        const since = verdict.since ?? heldSince.get(verdict.code) ?? now
        next.set(verdict.code, since)
        diagnosis.push({ code: verdict.code, severity: verdict.severity, summary: verdict.summary, evidence: verdict.evidence, since: new Date(since).toISOString() })
      }
      heldSince = next
      return { diagnosis, missing }
    }
  }
}
