// The rule engine: pure, no I/O, no clock of its own (STYLE 7). States follow Prometheus alerting
// rules (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/):
// inactive → pending → firing, with `for` and `keep_firing_for`.
import type { Anomaly, Severity } from '../../schemas/report.js'
import type { Rule, RuleCondition } from '../../schemas/rule.js'
import { readPath } from './read-path.js'

export type RulePhase = 'inactive' | 'pending' | 'firing'
type Scalar = number | string | boolean

/** What the engine remembers about one rule between evaluations. Times are epoch ms. */
export interface RuleState {
  readonly phase: RulePhase
  /** When the conditions started holding (start of pending, or of firing when `for_s` is 0). */
  readonly activeSince?: number
  /** When the rule started firing: the anomaly's `since`. */
  readonly firingSince?: number
  /** Last evaluation at which every condition held: `keep_firing_for_s` counts from here. */
  readonly lastHeldAt?: number
  /** The first condition's value at the last evaluation with data. */
  readonly lastValue?: Anomaly['value']
  /** Every condition's value at the last evaluation with data. */
  readonly lastContext?: Record<string, unknown>
}

export interface RuleTransition {
  code: string
  severity: Severity
  from: RulePhase
  to: RulePhase
}

export interface RuleEvaluation {
  /** One per firing rule, in rule order. */
  anomalies: Anomaly[]
  /** A new map holding the state of every enabled rule; pass it back as `previous` next time. */
  states: Map<string, RuleState>
  transitions: RuleTransition[]
  /** Rules whose outcome could not be decided, with the report paths that had no usable value. */
  noData: Array<{ code: string, paths: string[] }>
}

type Outcome = 'holds' | 'fails' | 'unknown'
interface ConditionResult { outcome: Outcome, path: string, key: string, value: Scalar | null }

const INACTIVE: RuleState = Object.freeze({ phase: 'inactive' })

function isScalar (value: unknown): value is Scalar {
  return (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'string' || typeof value === 'boolean'
}

/** Seconds from the timestamp (ISO-8601 string or epoch ms) to `now`; NaN when unreadable. */
function ageSeconds (timestamp: unknown, now: number): number {
  const ms = typeof timestamp === 'number'
    ? timestamp
    : typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN
  return Number.isFinite(ms) ? (now - ms) / 1000 : Number.NaN
}

function compare (actual: Scalar, op: RuleCondition['op'], expected: Scalar): boolean | undefined {
  if (op === '==' || op === '!=') {
    if (typeof actual !== typeof expected) return undefined
    return (actual === expected) === (op === '==')
  }
  // Ordering is only meaningful between numbers: '10' < '9' as strings would be a silent lie.
  if (typeof actual !== 'number' || typeof expected !== 'number') return undefined
  switch (op) {
    case '>': return actual > expected
    case '>=': return actual >= expected
    case '<': return actual < expected
    default: return actual <= expected
  }
}

function checkCondition (condition: RuleCondition, report: unknown, now: number): ConditionResult {
  const { path } = condition
  const byAge = condition.of === 'age_s'
  const key = byAge ? `${path}:age_s` : path
  const read = readPath(report, path)
  const value = byAge ? ageSeconds(read, now) : read
  if (!isScalar(value)) return { outcome: 'unknown', path, key, value: null }
  const result = compare(value, condition.op, condition.value)
  if (result === undefined) return { outcome: 'unknown', path, key, value }
  return { outcome: result ? 'holds' : 'fails', path, key, value }
}

function isoTime (ms: number | undefined, fallback: number): string {
  const date = new Date(ms ?? fallback)
  return Number.isFinite(date.getTime()) ? date.toISOString() : new Date(fallback).toISOString()
}

/** The next state when the outcome is known. */
function advance (rule: Rule, prev: RuleState, holds: boolean, now: number,
  lastValue: Anomaly['value'], lastContext: Record<string, unknown>): RuleState {
  const seen = { lastValue, lastContext }
  if (holds) {
    const activeSince = prev.phase === 'inactive' ? now : (prev.activeSince ?? now)
    const heldMs = now - activeSince
    if (prev.phase === 'firing' || heldMs >= (rule.for_s ?? 0) * 1000) {
      const firingSince = prev.phase === 'firing' ? (prev.firingSince ?? now) : now
      return { phase: 'firing', activeSince, firingSince, lastHeldAt: now, ...seen }
    }
    return { phase: 'pending', activeSince, lastHeldAt: now, ...seen }
  }
  if (prev.phase === 'firing') {
    // Counted from the last evaluation that held (Prometheus counts from the first that did not:
    // at most one evaluation interval apart). A value that flaps inside it keeps one `since`.
    const sinceHeld = now - (prev.lastHeldAt ?? Number.NEGATIVE_INFINITY)
    if (sinceHeld < (rule.keep_firing_for_s ?? 0) * 1000) return { ...prev, ...seen }
  }
  return INACTIVE
}

/**
 * Evaluates every enabled rule against the report at time `now` (epoch ms).
 *
 * A condition with no usable value (missing, null, NaN, a type it cannot be compared with, an
 * unreadable timestamp) makes the rule's outcome unknown unless another condition already fails
 * (false AND unknown is false): an unknown rule keeps its previous state untouched — it never
 * fires, never clears, a pending one does not advance — and a firing one is reported with its
 * last known values. Never throws for rules that passed the Rule schema, whatever the report is.
 * `previous` is not modified.
 */
export function evaluateRules (
  rules: readonly Rule[],
  report: unknown,
  previous: ReadonlyMap<string, RuleState>,
  now: number
): RuleEvaluation {
  const result: RuleEvaluation = { anomalies: [], states: new Map(), transitions: [], noData: [] }
  // Without a valid clock no age and no duration can be judged: every rule is "no data".
  const clockOk = Number.isFinite(now)

  for (const rule of rules) {
    if (rule.enabled === false || result.states.has(rule.code)) continue
    const prev = previous.get(rule.code) ?? INACTIVE
    const checks = rule.conditions.map((condition) => checkCondition(condition, report, now))
    const failed = checks.some((check) => check.outcome === 'fails')
    const unknown = checks.filter((check) => check.outcome === 'unknown')

    let next: RuleState
    if (!clockOk || (!failed && unknown.length > 0)) {
      next = { ...prev }
      const missing = clockOk ? unknown : checks
      result.noData.push({ code: rule.code, paths: missing.map((check) => check.path) })
    } else {
      const context = Object.fromEntries(checks.map((check) => [check.key, check.value]))
      next = advance(rule, prev, !failed, now, checks[0].value, context)
    }
    result.states.set(rule.code, next)

    if (next.phase !== prev.phase) {
      result.transitions.push({ code: rule.code, severity: rule.severity, from: prev.phase, to: next.phase })
    }
    if (next.phase === 'firing') {
      const first = rule.conditions[0]
      result.anomalies.push({
        code: rule.code,
        severity: rule.severity,
        message: rule.message,
        value: next.lastValue ?? null,
        threshold: first.value,
        context: { ...next.lastContext },
        since: isoTime(next.firingSince, clockOk ? now : 0)
      })
    }
  }
  return result
}
