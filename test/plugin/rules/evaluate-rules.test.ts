import t from 'tap'
import type { Rule } from '../../../schemas/rule.js'
import { defaultRules } from '../../../plugin/rules/default-rules.js'
import { evaluateRules, type RuleEvaluation, type RuleState } from '../../../plugin/rules/evaluate-rules.js'
import { readPath } from '../../../plugin/rules/read-path.js'

const T0 = Date.parse('2026-03-01T12:00:00.000Z')
const iso = (ms: number): string => new Date(ms).toISOString()

const rule = (extra: Partial<Rule> = {}): Rule => ({
  code: 'HOT',
  severity: 'warning',
  message: 'it is hot',
  conditions: [{ path: 'temp.c', op: '>', value: 30 }],
  ...extra
})
const temp = (c: unknown): unknown => ({ temp: { c } })

/** Runs the steps in order, each feeding its states to the next, like the orchestrator does. */
function run (rules: Rule[], steps: Array<[number, unknown]>): RuleEvaluation[] {
  let states: ReadonlyMap<string, RuleState> = new Map()
  return steps.map(([atS, report]) => {
    const result = evaluateRules(rules, report, states, T0 + atS * 1000)
    states = result.states
    return result
  })
}
const phase = (r: RuleEvaluation, code = 'HOT'): string | undefined => r.states.get(code)?.phase

t.test('for_s: pending, then firing exactly when for_s has passed', async (t) => {
  const [a, b, c, d] = run([rule({ for_s: 60 })], [[0, temp(31)], [59.999, temp(31)], [60, temp(31)], [90, temp(35)]])
  t.equal(phase(a), 'pending')
  t.same(a.anomalies, [])
  t.same(a.transitions, [{ code: 'HOT', severity: 'warning', from: 'inactive', to: 'pending' }])
  t.equal(phase(b), 'pending')
  t.same(b.transitions, [])
  t.equal(phase(c), 'firing')
  t.same(c.transitions, [{ code: 'HOT', severity: 'warning', from: 'pending', to: 'firing' }])
  t.same(c.anomalies, [{
    code: 'HOT', severity: 'warning', message: 'it is hot', value: 31, threshold: 30, context: { 'temp.c': 31 }, since: iso(T0 + 60_000)
  }])
  t.equal(d.anomalies[0].since, iso(T0 + 60_000), 'since stays the time it started firing')
  t.equal(d.anomalies[0].value, 35, 'value is the latest')
})

t.test('no for_s: fires at once', async (t) => {
  const [a] = run([rule()], [[0, temp(31)]])
  t.equal(phase(a), 'firing')
  t.same(a.transitions, [{ code: 'HOT', severity: 'warning', from: 'inactive', to: 'firing' }])
  t.equal(a.anomalies[0].since, iso(T0))
})

t.test('pending that stops holding goes back to inactive and restarts the timer', async (t) => {
  const [, b, c, d, e] = run([rule({ for_s: 60 })], [[0, temp(31)], [30, temp(20)], [40, temp(31)], [99, temp(31)], [100, temp(31)]])
  t.equal(phase(b), 'inactive')
  t.same(b.transitions, [{ code: 'HOT', severity: 'warning', from: 'pending', to: 'inactive' }])
  t.equal(phase(c), 'pending')
  t.equal(phase(d), 'pending', 'the 60 s count from 40 s, not from 0')
  t.equal(phase(e), 'firing')
})

t.test('keep_firing_for_s: keeps firing until it has passed since the rule last held', async (t) => {
  const results = run([rule({ keep_firing_for_s: 30 })], [
    [0, temp(31)], [10, temp(20)], [20, temp(32)], [40, temp(20)], [49.999, temp(20)], [50, temp(20)], [51, temp(20)]
  ])
  t.same(results.map((r) => phase(r)), ['firing', 'firing', 'firing', 'firing', 'firing', 'inactive', 'inactive'])
  for (const r of results.slice(0, 5)) t.equal(r.anomalies[0].since, iso(T0), 'one anomaly, one since')
  t.equal(results[1].anomalies[0].value, 20, 'reports the current value while kept firing')
  t.same(results[1].transitions, [], 'kept firing is no transition')
  t.same(results[5].anomalies, [])
  t.same(results[5].transitions, [{ code: 'HOT', severity: 'warning', from: 'firing', to: 'inactive' }])
  t.same(results[5].states.get('HOT'), { phase: 'inactive' }, 'inactive forgets the old episode')
})

t.test('without keep_firing_for_s a firing rule clears as soon as it stops holding', async (t) => {
  const [, b] = run([rule()], [[0, temp(31)], [1, temp(30)]])
  t.equal(phase(b), 'inactive')
  t.same(b.anomalies, [])
})

