// What is served when the newest report cannot be (issue 8): the last good report, marked stale,
// rather than a canned "down". Fastify's serializer throws on NaN and on a value of the wrong type,
// and answers a 500 for every request while that report is cached; ±Inf it writes as null, silently.
// Sources are meant never to hand over such numbers (SPEC §6); this is the guard for when one does.
// It runs where a report is generated, before the cache holds it, so the report route, /health and
// the sidecar's /metrics all read the same report and agree.
import type { FastifyBaseLogger } from 'fastify'
import type { ReliabilityReport, SourceStatus } from '../schemas/report.js'

/** The dotted path of the first number in `value` that JSON cannot carry (NaN, ±Inf), or undefined. */
export function nonFiniteAt (value: unknown, path = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path
  if (value === null || typeof value !== 'object') return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonFiniteAt(value[i], `${path}[${i}]`)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const key of Object.keys(value)) {
    const found = nonFiniteAt((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`)
    if (found !== undefined) return found
  }
  return undefined
}

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

/** A copy of `value` with every non-finite number replaced by null; the paths replaced are listed. */
function nulled (value: unknown, path: string, replaced: string[]): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value
    replaced.push(path)
    return null
  }
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v, i) => nulled(v, `${path}[${i}]`, replaced))
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = nulled((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, replaced)
  return out
}

export interface LastGoodGuardOptions {
  readonly log: FastifyBaseLogger
  /** The report's clock, epoch ms: how old the last good report is. */
  readonly now: () => number
}

export interface LastGoodGuard<T extends ReliabilityReport> {
  /**
   * The report to cache: `report` itself when every number in it is finite; else the last good one
   * marked stale; else (no good report yet) `report` with those numbers null and a note saying so.
   */
  admit(report: T): T
}

/**
 * Checks each generated report before it is cached. Logs once when reports start to hold a
 * non-finite number (at error, with the first path) and once when they stop (at info), never per
 * report or per request.
 */
export function createLastGoodGuard<T extends ReliabilityReport> (opts: LastGoodGuardOptions): LastGoodGuard<T> {
  let lastGood: T | undefined
  let failingSince: string | undefined
  return {
    admit (report) {
      const path = nonFiniteAt(report)
      if (path === undefined) {
        if (failingSince !== undefined) opts.log.info({ since: failingSince }, 'reports are finite again')
        failingSince = undefined
        lastGood = report
        return report
      }
      if (failingSince === undefined) {
        failingSince = report.timestamp
        opts.log.error({ path }, 'a report held a number that is not finite; serving the last good one marked stale')
      }
      const reason = `the newest one held a number that is not finite at ${path}`
      if (lastGood !== undefined) return markStale(lastGood, reason, opts.now())
      const replaced: string[] = []
      const copy = nulled(report, '', replaced) as T
      return { ...copy, notes: [...copy.notes, `report: ${replaced.join(', ')} ${replaced.length > 1 ? 'were' : 'was'} not a finite number, so null.`] }
    }
  }
}
