// Numbers JSON cannot carry never reach the serializer (SPEC §6, issue 8). Fastify's serializer
// throws on a NaN where the schema says number, which made the report route answer the canned
// "down" 500 for every request while the report stayed cached; ±Inf it silently writes as null.
// Sources are meant never to produce such numbers; this guard runs where a report is generated,
// before the cache holds it, so the report route, /health and the sidecar's /metrics all read the
// same report: one whose non-finite numbers are null, with a note saying which.
import type { FastifyBaseLogger } from 'fastify'
import type { ReliabilityReport } from '../schemas/report.js'

/** A copy of `value` with every non-finite number null, or `value` itself when there is none. */
function nulled (value: unknown, path: string, replaced: string[]): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value
    replaced.push(path)
    return null
  }
  if (value === null || typeof value !== 'object') return value
  const before = replaced.length
  let out: unknown
  if (Array.isArray(value)) {
    out = value.map((v, i) => nulled(v, `${path}[${i}]`, replaced))
  } else {
    const copy: Record<string, unknown> = {}
    for (const key of Object.keys(value)) copy[key] = nulled((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, replaced)
    out = copy
  }
  // Nothing replaced below: keep the original object, so a clean report is not copied at all.
  return replaced.length === before ? value : out
}

export interface FiniteGuard<T extends ReliabilityReport> {
  /** `report` itself when every number in it is finite; else a copy with those null and a note. */
  admit(report: T): T
}

/**
 * Logs once when reports start to hold non-finite numbers (at warn, with the paths: a user's check
 * may put a NaN in its details, which is theirs to fix, not a failure of ours) and once when they
 * stop (at info); never per report or per request.
 */
export function createFiniteGuard<T extends ReliabilityReport> (opts: { readonly log: FastifyBaseLogger }): FiniteGuard<T> {
  let failing = false
  return {
    admit (report) {
      const replaced: string[] = []
      const copy = nulled(report, '', replaced) as T
      if (replaced.length === 0) {
        if (failing) opts.log.info('reports hold only finite numbers again')
        failing = false
        return report
      }
      if (!failing) opts.log.warn({ paths: replaced.slice(0, 10) }, 'a report held numbers that are not finite; shown as null')
      failing = true
      const shown = replaced.length > 10 ? `${replaced.slice(0, 10).join(', ')} and ${replaced.length - 10} more` : replaced.join(', ')
      return { ...copy, notes: [...copy.notes, `report: ${shown} ${replaced.length > 1 ? 'were' : 'was'} not a finite number, so null.`] }
    }
  }
}
