// Polls every endpoint of the target once per round, every `intervalMs` with jitter, rounds never
// overlapping. Each endpoint's result goes to its handler; a handler never throws into the loop.
import { randomInt } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { UpstreamAnswer, UpstreamClient } from '../upstream/upstream-client.js'

export interface EndpointHandler {
  readonly name: string
  readonly path: string
  /**
   * Called with the answer or the coded error of each poll of this endpoint; returns the failure it
   * saw (transport, status, parse), if any, so the sidecar can count it.
   */
  onResult(result: PollResult): Error | undefined
}

export interface PollResult {
  readonly answer?: UpstreamAnswer
  readonly error?: Error
  /** Clock time the poll started. */
  readonly at: number
  readonly durationMs: number
}

export interface PollerOptions {
  readonly client: UpstreamClient
  readonly endpoints: readonly EndpointHandler[]
  readonly intervalMs: number
  /** Jitter as a share of the interval (default 0.1: ±10%), so a fleet does not poll in step. */
  readonly jitter?: number
  readonly now: () => number
  readonly log: FastifyBaseLogger
  /** After each poll, with what the endpoint's handler made of it. */
  readonly onPolled?: (endpoint: string, durationMs: number, failure: Error | undefined) => void
  /** After each whole round, e.g. to refresh the report. */
  readonly onRound?: () => void | Promise<void>
}

export interface Poller {
  start(): void
  /** Resolves once the first round has finished (whatever its results). */
  readonly firstRound: Promise<void>
  /** Time of the last round's start; the sidecar's liveness watches it. */
  lastRoundAt(): number | undefined
  stop(): Promise<void>
}

export function createPoller (opts: PollerOptions): Poller {
  const stopping = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let current: Promise<void> | undefined
  let lastRoundAt: number | undefined
  let markFirst: () => void = () => {}
  const firstRound = new Promise<void>((resolve) => { markFirst = resolve })
  const jitter = opts.jitter ?? 0.1

  async function pollOne (endpoint: EndpointHandler): Promise<void> {
    const started = performance.now()
    const at = opts.now()
    let result: PollResult
    try {
      const answer = await opts.client.get(endpoint.path, stopping.signal)
      result = { answer, at, durationMs: answer.durationMs }
    } catch (err) {
      result = { error: err as Error, at, durationMs: performance.now() - started }
    }
    let failure: Error | undefined
    try {
      failure = endpoint.onResult(result)
    } catch (err) {
      failure = err as Error
      opts.log.error({ err, endpoint: endpoint.name }, 'poll result handler failed')
    }
    opts.onPolled?.(endpoint.name, result.durationMs, failure)
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

  function schedule (): void {
    if (stopping.signal.aborted) return
    const spread = Math.floor(opts.intervalMs * jitter)
    const delay = opts.intervalMs + (spread > 0 ? randomInt(-spread, spread + 1) : 0)
    timer = setTimeout(run, Math.max(1, delay))
  }

  function run (): void {
    current = round().finally(() => {
      current = undefined
      schedule()
    })
  }

  return {
    firstRound,
    start: run,
    lastRoundAt: () => lastRoundAt,
    async stop () {
      stopping.abort()
      clearTimeout(timer)
      await current
    }
  }
}
