import t from 'tap'
import { initialTargetState, nextTargetState, type TargetPhase, type TargetState } from '../../../sidecar/poller/target-state.js'

// A run of polls (g: good, b: bad) and the phase after each one.
interface Case {
  readonly name: string
  readonly failureThreshold: number
  readonly successThreshold: number
  readonly polls: string
  readonly phases: readonly TargetPhase[]
}

const cases: Case[] = [
  { name: 'starting → up on the first good poll', failureThreshold: 3, successThreshold: 1, polls: 'g', phases: ['up'] },
  { name: 'starting → up on the first good poll, whatever successThreshold', failureThreshold: 3, successThreshold: 3, polls: 'g', phases: ['up'] },
  { name: 'up: 1 and 2 failures stay up, the 3rd is down', failureThreshold: 3, successThreshold: 1, polls: 'gbbb', phases: ['up', 'up', 'up', 'down'] },
  { name: 'down stays down while failing', failureThreshold: 3, successThreshold: 1, polls: 'gbbbbb', phases: ['up', 'up', 'up', 'down', 'down', 'down'] },
  { name: 'a good poll between failures resets the count', failureThreshold: 3, successThreshold: 1, polls: 'gbbgbb', phases: ['up', 'up', 'up', 'up', 'up', 'up'] },
  { name: 'down → up after 1 good poll (successThreshold 1)', failureThreshold: 3, successThreshold: 1, polls: 'gbbbg', phases: ['up', 'up', 'up', 'down', 'up'] },
  { name: 'down → up after 3 good polls (successThreshold 3)', failureThreshold: 3, successThreshold: 3, polls: 'gbbbggg', phases: ['up', 'up', 'up', 'down', 'down', 'down', 'up'] },
  { name: 'a failure while recovering starts the recovery over', failureThreshold: 3, successThreshold: 3, polls: 'bbbggbggg', phases: ['starting', 'starting', 'down', 'down', 'down', 'down', 'down', 'down', 'up'] },
  { name: 'never good: 1 and 2 failures stay starting', failureThreshold: 3, successThreshold: 1, polls: 'bb', phases: ['starting', 'starting'] },
  { name: 'never good: the 3rd failure is down, from starting', failureThreshold: 3, successThreshold: 1, polls: 'bbb', phases: ['starting', 'starting', 'down'] },
  { name: 'failureThreshold 1: the first failure is down', failureThreshold: 1, successThreshold: 1, polls: 'gb', phases: ['up', 'down'] }
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    let state: TargetState = initialTargetState
    const seen: TargetPhase[] = []
    for (const p of c.polls) {
      state = nextTargetState(state, p === 'g', c)
      seen.push(state.phase)
    }
    t.same(seen, c.phases)
  })
}

t.test('the counters', async (t) => {
  const th = { failureThreshold: 3, successThreshold: 2 }
  t.same(initialTargetState, { phase: 'starting', consecutiveFailures: 0, consecutiveSuccesses: 0 })
  t.ok(Object.isFrozen(initialTargetState), 'the initial state cannot be changed by a caller')
  const up = nextTargetState(initialTargetState, true, th)
  t.same(up, { phase: 'up', consecutiveFailures: 0, consecutiveSuccesses: 1 })
  const oneBad = nextTargetState(up, false, th)
  t.same(oneBad, { phase: 'up', consecutiveFailures: 1, consecutiveSuccesses: 0 })
  const good = nextTargetState(oneBad, true, th)
  t.same(good, { phase: 'up', consecutiveFailures: 0, consecutiveSuccesses: 1 })
  t.same(initialTargetState, { phase: 'starting', consecutiveFailures: 0, consecutiveSuccesses: 0 }, 'the input is not mutated')
})
