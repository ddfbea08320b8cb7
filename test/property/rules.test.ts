// Properties of the rule engine (issue 5, SPEC §3): any rule set the RuleSet schema accepts,
// evaluated against any report-like value, never throws; anomalies come from the rules, with their
// severities; a rule fires only when its conditions held (at once with for_s 0, after pending
// otherwise); a run of evaluations with a monotonic clock keeps the states in their three phases,
// and missing data never fires nor clears a rule. resolveRules takes any input: rules or INVALID_RULE.
import t from 'tap'
import fc from 'fast-check'
import { Value } from '@sinclair/typebox/value'
import { evaluateRules, type RuleState } from '../../plugin/rules/evaluate-rules.js'
import { resolveRules } from '../../plugin/rules/resolve-rules.js'
import { defaultRules } from '../../plugin/rules/default-rules.js'
import { Rule, RuleSet, type RuleCondition } from '../../schemas/rule.js'

// Run counts are sized for a few seconds per file on a loaded 2-core CI machine; FC_RUNS_SCALE=20
// multiplies them for a longer hunt (a failure prints the seed and path that replay it).
const runs = (n: number): number => Math.max(1, Math.round(n * (Number(process.env.FC_RUNS_SCALE) || 1)))

const T0 = Date.parse('2026-03-01T12:00:00.000Z')

// ---- Rules --------------------------------------------------------------------------------------

const realPaths = [
  'performance.cpu_percent', 'performance.request_latency_ms.p95', 'performance.error_rate', 'cache.hit_rate',
  'cache.operations', 'edge_engine.active_edges', 'edge_engine.last_edge_created_ts', 'ingestion.last_ingest_ts',
  'ingestion.ingest_latency_ms', 'websocket.active_connections', 'services.0.latency_ms', 'services.0.status',
  'overall_status', 'timestamp', 'infrastructure.memory.rss_bytes', 'model_registry.models.0.status', 'sources.http.status'
]
const path = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...realPaths) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '__proto__.polluted', 'cache.constructor.name', 'a..b', '.', 'services.length', 'toString', 'performance.cpu_percent.', 'notes.0') },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) }
)
const op = fc.constantFrom('>', '>=', '<', '<=', '==', '!=') as fc.Arbitrary<RuleCondition['op']>
const threshold = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fc.integer({ min: -5, max: 500 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 0.2, 85, 300, 1500)) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('ok', 'down', 'loaded', '0')) },
  { weight: 1, arbitrary: fc.boolean() }
)
const condition: fc.Arbitrary<RuleCondition> = fc.record({
  path,
  op,
  value: threshold,
  of: fc.constantFrom('value' as const, 'age_s' as const)
}, { requiredKeys: ['path', 'op', 'value'] })
const seconds = fc.oneof(fc.constantFrom(0, 0, 1, 5, 60), fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }), fc.nat(600))
const code = fc.oneof(fc.constantFrom('HIGH_CPU', 'SLOW_INGEST', 'A', 'B', 'HOT'), fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/))
const rule: fc.Arbitrary<Rule> = fc.record({
  code,
  severity: fc.constantFrom('info' as const, 'warning' as const, 'critical' as const),
  message: fc.string({ minLength: 1, maxLength: 20 }),
  conditions: fc.array(condition, { minLength: 1, maxLength: 3 }),
  for_s: seconds,
  keep_firing_for_s: seconds,
  enabled: fc.boolean()
}, { requiredKeys: ['code', 'severity', 'message', 'conditions'] })
/** Rule sets as the schema has them: repeated codes and ordering with strings allowed. */
const ruleSet = fc.oneof(
  { weight: 4, arbitrary: fc.array(rule, { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.array(rule, { maxLength: 3 }).map((extra) => [...defaultRules, ...extra]) }
).filter((rules) => Value.Check(RuleSet, rules))

// ---- Reports ------------------------------------------------------------------------------------

const scalar = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fc.integer({ min: -5, max: 2_000 }), fc.double(), fc.constantFrom(0, 0.1, 85, 86, 101, 1500, 1501, 5001)) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, null, undefined) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('ok', 'down', '2026-03-01T11:58:00.000Z', '2026-03-01T12:00:00Z', 'not a date', '', '0'))
  },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.integer({ min: T0 - 1e6, max: T0 + 1e6 }) }
)
const leaf = fc.oneof({ weight: 6, arbitrary: scalar }, { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) })
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 6 })

