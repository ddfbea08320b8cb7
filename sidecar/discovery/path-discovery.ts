// Which of a few candidate paths the target offers for one endpoint (SPEC §6, issue 9), as a state
// machine with no I/O and an injected clock. Searching asks the candidates in order, within one
// round, until one is offered; when none is, the endpoint is "not offered" and left alone for
// `reprobeMs` before the candidates are asked again, so each is asked once per period and the app's
// own 404 counts stay clean. A found path that later answers "not offered" (the app redeployed)
// starts a new search; a transport failure changes nothing: the target could not be asked.
import type { Verdict } from './classify-answer.js'

export interface NotOffered {
  readonly path: string
  /** What it answered, e.g. `answered 404`. */
  readonly reason: string
}

export type DiscoveryState =
  /**
   * `tried`: the candidates that answered "not offered" in this search; the next is the first not
   * tried. `reprobe`: the search began as a re-probe of an endpoint found not offered.
   */
  | { readonly phase: 'searching', readonly tried: readonly NotOffered[], readonly reprobe: boolean }
  | { readonly phase: 'found', readonly path: string }
  /** Every candidate answered "not offered"; asked again from `until` (clock time, ms). */
  | { readonly phase: 'absent', readonly until: number, readonly tried: readonly NotOffered[] }

/**
 * After an answer: `use` it (the endpoint's answer, or a failed poll, for the source to read), or
 * ask `next()` now, in the same round (undefined then: not offered, nothing more to ask).
 */
export type Step = 'use' | 'next'

export interface PathDiscovery {
  /** The path to ask now: the one found, the next candidate, or undefined while not offered. */
  next(): string | undefined
  observe(path: string, verdict: Verdict): Step
  state(): DiscoveryState
}

export interface PathDiscoveryOptions {
  /** In order of preference; at least one. */
  readonly candidates: readonly string[]
  readonly reprobeMs: number
  /** Clock, ms. */
  readonly now: () => number
}

export function createPathDiscovery (opts: PathDiscoveryOptions): PathDiscovery {
  if (opts.candidates.length === 0) throw new Error('path discovery needs a candidate')
  let state: DiscoveryState = { phase: 'searching', tried: [], reprobe: false }
  const untried = (tried: readonly NotOffered[]) => opts.candidates.find((c) => !tried.some((t) => t.path === c))

  return {
    next () {
      if (state.phase === 'found') return state.path
      if (state.phase === 'absent') {
        if (opts.now() < state.until) return undefined
        state = { phase: 'searching', tried: [], reprobe: true }
      }
      return untried(state.tried)
    },
    observe (path, verdict) {
      if (verdict.kind === 'failed') return 'use'
      if (verdict.kind === 'offered') {
        state = { phase: 'found', path }
        return 'use'
      }
      // A found path lost starts a new search in which it counts as tried.
      const before = state.phase === 'searching' ? state.tried.filter((t) => t.path !== path) : []
      const reprobe = state.phase === 'searching' && state.reprobe
      const tried = [...before, { path, reason: verdict.reason }]
      state = untried(tried) === undefined
        ? { phase: 'absent', until: opts.now() + opts.reprobeMs, tried }
        : { phase: 'searching', tried, reprobe }
      return 'next'
    },
    state: () => state
  }
}

/** `/health, /healthz answered 404; /status answered HTML`: the candidates grouped by answer, in order. */
export function describeNotOffered (tried: readonly NotOffered[]): string {
  const byReason = new Map<string, string[]>()
  for (const t of tried) byReason.set(t.reason, [...(byReason.get(t.reason) ?? []), t.path])
  return [...byReason].map(([reason, paths]) => `${paths.join(', ')} ${reason}`).join('; ')
}

/** `5 min`, `90 s`: a period in words. */
export function describePeriod (ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`
}