t.test('no data never fires a rule', async (t) => {
  // ±Infinity too (issue 8): a counter jumping to +Inf is not a reading above any threshold.
  for (const [name, report] of [['null', temp(null)], ['NaN', temp(Number.NaN)], ['+Inf', temp(Number.POSITIVE_INFINITY)], ['-Inf', temp(Number.NEGATIVE_INFINITY)], ['missing', { temp: {} }], ['no section', {}]] as const) {
    const [r] = run([rule()], [[0, report]])
    t.same(r.anomalies, [], `${name}: no anomaly`)
    t.equal(phase(r), 'inactive', `${name}: inactive`)
    t.same(r.noData, [{ code: 'HOT', paths: ['temp.c'] }], `${name}: listed in noData`)
  }
})

t.test('no data never clears a firing rule, which keeps its last known value', async (t) => {
  for (const [name, report] of [['null', temp(null)], ['NaN', temp(Number.NaN)], ['+Inf', temp(Number.POSITIVE_INFINITY)], ['missing', {}]] as const) {
    const [, b, c] = run([rule({ keep_firing_for_s: 5 })], [[0, temp(42)], [10, report], [3600, report]])
    for (const r of [b, c]) {
      t.equal(phase(r), 'firing', `${name}: still firing`)
      t.same(r.transitions, [], `${name}: no transition`)
      t.same(r.noData, [{ code: 'HOT', paths: ['temp.c'] }], `${name}: in noData`)
      t.match(r.anomalies, [{ code: 'HOT', value: 42, context: { 'temp.c': 42 }, since: iso(T0) }], `${name}: last known value`)
    }
  }
})

t.test('no data does not advance a pending rule', async (t) => {
  const [, b, c] = run([rule({ for_s: 60 })], [[0, temp(31)], [120, temp(null)], [121, temp(20)]])
  t.equal(phase(b), 'pending')
  t.same(b.anomalies, [])
  t.same(b.states.get('HOT'), { phase: 'pending', activeSince: T0, lastHeldAt: T0, lastValue: 31, lastContext: { 'temp.c': 31 } })
  t.equal(phase(c), 'inactive', 'data back, not holding: inactive')
})

t.test('comparisons', async (t) => {
  const cases: Array<[string, Rule['conditions'][number]['op'], unknown, unknown, 'holds' | 'fails' | 'no data']> = [
    ['>= at', '>=', 5, 5, 'holds'],
    ['>= below', '>=', 5, 4, 'fails'],
    ['<= at', '<=', 5, 5, 'holds'],
    ['<= above', '<=', 5, 6, 'fails'],
    ['!= numbers', '!=', 5, 6, 'holds'],
    ['== strings', '==', 'DOWN', 'DOWN', 'holds'],
    ['!= strings', '!=', 'UP', 'DOWN', 'holds'],
    ['== booleans', '==', false, false, 'holds'],
    ['== boolean vs string', '==', false, 'false', 'no data'],
    ['== number vs string', '==', 0, '0', 'no data'],
    ['> on a numeric string', '>', 5, '10', 'no data'],
    ['> on strings', '>', 'a', 'b', 'no data'],
    ['> on an object', '>', 5, { n: 10 }, 'no data'],
    ['> on an array', '>', 5, [10], 'no data'],
    // Issue 8: a non-finite reading is a broken one (a counter jumping to +Inf), not a huge value.
    ['Infinity is no data', '>', 5, Number.POSITIVE_INFINITY, 'no data']
  ]
  for (const [name, op, threshold, actual, expected] of cases) {
    const rules = [rule({ conditions: [{ path: 'x', op, value: threshold as number }] })]
    const r = evaluateRules(rules, { x: actual }, new Map(), T0)
    const got = r.noData.length > 0 ? 'no data' : r.anomalies.length > 0 ? 'holds' : 'fails'
    t.equal(got, expected, name)
  }
})