/** A report's shape with any value in every place, places sometimes missing. */
const reportLike = fc.record({
  timestamp: maybe(leaf),
  overall_status: maybe(leaf),
  performance: maybe(fc.record({ cpu_percent: maybe(leaf), error_rate: maybe(leaf), request_latency_ms: maybe(fc.record({ p95: maybe(leaf) })) })),
  cache: maybe(fc.record({ hit_rate: maybe(leaf), operations: maybe(leaf) })),
  edge_engine: maybe(fc.record({ active_edges: maybe(leaf), last_edge_created_ts: maybe(leaf) })),
  ingestion: maybe(fc.record({ last_ingest_ts: maybe(leaf), ingest_latency_ms: maybe(leaf) })),
  websocket: maybe(fc.record({ active_connections: maybe(leaf) })),
  services: maybe(fc.array(fc.record({ latency_ms: maybe(leaf), status: maybe(leaf) }), { maxLength: 2 })),
  sources: maybe(fc.dictionary(fc.constantFrom('http', 'process'), fc.record({ status: maybe(leaf) })))
})
/** A report whose every read throws: the engine reads it as "no data". */
// Symbol keys answer normally: fast-check itself looks for its clone method on generated values.
const boom = (key: string | symbol): undefined => {
  if (typeof key === 'symbol') return undefined
  throw new Error('boom')
}
const hostile = new Proxy({}, {
  get: (_target, key) => boom(key),
  has: (_target, key) => boom(key) ?? false,
  getOwnPropertyDescriptor: (_target, key) => boom(key)
})
const report = fc.oneof(
  { weight: 8, arbitrary: reportLike as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, 42, 'report', [], hostile) }
)

// ---- An independent reading of what a rule means -------------------------------------------------

type Outcome = 'holds' | 'fails' | 'unknown'

function read (source: unknown, dotted: string): unknown {
  let current = source
  try {
    for (const key of dotted.split('.')) {
      if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return undefined
      current = (current as Record<string, unknown>)[key]
    }
  } catch {
    return undefined
  }
  return current
}

function outcomeOf (c: RuleCondition, source: unknown, now: number): Outcome {
  let actual = read(source, c.path)
  if (c.of === 'age_s') {
    const ms = typeof actual === 'number' ? actual : typeof actual === 'string' ? Date.parse(actual) : NaN
    actual = Number.isFinite(ms) ? (now - ms) / 1000 : NaN
  }
  const usable = typeof actual === 'string' || typeof actual === 'boolean' || (typeof actual === 'number' && Number.isFinite(actual))
  if (!usable) return 'unknown'
  const a = actual as number | string | boolean
  const b = c.value
  if (c.op === '==' || c.op === '!=') return typeof a !== typeof b ? 'unknown' : ((a === b) === (c.op === '==') ? 'holds' : 'fails')
  if (typeof a !== 'number' || typeof b !== 'number') return 'unknown'
  const ok = c.op === '>' ? a > b : c.op === '>=' ? a >= b : c.op === '<' ? a < b : a <= b
  return ok ? 'holds' : 'fails'
}

/** false AND unknown is false; otherwise unknown wins over true. */
function ruleOutcome (r: Rule, source: unknown, now: number): Outcome {
  const all = r.conditions.map((c) => outcomeOf(c, source, now))
  return all.includes('fails') ? 'fails' : all.includes('unknown') ? 'unknown' : 'holds'
}

/** The rules the engine evaluates: enabled ones, the first of each code. */
function effective (rules: readonly Rule[]): Rule[] {
  const seen = new Set<string>()
  return rules.filter((r) => {
    if (r.enabled === false || seen.has(r.code)) return false
    seen.add(r.code)
    return true
  })
}

