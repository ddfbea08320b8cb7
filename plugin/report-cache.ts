// The last report and the one refresh in flight (SPEC §5): fresh for `cacheTtlMs`; then served at once
// while a single refresh runs, up to `maxStaleMs` of age; older than that, callers wait for the
// refresh. However many callers wait, the sources run once. A caller that goes away never cancels
// the shared refresh: it only stops waiting (STYLE §6).
import type { ResolvedOptions } from './resolve-options.js'

export interface CacheEntry<T> {
  readonly value: T
  /** Clock time (ms) the value was produced. */
  readonly at: number
  /** Per-entry memo for work derived from the value (the serialised bytes). */
  readonly memo: Map<string, unknown>
}

/** The resolved options it reads, by their names there. */
export interface ReportCacheOptions<T> extends Pick<ResolvedOptions, 'cacheTtlMs' | 'maxStaleMs' | 'clock'> {
  readonly generate: () => Promise<T>
  /** Called when a background refresh fails; the previous entry stays. */
  readonly onBackgroundError: (err: unknown) => void
}

export interface ReportCache<T> {
  /** A report no older than the rules above allow; rejects only if generation itself breaks. */
  get(): Promise<CacheEntry<T>>
  /** The last entry, whatever its age, without waiting; starts a refresh when it is past its TTL. */
  peek(): CacheEntry<T> | undefined
  /** Generate now (sharing any refresh in flight). */
  refresh(): Promise<CacheEntry<T>>
  /**
   * Puts `value` in place of `current` when `current` is still the entry, keeping its time, so the
   * TTL and refresh schedule stay as they were; returns the new entry, or undefined when a newer one
   * came first. For a value that turned out unservable: every reader (report, health, metrics) then
   * sees the same one.
   */
  replace(current: CacheEntry<T>, value: T): CacheEntry<T> | undefined
}

export function createReportCache<T> (opts: ReportCacheOptions<T>): ReportCache<T> {
  let entry: CacheEntry<T> | undefined
  let inflight: Promise<CacheEntry<T>> | undefined

  function refresh (): Promise<CacheEntry<T>> {
    if (inflight) return inflight
    // A generate() that throws synchronously becomes a rejection like any other; `finally` runs
    // after `inflight = run` below, so it always clears what it set (a failure never sticks).
    let started: Promise<T>
    try {
      started = Promise.resolve(opts.generate())
    } catch (err) {
      started = Promise.reject(err)
    }
    const run: Promise<CacheEntry<T>> = started
      .then((value) => {
        entry = { value, at: opts.clock(), memo: new Map() }
        return entry
      })
      .finally(() => {
        if (inflight === run) inflight = undefined
      })
    inflight = run
    return run
  }

  function refreshInBackground (): void {
    if (inflight) return
    refresh().catch(opts.onBackgroundError)
  }

  return {
    refresh,
    async get () {
      if (entry) {
        const age = opts.clock() - entry.at
        // 0 means "never": a TTL of 0 always regenerates, even within the same millisecond.
        if (opts.cacheTtlMs > 0 && age <= opts.cacheTtlMs) return entry
        if (opts.maxStaleMs > 0 && age <= opts.maxStaleMs) {
          refreshInBackground()
          return entry
        }
      }
      return refresh()
    },
    peek () {
      if (entry && (opts.cacheTtlMs === 0 || opts.clock() - entry.at > opts.cacheTtlMs)) refreshInBackground()
      return entry
    },
    replace (current, value) {
      if (entry !== current) return undefined
      entry = { value, at: current.at, memo: new Map() }
      return entry
    }
  }
}
