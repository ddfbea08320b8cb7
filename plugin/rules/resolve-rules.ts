// Merges the user's rules (options or a rules file) over the defaults, once, at start (STYLE 3).
import { readFileSync } from 'node:fs'
import { Type, type TSchema } from '@sinclair/typebox'
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value'
import { Rule } from '../../schemas/rule.js'
import { ReliabilityErrors } from '../errors.js'
import { defaultRules } from './default-rules.js'

/**
 * Short form to switch a rule off by code without restating it: `{ "code": "HIGH_CPU",
 * "enabled": false }`. A full rule with `enabled: false` works too.
 */
const RuleSwitchOff = Type.Object({
  code: Rule.properties.code,
  enabled: Type.Literal(false)
}, { additionalProperties: false })

/** `/2/conditions/0/op` (TypeBox's JSON pointer) → `rules[2].conditions[0].op`. */
function pointerToPath (pointer: string): string {
  let path = 'rules'
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    path += /^\d+$/.test(token) ? `[${token}]` : `.${token}`
  }
  return path
}

/** TypeBox says "Expected union value" for a bad literal: name the values that are allowed. */
function reasonOf (error: ValueError): string {
  if (error.type === ValueErrorType.ObjectRequiredProperty) return 'required'
  const options = (error.schema as { anyOf?: TSchema[] }).anyOf
  if (options === undefined) return error.message
  if (options.every((option) => 'const' in option)) {
    return `expected one of ${options.map((option) => JSON.stringify(option.const)).join(', ')}`
  }
  return `expected ${options.map((option) => String(option.type)).join(' or ')}`
}

/** Checks what the schema cannot say: ordering and age comparisons need a number. */
function checkMeaning (rule: Rule, at: string): void {
  rule.conditions.forEach((condition, i) => {
    const ordering = condition.op !== '==' && condition.op !== '!='
    if (typeof condition.value !== 'number' && (ordering || condition.of === 'age_s')) {
      const why = ordering ? `operator "${condition.op}" compares numbers` : 'age_s is compared in seconds'
      throw new ReliabilityErrors.INVALID_RULE(`${at}.conditions[${i}].value`, `${why}: expected number`)
    }
  })
}

/** Validates the user's list; returns one entry per rule, in order (a clone, input untouched). */
function validate (input: unknown, where: (path: string) => string): Array<Rule | { code: string, enabled: false }> {
  if (!Array.isArray(input)) throw new ReliabilityErrors.INVALID_RULE(where('rules'), 'expected an array of rules')
  const seen = new Map<string, number>()
  return input.map((item: unknown, index) => {
    const at = `rules[${index}]`
    let rule: Rule | { code: string, enabled: false }
    if (Value.Check(RuleSwitchOff, item)) {
      rule = { code: item.code, enabled: false }
    } else if (Value.Check(Rule, item)) {
      rule = item // cloned by frozen() before it is kept
      checkMeaning(rule, where(at))
    } else {
      const error = Value.Errors(Rule, item).First()
      const path = error === undefined ? at : pointerToPath(`/${index}${error.path}`)
      throw new ReliabilityErrors.INVALID_RULE(where(path), error === undefined ? 'invalid rule' : reasonOf(error))
    }
    const earlier = seen.get(rule.code)
    if (earlier !== undefined) {
      throw new ReliabilityErrors.INVALID_RULE(where(`${at}.code`), `duplicate code ${rule.code}, also at rules[${earlier}]`)
    }
    seen.set(rule.code, index)
    return rule
  })
}

function frozen (rule: Rule): Rule {
  const copy = structuredClone(rule)
  for (const condition of copy.conditions) Object.freeze(condition)
  Object.freeze(copy.conditions)
  return Object.freeze(copy)
}

function merge (input: unknown, base: readonly Rule[], where: (path: string) => string): readonly Rule[] {
  if (input === undefined) return Object.freeze(base.map(frozen))
  const byCode = new Map<string, Rule | null>(base.map((rule) => [rule.code, rule]))
  // A Map keeps first-insertion order: a replaced default stays in its place, new codes go last.
  for (const rule of validate(input, where)) {
    byCode.set(rule.code, rule.enabled === false ? null : rule as Rule)
  }
  const rules: Rule[] = []
  for (const rule of byCode.values()) if (rule !== null) rules.push(frozen(rule))
  return Object.freeze(rules)
}

/**
 * The rules to evaluate: `base` (the defaults) with the user's rules applied. A user rule whose
 * code is in `base` replaces it, a new code is appended, and `enabled: false` removes the code.
 * Throws RELIABILITY_ERR_INVALID_RULE naming the path (`rules[2].conditions[0].op`) for a rule
 * that fails the schema, an ordering or age comparison with a non-number, or a repeated code.
 * Returns a deep-frozen array; `input` and `base` are never modified.
 */
export function resolveRules (input?: unknown, base: readonly Rule[] = defaultRules): readonly Rule[] {
  return merge(input, base, (path) => path)
}

/**
 * Reads a JSON rules file — an array of rules, or `{ "rules": [...] }` — and resolves it over
 * `base` like resolveRules. Read once at start, hence synchronous. Errors name the file.
 */
export function loadRulesFile (file: string, base: readonly Rule[] = defaultRules): readonly Rule[] {
  const where = (path: string): string => `${path} in ${file}`
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as { code?: unknown }).code
    throw new ReliabilityErrors.INVALID_RULE(file, `cannot be read (${typeof code === 'string' ? code : 'unknown error'})`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // JSON.parse's message quotes the file's content: keep it out of the error and the logs.
    throw new ReliabilityErrors.INVALID_RULE(file, 'not valid JSON')
  }
  const isWrapped = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
  const list = isWrapped ? (parsed as { rules?: unknown }).rules : parsed
  if (!Array.isArray(list)) {
    throw new ReliabilityErrors.INVALID_RULE(file, 'expected an array of rules, or an object with one under "rules"')
  }
  return merge(list, base, where)
}