const PHASES = new Set(['inactive', 'pending', 'firing'])

// ---- Properties ---------------------------------------------------------------------------------

t.test('one evaluation from no state: never throws; anomalies are the rules that held, for_s 0 firing at once', async (t) => {
  let fired = 0
  const clock = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: T0 - 1e9, max: T0 + 1e9 }) }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) })
  await fc.assert(fc.asyncProperty(ruleSet, report, clock, async (rules, source, now) => {
    const result = evaluateRules(rules, source, new Map(), now)
    const active = effective(rules)
    const byCode = new Map(active.map((r) => [r.code, r]))
    for (const a of result.anomalies) {
      const r = byCode.get(a.code)
      if (r === undefined) throw new Error(`anomaly ${a.code} from no rule`)
      if (a.severity !== r.severity || a.message !== r.message) throw new Error(`${a.code}: severity or message not the rule's`)
      if (!Object.is(a.threshold, r.conditions[0].value)) throw new Error(`${a.code}: threshold`)
      if (Number.isNaN(Date.parse(a.since))) throw new Error(`${a.code}: since ${a.since}`)
    }
    if (result.anomalies.length !== new Set(result.anomalies.map((a) => a.code)).size) throw new Error('an anomaly twice')
    if (result.states.size !== active.length) throw new Error(`${result.states.size} states for ${active.length} rules`)
    for (const r of active) {
      const phase = result.states.get(r.code)?.phase
      const holds = Number.isFinite(now) && ruleOutcome(r, source, now) === 'holds'
      const waits = (r.for_s ?? 0) * 1000 > 0
      const expected = !holds ? 'inactive' : waits ? 'pending' : 'firing'
      if (phase !== expected) throw new Error(`${r.code}: ${phase}, expected ${expected}`)
      if ((phase === 'firing') !== result.anomalies.some((a) => a.code === r.code)) throw new Error(`${r.code}: firing without anomaly, or the reverse`)
      if (phase === 'firing') fired++
    }
  }), { numRuns: runs(2000) })
  t.ok(fired > 60, `rules fired (${fired})`)
})

t.test('a run of evaluations with a monotonic clock: no throw, three phases, no firing or clearing without data', async (t) => {
  // Reports often repeat from one step to the next, so that conditions hold long enough for for_s.
  const steps = fc.tuple(report, fc.array(fc.tuple(fc.oneof(fc.constantFrom(0, 1000, 5000), fc.nat(120_000)), fc.option(report, { nil: undefined, freq: 2 })), { minLength: 1, maxLength: 12 }))
    .map(([base, list]) => list.map(([dt, r]): [number, unknown] => [dt, r === undefined ? base : r]))
  // Half the sets lead with a rule on a number the reports often have, so that for_s is often
  // waited out rather than only in the rare run where a random rule keeps holding.
  const hot = fc.record({ for_s: fc.integer({ min: 1, max: 90 }), keep_firing_for_s: fc.nat(90) })
    .map((timing): Rule => ({ code: 'HOT_CPU', severity: 'warning', message: 'hot', conditions: [{ path: 'performance.cpu_percent', op: '>', value: 85 }], ...timing }))
  const sets = fc.oneof(ruleSet, fc.tuple(hot, ruleSet).map(([h, rest]) => [h, ...rest]))
  let firedLate = 0
  await fc.assert(fc.asyncProperty(sets, steps, async (rules, run) => {
    const active = effective(rules)
    let states: ReadonlyMap<string, RuleState> = new Map()
    let now = T0
    for (const [dt, source] of run) {
      now += dt
      const result = evaluateRules(rules, source, states, now)
      for (const r of active) {
        const before = states.get(r.code) ?? { phase: 'inactive' }
        const after = result.states.get(r.code)
        if (after === undefined || !PHASES.has(after.phase)) throw new Error(`${r.code}: phase ${after?.phase}`)
        const outcome = ruleOutcome(r, source, now)
        // SPEC §3: no data never fires a rule and never clears a firing one.
        if (outcome === 'unknown' && after.phase !== before.phase) throw new Error(`${r.code}: ${before.phase} → ${after.phase} without data`)
        if (after.phase === 'firing' && before.phase !== 'firing') {
          if (outcome !== 'holds') throw new Error(`${r.code}: fired while its conditions ${outcome}`)
          const forMs = (r.for_s ?? 0) * 1000
          if (forMs > 0) {
            if (before.phase !== 'pending' || now - (before.activeSince ?? now) < forMs) throw new Error(`${r.code}: fired before for_s`)
            firedLate++
          }
        }
        // Pending is entered only when the conditions hold, and kept only while they hold or say nothing.
        if (after.phase === 'pending' && outcome !== 'holds' && !(outcome === 'unknown' && before.phase === 'pending')) {
          throw new Error(`${r.code}: ${before.phase} → pending while its conditions ${outcome}`)
        }
        const anomaly = result.anomalies.find((a) => a.code === r.code)
        if ((after.phase === 'firing') !== (anomaly !== undefined)) throw new Error(`${r.code}: firing without anomaly, or the reverse`)
        if (anomaly !== undefined && Date.parse(anomaly.since) > now) throw new Error(`${r.code}: since after now`)
      }
      states = result.states
    }
  }), { numRuns: runs(600) })
  t.ok(firedLate > 0, `some rules fired after pending for for_s (${firedLate})`)
})

