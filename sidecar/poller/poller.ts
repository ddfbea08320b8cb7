// Polls every endpoint of the target once per round at a fixed rate, rounds never overlapping.
// Each endpoint's result goes to its handler; a handler never throws into the loop.
//
// The schedule is Prometheus's (scrape/scrape.go, scrapeLoop.run): a fixed phase within the
// interval, then a tick every interval; a round still running at a tick skips that tick. Ticks are
// computed from absolute times (anchor + k·interval) on a monotonic clock, so neither a slow round
// nor a late timer shifts the rounds after it: the app sees one poll every `intervalMs` on average
// (issue 9: re-arming a timer after each round made 1000 ms polls arrive every 1017–1150 ms).
import { createHash } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { UpstreamAnswer, UpstreamClient } from '../upstream/upstream-client.js'

export interface EndpointHandler {
  readonly name: string
  readonly path: string
  /** The Accept header of its requests; the upstream client's JSON-first default when absent. */
  readonly accept?: string
  /**
   * Called with the answer or the coded error of each poll of this endpoint; returns the failure it
   * saw (transport, status, parse), if any, so the sidecar can count it.
   */
  onResult(result: PollResult): Error | undefined
  /**
   * When present, called each round instead of one GET of `path`: the endpoint asks what it needs
   * through `ask` (nothing, or several paths: path discovery) and says what it made of the round,
   * or undefined when it asked nothing.
   */
  poll?(ask: Ask): Promise<PollOutcome | undefined>
}

/** One GET of the target under the poller's stop signal; never rejects. */
export type Ask = (path: string, accept?: string) => Promise<PollResult>

export interface PollOutcome {
  /** Time spent asking, in ms. */
  readonly durationMs: number
  /** The failure the endpoint saw (transport, status, parse), if any. */
  readonly failure: Error | undefined
}

export interface PollResult {
  readonly answer?: UpstreamAnswer
  readonly error?: Error
  /** Clock time the poll started. */
  readonly at: number
  readonly durationMs: number
}

/** The schedule's clock and timer; tests pass manual ones. */
export interface PollerTimers {
  /** Monotonic time in ms: a step of the wall clock (NTP, a VM resumed) must not stall or bunch polls. */
  now(): number
  /** Calls `fn` once, `ms` from now; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void
}

export interface PollerOptions {
  readonly client: UpstreamClient
  readonly endpoints: readonly EndpointHandler[]
  /** Time between two ticks, in ms; a round starts at each tick unless the one before still runs. */
  readonly intervalMs: number
  /**
   * Gives the ticks a fixed phase within the interval, against the wall clock: the same key keeps
   * its phase across restarts, different keys spread over the interval. Without a key the ticks
   * keep the phase of start().
   */
  readonly phaseKey?: string
  /** Wall clock, in ms since the epoch: PollResult.at, lastRoundAt() and the phase read it. */
  readonly now: () => number
  /** Default: performance.now and an unref'ed setTimeout. */
  readonly timers?: PollerTimers
  readonly log: FastifyBaseLogger
  /** After each poll, with what the endpoint's handler made of it. */
  readonly onPolled?: (endpoint: string, durationMs: number, failure: Error | undefined) => void
  /** After each whole round, e.g. to refresh the report. */
  readonly onRound?: () => void | Promise<void>
}

export interface Poller {
  /** Runs the first round at once, then one per tick. A second call does nothing. */
  start(): void
  /** Resolves once the first round has finished (whatever its results). */
  readonly firstRound: Promise<void>
  /** Time of the last round's start; the sidecar's liveness watches it. */
  lastRoundAt(): number | undefined
  /** Ticks that passed while a round still ran (or while the event loop was blocked): not caught up. */
  skippedTicks(): number
  /** Aborts the requests in flight; resolves once the round running (if any) has ended. */
  stop(): Promise<void>
}

const realTimers: PollerTimers = {
  now: () => performance.now(),
  after (ms, fn) {
    const timer = setTimeout(fn, ms)
    // The server holds the process open, not a pending poll.
    timer.unref()
    return () => clearTimeout(timer)
  }
}

