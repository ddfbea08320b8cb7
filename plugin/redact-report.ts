// The one boundary every string of the report crosses (issue 8, items 2 and 3): the report is
// walked once, where it is assembled, against its own schema, so services, sources, notes, traces,
// anomalies and any section added later are redacted and capped without each source remembering to.
// - every string is redacted, then capped (`redactCapped`: the order matters);
// - keys the schema declares are ours and kept; keys it does not declare are dropped, as the
//   route's serializer drops them, so `fastify.reliability.report()` and the logs show no more
//   than the route does;
// - keys of free-form maps (`services[].details`, `anomalies[].context`, `sources`) come from
//   sources: a key that names a secret (`isSecretKey`) is dropped with its value, the others are
//   redacted and capped;
// - values the schema leaves open (`details`) are bounded in depth and size, and made JSON: dates
//   through `toJSON`, bigints as text, functions and symbols dropped.
import type { TSchema } from '@sinclair/typebox'
import { ReliabilityReport } from '../schemas/report.js'
import { CUT_MARK, redactCapped, type Redactor } from './redact.js'
import { isSecretKey } from './secret-key.js'

/**
 * Characters kept of a value from a source: a check name, a detail, a label, a model version.
 * Enough for a host name, a version string or a short reason; the figure the sidecar has always
 * applied to upstream health bodies.
 */
export const MAX_VALUE_LENGTH = 200
/**
 * Characters kept of a sentence: a note, an error, an anomaly's message. These are the plugin's own
 * words around a source's reason (`source "cache" failed: …`, `down: 3 of 3 polls failed (…)`, the
 * sidecar's 400-character health output), and a driver's error is often longer than 200 characters.
 */
export const MAX_PROSE_LENGTH = 500
/** Characters kept of a key of a free-form map. */
export const MAX_KEY_LENGTH = 100
/** Nesting inside a free-form value (`details` itself is level 0): an object or array this deep becomes `…`. */
export const MAX_FREE_DEPTH = 6
/** Values kept in one free-form value, all levels together; a cyclic or huge object stops there. */
export const MAX_FREE_NODES = 1000

// Fields whose strings are sentences, wherever the schema declares them.
const PROSE_KEYS = new Set(['notes', 'error', 'message', 'summary'])

interface Schema {
  readonly type?: string
  readonly properties?: Readonly<Record<string, Schema>>
  readonly patternProperties?: Readonly<Record<string, Schema>>
  readonly items?: Schema
  readonly anyOf?: readonly Schema[]
}

const DROP = Symbol('drop')
type Walked = unknown | typeof DROP

/** Values left to visit in one free-form value; undefined where the schema still describes it. */
interface Budget { left: number }

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value

const fits = (schema: Schema, kind: string) => schema.type === kind || (kind === 'number' && schema.type === 'integer')

// A union (`Nullable`, `value: number | string | …`) is read as the member of the value's kind.
// `Type.Unknown()` (no `type`), or a value not of the schema's kind (a source that broke the
// contract), is read as no schema at all: the value is free-form, so bounded.
function resolve (schema: Schema | undefined, value: unknown): Schema | undefined {
  if (schema === undefined) return undefined
  const kind = kindOf(value)
  if (schema.anyOf !== undefined) return schema.anyOf.find((s) => fits(s, kind))
  return fits(schema, kind) ? schema : undefined
}

// Positional arguments, not an options object: this runs for every value of every report.
function walk (value: unknown, schema: Schema | undefined, max: number, redact: Redactor, budget: Budget | undefined, depth: number): Walked {
  switch (typeof value) {
    case 'string': return redactCapped(redact, value, max)
    case 'number':
    case 'boolean': return value
    case 'bigint': return redactCapped(redact, value.toString(), max)
    case 'undefined':
    case 'function':
    case 'symbol': return DROP
  }
  if (value === null) return null
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    // What JSON.stringify would show: a Date as ISO text, a URL as its href (redacted next).
    let json: unknown
    try { json = (value as { toJSON(): unknown }).toJSON() } catch { return DROP }
    if (json !== null && typeof json === 'object') return walkObject(json as object, resolve(schema, json), max, redact, budget, depth)
    return walk(json, resolve(schema, json), max, redact, budget, depth)
  }
  return walkObject(value as object, resolve(schema, value), max, redact, budget, depth)
}

// `max` is the cap of the field holding this value: an array's strings are capped as that field
// (`notes` are sentences); an object's are capped by their own keys.
function walkObject (value: object, schema: Schema | undefined, max: number, redact: Redactor, outer: Budget | undefined, depth: number): Walked {
  // A free-form value, or a map whose keys a source chose, is bounded from its top down.
  let budget = outer
  if (budget === undefined && (schema === undefined || schema.patternProperties !== undefined)) budget = { left: MAX_FREE_NODES }
  if (budget !== undefined && depth >= MAX_FREE_DEPTH) return CUT_MARK
  const below = budget === undefined ? 0 : depth + 1

  if (Array.isArray(value)) {
    const items = budget === undefined ? value : value.slice(0, Math.max(0, budget.left))
    const itemSchema = schema?.items
    return items.map((item) => {
      if (budget !== undefined) budget.left--
      const out = walk(item, resolve(itemSchema, item), max, redact, budget, below)
      return out === DROP ? null : out
    })
  }

  const out: Record<string, unknown> = {}
  const declared = schema?.properties
  const open = schema?.patternProperties === undefined ? undefined : Object.values(schema.patternProperties)[0]
  for (const key of Object.keys(value)) {
    if (budget !== undefined && budget.left-- <= 0) break
    let child: unknown
    try { child = (value as Record<string, unknown>)[key] } catch { continue }
    if (declared !== undefined) {
      // Ours: kept as is, or dropped when the schema does not know it.
      if (!Object.hasOwn(declared, key)) continue
      const cap = PROSE_KEYS.has(key) ? MAX_PROSE_LENGTH : MAX_VALUE_LENGTH
      const walked = walk(child, resolve(declared[key], child), cap, redact, budget, below)
      if (walked !== DROP) out[key] = walked
      continue
    }
    // A source's key: never one that names a secret, never a secret inside it.
    if (key === '__proto__' || isSecretKey(key)) continue
    const walked = walk(child, resolve(open, child), MAX_VALUE_LENGTH, redact, budget, below)
    if (walked !== DROP) out[redactCapped(redact, key, MAX_KEY_LENGTH)] = walked
  }
  return out
}

/**
 * A copy of `value` fit to show, walked against `schema` (see the top of this file). The type is
 * kept: only what the schema declares survives, and every string stays a string.
 */
export function redactBySchema<T extends object> (value: T, schema: TSchema, redact: Redactor): T {
  return walkObject(value, schema as Schema, MAX_VALUE_LENGTH, redact, undefined, 0) as T
}

/** The report fit to show: every string redacted and capped, undeclared keys and secret keys dropped. */
export function redactReport<T extends object> (report: T, redact: Redactor): T {
  return redactBySchema(report, ReliabilityReport, redact)
}