// ---- resolveRules on anything -------------------------------------------------------------------

/** Near-valid rules: a valid one with one field replaced by anything. */
const mutatedRule = fc.tuple(rule, fc.constantFrom('code', 'severity', 'message', 'conditions', 'for_s', 'enabled', 'extra', 'op', 'path', 'value', 'of'), fc.anything({ maxDepth: 1 }))
  .map(([r, field, value]) => {
    const copy = structuredClone(r) as Record<string, unknown>
    if (['op', 'path', 'value', 'of'].includes(field)) (copy.conditions as Array<Record<string, unknown>>)[0][field] = value
    else copy[field] = value
    return copy
  })
const ruleInput = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(rule, mutatedRule, fc.record({ code, enabled: fc.constant(false) }), fc.anything({ maxDepth: 2 })), { maxLength: 5 }) as fc.Arbitrary<unknown> },
  { weight: 3, arbitrary: fc.array(rule, { maxLength: 5 }) as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.anything() }
)

t.test('resolveRules on any input: a frozen list of valid rules with unique codes, or INVALID_RULE naming a path', async (t) => {
  let resolved = 0
  let refused = 0
  await fc.assert(fc.asyncProperty(ruleInput, async (input) => {
    let rules: readonly Rule[]
    try {
      rules = resolveRules(input)
    } catch (err) {
      if (!(err instanceof Error) || (err as { code?: string }).code !== 'RELIABILITY_ERR_INVALID_RULE') throw err
      if (!/^invalid rule at "rules(\[\d+\][^"]*)?": /.test(err.message)) throw new Error(`names no path: ${err.message}`)
      refused++
      return
    }
    resolved++
    if (!Array.isArray(rules) || !Object.isFrozen(rules)) throw new Error('not a frozen array')
    if (!Value.Check(RuleSet, rules)) throw new Error('a rule fails the schema')
    if (new Set(rules.map((r) => r.code)).size !== rules.length) throw new Error('a code twice')
    for (const r of rules) {
      if (!Object.isFrozen(r) || !Object.isFrozen(r.conditions) || !r.conditions.every((c) => Object.isFrozen(c))) throw new Error(`${r.code} not frozen`)
      if (r.enabled === false) throw new Error(`${r.code} switched off but kept`)
    }
  }), { numRuns: runs(1500) })
  t.ok(resolved > 100 && refused > 100, `both outcomes exercised (resolved: ${resolved}, refused: ${refused})`)
})