/**
 * Delay from start() to the first tick. The first round does not wait for it: it runs at once so
 * /readyz turns ready without waiting up to an interval. With a key, the ticks sit at
 * hash(key) mod interval of the wall clock, as Prometheus offsets each target (Target.offset); a
 * hash rather than a random draw so a restarted sidecar keeps its phase. The caller must put in the
 * key what tells instances apart: every sidecar of a fleet usually watches the same
 * http://127.0.0.1:<port>, so the target URL alone would put them all in step. The first tick comes
 * at least half an interval after start(), so it is never a near-duplicate of the first round (a
 * rate over a few ms, one failure counted twice).
 */
function firstTickDelay (intervalMs: number, phaseKey: string | undefined, wallNow: number): number {
  if (phaseKey === undefined) return intervalMs
  const phase = createHash('sha256').update(phaseKey).digest().readUIntBE(0, 6) % intervalMs
  const delay = (((phase - wallNow) % intervalMs) + intervalMs) % intervalMs
  return delay < intervalMs / 2 ? delay + intervalMs : delay
}

export function createPoller (opts: PollerOptions): Poller {
  const timers = opts.timers ?? realTimers
  const interval = opts.intervalMs
  const stopping = new AbortController()
  let started = false
  let cancelTimer: (() => void) | undefined
  let current: Promise<void> | undefined
  let lastRoundAt: number | undefined
  let skipped = 0
  // Tick k is due at anchor + k·interval on the monotonic clock: computed, never accumulated, so
  // no error carries from one round to the next.
  let anchor = 0
  let markFirst: () => void = () => {}
  const firstRound = new Promise<void>((resolve) => { markFirst = resolve })

  const ask: Ask = async (path, accept) => {
    const started = performance.now()
    const at = opts.now()
    try {
      const answer = await opts.client.get(path, stopping.signal, accept)
      return { answer, at, durationMs: answer.durationMs }
    } catch (err) {
      return { error: err as Error, at, durationMs: performance.now() - started }
    }
  }

  async function pollOne (endpoint: EndpointHandler): Promise<void> {
    let outcome: PollOutcome | undefined
    let durationMs = 0
    try {
      if (endpoint.poll !== undefined) {
        outcome = await endpoint.poll(ask)
      } else {
        const result = await ask(endpoint.path, endpoint.accept)
        durationMs = result.durationMs
        outcome = { durationMs, failure: endpoint.onResult(result) }
      }
    } catch (err) {
      outcome = { durationMs, failure: err as Error }
      opts.log.error({ err, endpoint: endpoint.name }, 'poll result handler failed')
    }
    if (outcome !== undefined) opts.onPolled?.(endpoint.name, outcome.durationMs, outcome.failure)
  }

  async function round (): Promise<void> {
    lastRoundAt = opts.now()
    await Promise.all(opts.endpoints.map(pollOne))
    markFirst()
    try {
      await opts.onRound?.()
    } catch (err) {
      opts.log.error({ err }, 'after-round hook failed')
    }
  }

  /** Runs the round of tick `k` (-1: the first round, run at once by start()). */
  function run (k: number): void {
    current = round().finally(() => {
      current = undefined
      // The first tick not yet begun: the ones that came while this round ran (or while its timer
      // waited on a blocked event loop) are skipped, not caught up: no burst of rounds after a
      // slow one. A round ending exactly at a tick runs it.
      const next = Math.max(k + 1, Math.ceil((timers.now() - anchor) / interval))
      if (next > k + 1) {
        skipped += next - k - 1
        opts.log.debug({ skipped: next - k - 1, skippedTotal: skipped, intervalMs: interval }, 'poll ticks skipped')
      }
      arm(next)
    })
  }

  function arm (k: number): void {
    if (stopping.signal.aborted) return
    cancelTimer = timers.after(Math.max(0, anchor + k * interval - timers.now()), () => {
      cancelTimer = undefined
      run(k)
    })
  }

  return {
    firstRound,
    start () {
      if (started || stopping.signal.aborted) return
      started = true
      anchor = timers.now() + firstTickDelay(interval, opts.phaseKey, opts.now())
      run(-1)
    },
    lastRoundAt: () => lastRoundAt,
    skippedTicks: () => skipped,
    async stop () {
      stopping.abort()
      cancelTimer?.()
      cancelTimer = undefined
      await current
    }
  }
}