t.test('age_s: ISO strings and epoch ms; unreadable timestamps are no data', async (t) => {
  const aged = [rule({ conditions: [{ path: 'ts', op: '>', value: 60, of: 'age_s' }] })]
  const cases: Array<[string, unknown, 'holds' | 'fails' | 'no data']> = [
    ['ISO 61 s ago', iso(T0 - 61_000), 'holds'],
    ['ISO 59 s ago', iso(T0 - 59_000), 'fails'],
    ['epoch ms 61 s ago', T0 - 61_000, 'holds'],
    ['in the future', iso(T0 + 600_000), 'fails'],
    ['garbage string', 'yesterday-ish', 'no data'],
    ['empty string', '', 'no data'],
    ['boolean', true, 'no data'],
    ['null', null, 'no data'],
    ['NaN', Number.NaN, 'no data']
  ]
  for (const [name, ts, expected] of cases) {
    const r = evaluateRules(aged, { ts }, new Map(), T0)
    const got = r.noData.length > 0 ? 'no data' : r.anomalies.length > 0 ? 'holds' : 'fails'
    t.equal(got, expected, name)
  }
  const [a] = evaluateRules(aged, { ts: T0 - 61_500 }, new Map(), T0).anomalies
  t.equal(a.value, 61.5, 'value is the age in seconds')
  t.same(a.context, { 'ts:age_s': 61.5 })
})

t.test('a failing condition decides the rule even when another has no data', async (t) => {
  const both = rule({ conditions: [{ path: 'a', op: '>', value: 1 }, { path: 'b', op: '>', value: 1 }] })
  const idle = evaluateRules([both], { a: null, b: 0 }, new Map(), T0)
  t.same(idle.noData, [], 'false AND unknown is false')
  t.equal(phase(idle), 'inactive')
  const unknown = evaluateRules([both], { a: null, b: 5 }, new Map(), T0)
  t.same(unknown.noData, [{ code: 'HOT', paths: ['a'] }], 'true AND unknown is unknown')
  const allMissing = evaluateRules([both], {}, new Map(), T0)
  t.same(allMissing.noData, [{ code: 'HOT', paths: ['a', 'b'] }], 'every missing path is listed')
})

t.test('the previous map and its states are not modified', async (t) => {
  const [first] = run([rule({ for_s: 10 })], [[0, temp(31)]])
  const snapshot = structuredClone([...first.states])
  const next = evaluateRules([rule({ for_s: 10 })], temp(31), first.states, T0 + 10_000)
  t.equal(phase(next), 'firing')
  t.not(next.states, first.states, 'a new map')
  t.same([...first.states], snapshot, 'previous untouched')
  t.equal(first.states.get('HOT')?.phase, 'pending')
})

t.test('states: only enabled rules, first of a repeated code, old codes dropped', async (t) => {
  const prev = new Map<string, RuleState>([['GONE', { phase: 'firing', firingSince: T0 }]])
  const rules = [rule(), rule({ code: 'OFF', enabled: false }), rule({ severity: 'critical', conditions: [{ path: 'temp.c', op: '<', value: 0 }] })]
  const r = evaluateRules(rules, temp(31), prev, T0)
  t.same([...r.states.keys()], ['HOT'])
  t.same(r.anomalies.map((a) => a.severity), ['warning'])
})

t.test('a clock that is not a number makes every rule no data instead of throwing', async (t) => {
  const [firing] = run([rule()], [[0, temp(31)]])
  const r = evaluateRules([rule()], temp(31), firing.states, Number.NaN)
  t.same(r.noData, [{ code: 'HOT', paths: ['temp.c'] }])
  t.equal(r.anomalies[0].since, iso(T0))
  t.same(r.transitions, [])
})

t.test('never throws, whatever the report', async (t) => {
  const hostile = Object.defineProperty({}, 'performance', { enumerable: true, get () { throw new Error('boom') } })
  const reports: unknown[] = [
    null, undefined, 0, 'report', true, [], [1, 2], Object.create(null), hostile,
    { performance: 'x' }, { performance: { cpu_percent: {} } }, { performance: { request_latency_ms: [] } },
    { cache: { hit_rate: '0.1', operations: 1e9 } }, { edge_engine: { active_edges: false }, ingestion: { last_ingest_ts: {} } },
    { __proto__: { performance: { cpu_percent: 99 } } }
  ]
  reports.forEach((report, i) => {
    const r = evaluateRules(defaultRules, report, new Map(), T0)
    t.same(r.anomalies, [], `report #${i} fires nothing`)
  })
  const r = evaluateRules(defaultRules, hostile, new Map(), T0)
  t.same(r.noData.find((n) => n.code === 'HIGH_CPU'), { code: 'HIGH_CPU', paths: ['performance.cpu_percent'] }, 'a throwing getter is no data')
})

t.test('readPath', async (t) => {
  const src = { a: { b: [{ c: 1 }], n: null } }
  t.equal(readPath(src, 'a.b.0.c'), 1)
  t.equal(readPath(src, 'a.n'), null)
  t.equal(readPath(src, 'a.n.x'), undefined)
  t.equal(readPath(src, 'a.x.y'), undefined)
  t.equal(readPath(src, 'a.constructor'), undefined, 'own properties only')
  t.equal(readPath(null, 'a'), undefined)
})
