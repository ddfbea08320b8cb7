// How fresh one endpoint's last polled state is, as the report's provenance (SPEC §1, §6): data
// older than three intervals is stale; a failed latest poll shows the last good data marked stale
// while it is that young, and an error once it is older.
import type { ReportPatch } from '../../plugin/sources/source.js'
import type { PollResult } from './poller.js'
import type { UpstreamAnswer } from '../upstream/upstream-client.js'

export interface EndpointRecord {
  /** Clock time of the last finished poll, good or bad. */
  readonly lastAttemptAt?: number
  /** Clock time of the last poll that gave usable data. */
  readonly lastGoodAt?: number
  /** Why the latest poll failed; undefined when it succeeded. */
  readonly lastError?: string
}

export type Provenance = NonNullable<ReportPatch['provenance']>

export function endpointProvenance (record: EndpointRecord, now: number, intervalMs: number): Provenance {
  const staleAfter = 3 * intervalMs
  if (record.lastAttemptAt === undefined) return { status: 'stale', error: 'no poll has finished yet' }
  const goodAge = record.lastGoodAt === undefined ? undefined : now - record.lastGoodAt
  if (record.lastError === undefined && goodAge !== undefined) {
    return goodAge <= staleAfter
      ? { status: 'ok', ageMs: goodAge }
      : { status: 'stale', ageMs: goodAge, error: `no poll for ${Math.round(goodAge / 1000)} s` }
  }
  if (goodAge !== undefined && goodAge <= staleAfter) return { status: 'stale', ageMs: goodAge, error: record.lastError }
  return { status: 'error', ageMs: goodAge, error: record.lastError }
}

export interface EndpointRecorder {
  /**
   * Reads one poll's answer with `read` (which throws a coded error on a body it cannot use) and
   * records the outcome; returns the failure, transport or read, if there was one.
   */
  record(result: PollResult, read: (answer: UpstreamAnswer) => void): Error | undefined
  provenance(now: number): Provenance
}

/** The bookkeeping every polled endpoint shares: when it was last tried, last good, and why not. */
export function createEndpointRecorder (intervalMs: number): EndpointRecorder {
  const state: { lastAttemptAt?: number, lastGoodAt?: number, lastError?: string } = {}
  return {
    record ({ answer, error, at }, read) {
      state.lastAttemptAt = at
      try {
        if (!answer) throw error ?? new Error('poll failed')
        read(answer)
        state.lastGoodAt = at
        state.lastError = undefined
        return undefined
      } catch (err) {
        state.lastError = (err as Error).message
        return err as Error
      }
    },
    provenance: (now) => endpointProvenance(state, now, intervalMs)
  }
}
