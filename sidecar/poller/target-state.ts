// Whether the watched app is up, debounced like a load balancer's fall/rise (SPEC §6): down only
// after `failureThreshold` bad polls in a row, back up after `successThreshold` good ones, and
// `starting` (not down) before the first good poll. A poll is bad when the app could not be read
// or said it is down.
export type TargetPhase = 'starting' | 'up' | 'down'

export interface TargetState {
  readonly phase: TargetPhase
  readonly consecutiveFailures: number
  readonly consecutiveSuccesses: number
}

export const initialTargetState: TargetState = Object.freeze({ phase: 'starting', consecutiveFailures: 0, consecutiveSuccesses: 0 })

export interface Thresholds {
  readonly failureThreshold: number
  readonly successThreshold: number
}

export function nextTargetState (state: TargetState, good: boolean, t: Thresholds): TargetState {
  if (good) {
    const successes = state.consecutiveSuccesses + 1
    const phase = state.phase === 'starting' || (state.phase === 'down' && successes >= t.successThreshold) ? 'up' : state.phase
    return { phase, consecutiveFailures: 0, consecutiveSuccesses: successes }
  }
  const failures = state.consecutiveFailures + 1
  const phase = failures >= t.failureThreshold ? 'down' : state.phase
  return { phase, consecutiveFailures: failures, consecutiveSuccesses: 0 }
}
