// Anomaly rules are data (SPEC §3): plain JSON, validated by this schema, evaluated by path.
import { Type, type Static } from '@sinclair/typebox'
import { Severity } from './report.js'

export const ComparisonOp = Type.Union([
  Type.Literal('>'),
  Type.Literal('>='),
  Type.Literal('<'),
  Type.Literal('<='),
  Type.Literal('=='),
  Type.Literal('!=')
])
export type ComparisonOp = Static<typeof ComparisonOp>

export const RuleCondition = Type.Object({
  /** Dotted path into the report, e.g. `performance.request_latency_ms.p95`. */
  path: Type.String({ minLength: 1 }),
  op: ComparisonOp,
  value: Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
  /**
   * What is compared: the value at `path` itself (default), or `age_s`, the seconds between the
   * evaluation time and the timestamp at `path` (ISO-8601 string or epoch milliseconds).
   */
  of: Type.Optional(Type.Union([Type.Literal('value'), Type.Literal('age_s')]))
}, { additionalProperties: false })
export type RuleCondition = Static<typeof RuleCondition>

export const Rule = Type.Object({
  code: Type.String({ minLength: 1, pattern: '^[A-Z][A-Z0-9_]*$' }),
  severity: Severity,
  message: Type.String({ minLength: 1 }),
  /** All must hold (AND). The first one gives the anomaly its `value` and `threshold`. */
  conditions: Type.Array(RuleCondition, { minItems: 1 }),
  /** Seconds the conditions must hold before the rule fires (Prometheus `for`). */
  for_s: Type.Optional(Type.Number({ minimum: 0 })),
  /** Seconds a firing rule keeps firing after its conditions stop holding. */
  keep_firing_for_s: Type.Optional(Type.Number({ minimum: 0 })),
  /** Set to false to switch off a default rule by code. */
  enabled: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type Rule = Static<typeof Rule>

export const RuleSet = Type.Array(Rule)
export type RuleSet = Static<typeof RuleSet>
