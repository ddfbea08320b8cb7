// What the target's critical service and `reliability_target_up` are judged by (SPEC §8, issue 9):
// its health endpoint when it offers one; else whether its metrics endpoint answers, debounced by
// the same failure/success thresholds, so that node_exporter (no health, metrics fine) is up and a
// target with no health that stops answering is still down. Until the health search has an answer
// the target is judged by its health polls, as when it was configured: a target that refuses every
// connection, or whose /health hangs, is down whatever its metrics do. A re-probe of a health
// endpoint found not offered is not: the metrics endpoint keeps speaking for the target meanwhile.
import { isTransportFailure } from './classify-answer.js'
import type { SlotStatus } from './path-slot.js'
import { initialTargetState, nextTargetState, type TargetState, type Thresholds } from '../poller/target-state.js'
import type { EndpointHandler, PollResult } from '../poller/poller.js'
import type { ServiceStatus } from '../../schemas/report.js'
import type { Source } from '../../plugin/sources/source.js'

export type Basis = 'health' | 'metrics' | undefined

export function targetBasis (health: SlotStatus, metrics: SlotStatus): Basis {
  if (health === 'fixed' || health === 'found' || health === 'searching') return 'health'
  if (metrics !== 'off' && metrics !== 'absent') return 'metrics'
  // Neither in use: a health re-probe that could not ask is the one sign left of a target down.
  return health === 'reprobing' ? 'health' : undefined
}

export interface TargetWatchOptions extends Thresholds {
  readonly targetName: string
  readonly health: () => { readonly status: SlotStatus, readonly state: TargetState | undefined }
  readonly metrics: () => { readonly status: SlotStatus, readonly path: string }
}

export interface TargetWatch {
  /** The metrics endpoint's handler, also telling this watch whether each answer came. */
  observeMetrics(handler: EndpointHandler): EndpointHandler
  /** The health source, its services kept only while the target is judged by its health. */
  healthSource(source: Source): Source
  /** The metrics source, carrying the target's critical service while it is judged by its metrics. */
  metricsSource(source: Source): Source
  basis(): Basis
  /** 1 on the sidecar's `reliability_target_up`. */
  up(): boolean
}

// An answer under 500 is the target answering, whatever the body; a 5xx or no answer is not.
const answered = (r: PollResult): boolean =>
  r.answer !== undefined ? r.answer.statusCode < 500 : !isTransportFailure(r.error)

export function createTargetWatch (opts: TargetWatchOptions): TargetWatch {
  let reach = initialTargetState
  let latencyMs: number | null = null
  let lastError: string | undefined
  const basis = (): Basis => targetBasis(opts.health().status, opts.metrics().status)
  const isUp = (s: TargetState | undefined) => s !== undefined && s.phase === 'up' && s.consecutiveFailures === 0

  function metricsService (): ServiceStatus {
    const { path } = opts.metrics()
    const base = { name: opts.targetName, critical: true, latency_ms: latencyMs, details: { based_on: 'metrics', path } }
    const why = lastError === undefined ? '' : ` (${lastError})`
    const n = reach.consecutiveFailures
    const failures = `${n} ${n === 1 ? 'poll' : 'polls'} of ${path} failed in a row (down after ${opts.failureThreshold})`
    switch (reach.phase) {
      case 'starting':
        return { ...base, status: 'degraded', error: `starting: no answer from ${path} yet; no health endpoint, judged by the metrics endpoint${why}` }
      case 'down':
        return { ...base, status: 'down', error: `down: ${n > 0 ? failures : `recovering, ${reach.consecutiveSuccesses} of ${opts.successThreshold} good polls`}${why}` }
      case 'up':
        return n > 0 ? { ...base, status: 'degraded', error: `${failures}${why}` } : { ...base, status: 'ok' }
    }
  }

  return {
    observeMetrics: (handler) => ({
      name: handler.name,
      path: handler.path,
      accept: handler.accept,
      onResult (result) {
        const good = answered(result)
        reach = nextTargetState(reach, good, opts)
        latencyMs = result.answer === undefined ? null : Math.round(result.durationMs * 1000) / 1000
        lastError = good ? undefined : result.error?.message ?? `HTTP ${result.answer?.statusCode ?? '?'}`
        return handler.onResult(result)
      }
    }),
    healthSource: (source) => ({
      name: source.name,
      async collect (ctx) {
        const patch = await source.collect(ctx)
        // Searching while the metrics endpoint speaks for the target: its "starting" is not news.
        return basis() === 'health' ? patch : { provenance: patch.provenance, setup: patch.setup }
      }
    }),
    metricsSource: (source) => ({
      name: source.name,
      async collect (ctx) {
        const patch = await source.collect(ctx)
        return basis() === 'metrics' ? { ...patch, services: [metricsService()] } : patch
      }
    }),
    basis,
    up () {
      const b = basis()
      return b === 'health' ? isUp(opts.health().state) : b === 'metrics' ? isUp(reach) : false
    }
  }
}
