// The `health` source: the app's health endpoint, polled, as report services. The app itself is
// the one critical service, debounced by the failure/success thresholds; its own checks follow as
// non-critical services under their upstream names.
import { interpretHealth, type HealthReading } from '../health/interpret-health.js'
import { healthReadingToServices } from '../health/health-reading-to-services.js'
import { createEndpointRecorder } from '../poller/endpoint-recorder.js'
import { initialTargetState, nextTargetState, type TargetState, type Thresholds } from '../poller/target-state.js'
import type { EndpointHandler } from '../poller/poller.js'
import type { ServiceStatus } from '../../schemas/report.js'
import type { Source } from '../../plugin/sources/source.js'

export interface HealthSourceOptions extends Thresholds {
  readonly path: string
  readonly targetName: string
  readonly intervalMs: number
  readonly now: () => number
}

export interface HealthSource {
  readonly handler: EndpointHandler
  readonly source: Source
  /** The debounced phase, for the sidecar's own metrics. */
  state(): TargetState
}

export function createHealthSource (opts: HealthSourceOptions): HealthSource {
  let state = initialTargetState
  let reading: { value: HealthReading, latencyMs: number } | undefined
  let lastError: string | undefined
  const recorder = createEndpointRecorder(opts.intervalMs)
  const handler: EndpointHandler = {
    name: 'health',
    path: opts.path,
    onResult (result) {
      const failure = recorder.record(result, (answer) => {
        // Any answer is data: a 5xx is the app saying down, not a failure to read it (SPEC §8).
        const value = interpretHealth({ statusCode: answer.statusCode, contentType: answer.contentType, body: answer.body })
        reading = { value, latencyMs: Math.round(result.durationMs * 1000) / 1000 }
        state = nextTargetState(state, value.status !== 'down', opts)
      })
      lastError = failure?.message
      if (failure) state = nextTargetState(state, false, opts)
      return failure
    }
  }

  function targetService (): ServiceStatus {
    const base = { name: opts.targetName, critical: true, latency_ms: reading?.latencyMs ?? null }
    const why = lastError ?? (reading && reading.value.status === 'down' ? reading.value.output ?? 'the app reported down' : undefined)
    // A run of failures counts past the threshold while the target stays down ("4 of 3" read wrong),
    // and an app that answered "down" did not fail a poll: it said so (issue 9).
    const n = state.consecutiveFailures
    const answeredDown = lastError === undefined && reading !== undefined && reading.value.status === 'down'
    const failures = answeredDown
      ? `the app reported down ${n === 1 ? 'once' : `${n} times in a row`} (down after ${opts.failureThreshold})`
      : `${n} ${n === 1 ? 'poll' : 'polls'} failed in a row (down after ${opts.failureThreshold})`
    switch (state.phase) {
      case 'starting':
        return { ...base, status: 'degraded', error: `starting: no healthy answer yet${why ? ` (${why})` : ''}` }
      case 'down':
        return { ...base, status: 'down', error: `down: ${state.consecutiveFailures > 0 ? failures : `recovering, ${state.consecutiveSuccesses} of ${opts.successThreshold} good polls`}${why ? ` (${why})` : ''}` }
      case 'up':
        if (state.consecutiveFailures > 0) return { ...base, status: 'degraded', error: `${failures}${why ? ` (${why})` : ''}` }
        return reading ? healthReadingToServices(reading.value, { targetName: opts.targetName, latencyMs: reading.latencyMs })[0] : { ...base, status: 'ok' }
    }
  }

  const source: Source = {
    name: 'health',
    async collect (ctx) {
      const checks = reading ? healthReadingToServices(reading.value, { targetName: opts.targetName, latencyMs: reading.latencyMs }).slice(1) : []
      const provenance = recorder.provenance(ctx.now())
      const notes = state.phase === 'starting' ? [`${opts.targetName}: starting, no healthy answer from ${opts.path} yet.`] : []
      return { services: [targetService(), ...checks], provenance, notes }
    }
  }

  return { handler, source, state: () => state }
}
