import t from 'tap'
import { join } from 'node:path'
import type { Rule } from '../../../schemas/rule.js'
import { defaultRules } from '../../../plugin/rules/default-rules.js'
import { loadRulesFile, resolveRules } from '../../../plugin/rules/resolve-rules.js'

const INVALID_RULE = 'RELIABILITY_ERR_INVALID_RULE'
const codes = (rules: readonly Rule[]): string[] => rules.map((r) => r.code)
const DEFAULT_CODES = ['HIGH_CPU', 'HIGH_P95_LATENCY', 'SLOW_INGEST', 'LOW_CACHE_HIT_RATE', 'NO_ACTIVE_EDGES']

const custom = (code: string, extra: Partial<Rule> = {}): Rule => ({
  code,
  severity: 'critical',
  message: `${code} happened`,
  conditions: [{ path: 'performance.error_rate', op: '>', value: 0.5 }],
  ...extra
})

/** The thrown error, for asserting its code and the path it names. */
function errorOf (fn: () => unknown): { code?: string, message: string } {
  try {
    fn()
  } catch (err) {
    return err as { code?: string, message: string }
  }
  throw new Error('expected a throw')
}

/** What is not frozen, at any depth: [] when the whole list is. */
function unfrozen (rules: readonly Rule[]): string[] {
  const parts: Array<[string, object]> = [['rules', rules]]
  for (const rule of rules) {
    parts.push([rule.code, rule], [`${rule.code}.conditions`, rule.conditions])
    rule.conditions.forEach((c, i) => parts.push([`${rule.code}.conditions[${i}]`, c]))
  }
  return parts.filter(([, part]) => !Object.isFrozen(part)).map(([name]) => name)
}

t.test('no input: the defaults', async (t) => {
  const rules = resolveRules()
  t.same(rules, defaultRules)
  t.same(unfrozen(rules), [], 'deep-frozen')
  t.same(codes(resolveRules([])), DEFAULT_CODES, 'an empty list changes nothing')
})

t.test('a rule with a default\'s code replaces it in place', async (t) => {
  const rules = resolveRules([custom('HIGH_CPU', { severity: 'critical', for_s: 120 })])
  t.same(codes(rules), DEFAULT_CODES)
  t.match(rules[0], { code: 'HIGH_CPU', severity: 'critical', for_s: 120, message: 'HIGH_CPU happened' })
  t.equal(defaultRules[0].severity, 'warning', 'the defaults are untouched')
})

t.test('new codes are appended in order', async (t) => {
  const rules = resolveRules([custom('MANY_ERRORS'), custom('STALE_BROADCAST', { conditions: [{ path: 'websocket.last_broadcast_ts', op: '>', value: 60, of: 'age_s' }] })])
  t.same(codes(rules), [...DEFAULT_CODES, 'MANY_ERRORS', 'STALE_BROADCAST'])
  t.same(unfrozen(rules), [], 'deep-frozen')
})

t.test('enabled: false removes a code', async (t) => {
  t.same(codes(resolveRules([{ code: 'HIGH_CPU', enabled: false }])), DEFAULT_CODES.slice(1), 'short form')
  t.same(codes(resolveRules([custom('SLOW_INGEST', { enabled: false })])), DEFAULT_CODES.filter((c) => c !== 'SLOW_INGEST'), 'full form')
  t.same(codes(resolveRules([{ code: 'NOT_A_DEFAULT', enabled: false }])), DEFAULT_CODES, 'an unknown code: nothing to remove')
  t.same(codes(resolveRules([custom('MINE', { enabled: false })])), DEFAULT_CODES, 'a disabled new rule is not added')
})

t.test('a custom base', async (t) => {
  const base = [custom('A'), custom('B')]
  t.same(codes(resolveRules([custom('C'), { code: 'A', enabled: false }], base)), ['B', 'C'])
  t.same(codes(resolveRules(undefined, base)), ['A', 'B'])
  t.notOk(Object.isFrozen(base[0]), 'base is not frozen in place')
})

t.test('the input is cloned, never modified', async (t) => {
  const input = [custom('HIGH_CPU'), custom('MINE')]
  const snapshot = structuredClone(input)
  const rules = resolveRules(input)
  t.same(input, snapshot)
  t.notOk(Object.isFrozen(input[0]), 'input not frozen')
  input[1].conditions[0].value = 1
  t.equal(rules[5].conditions[0].value, 0.5, 'later changes to the input do not leak in')
})

t.test('invalid rules are rejected with the coded error naming the path', async (t) => {
  const ok = custom('MINE')
  const cases: Array<[string, unknown, string]> = [
    ['not an array', { rules: [] }, 'rules'],
    ['not an object', [ok, 'HIGH_CPU'], 'rules[1]'],
    ['bad op', [ok, custom('OTHER'), custom('X', { conditions: [{ path: 'a', op: '=>' as '>', value: 1 }] })], 'rules[2].conditions[0].op'],
    ['bad second condition', [custom('X', { conditions: [{ path: 'a', op: '>', value: 1 }, { path: '', op: '>', value: 1 }] })], 'rules[0].conditions[1].path'],
    ['missing severity', [{ code: 'X', message: 'm', conditions: ok.conditions }], 'rules[0].severity'],
    ['unknown severity', [custom('X', { severity: 'fatal' as 'info' })], 'rules[0].severity'],
    ['lower-case code', [custom('high_cpu')], 'rules[0].code'],
    ['unknown property', [{ ...ok, threshold: 3 }], 'rules[0].threshold'],
    ['no conditions', [custom('X', { conditions: [] })], 'rules[0].conditions'],
    ['negative for_s', [custom('X', { for_s: -1 })], 'rules[0].for_s'],
    ['object as value', [custom('X', { conditions: [{ path: 'a', op: '==', value: {} as number }] })], 'rules[0].conditions[0].value'],
    ['ordering a string', [custom('X', { conditions: [{ path: 'a', op: '>', value: '5' }] })], 'rules[0].conditions[0].value'],
    ['age_s against a string', [custom('X', { conditions: [{ path: 'a', op: '==', value: 'old', of: 'age_s' }] })], 'rules[0].conditions[0].value'],
    ['switch-off with extra keys', [{ code: 'HIGH_CPU', enabled: false, severity: 'info' }], 'rules[0].message'],
    ['duplicate code', [ok, custom('OTHER'), custom('MINE')], 'rules[2].code']
  ]
  for (const [name, input, path] of cases) {
    const err = errorOf(() => resolveRules(input))
    t.equal(err.code, INVALID_RULE, `${name}: code`)
    t.ok(err.message.includes(`"${path}"`), `${name}: names ${path} (${err.message})`)
  }
})

t.test('loadRulesFile', async (t) => {
  const dir = t.testdir({
    'list.json': JSON.stringify([custom('MINE'), { code: 'HIGH_CPU', enabled: false }]),
    'wrapped.json': JSON.stringify({ rules: [custom('HIGH_P95_LATENCY', { for_s: 30 })] }),
    'broken.json': '{"rules": SECRET}',
    'no-rules.json': JSON.stringify({ rule: [] }),
    'scalar.json': '42',
    'bad-rule.json': JSON.stringify({ rules: [custom('MINE'), custom('X', { severity: 'fatal' as 'info' })] })
  })
  const file = (name: string): string => join(dir, name)

  t.same(codes(loadRulesFile(file('list.json'))), [...DEFAULT_CODES.slice(1), 'MINE'], 'a bare array')
  const wrapped = loadRulesFile(file('wrapped.json'))
  t.equal(wrapped.find((r) => r.code === 'HIGH_P95_LATENCY')?.for_s, 30, '{ rules: [...] }')
  t.same(unfrozen(wrapped), [], 'deep-frozen')
  t.same(codes(loadRulesFile(file('wrapped.json'), [])), ['HIGH_P95_LATENCY'], 'over a custom base')

  const broken = errorOf(() => loadRulesFile(file('broken.json')))
  t.equal(broken.code, INVALID_RULE, 'invalid JSON: code')
  t.ok(broken.message.includes(file('broken.json')), 'invalid JSON: names the file')
  t.notOk(broken.message.includes('SECRET'), 'invalid JSON: the content is not quoted')

  for (const name of ['no-rules.json', 'scalar.json', 'missing.json']) {
    const err = errorOf(() => loadRulesFile(file(name)))
    t.equal(err.code, INVALID_RULE, `${name}: code`)
    t.ok(err.message.includes(file(name)), `${name}: names the file`)
  }

  const bad = errorOf(() => loadRulesFile(file('bad-rule.json')))
  t.equal(bad.code, INVALID_RULE)
  t.ok(bad.message.includes('rules[1].severity') && bad.message.includes(file('bad-rule.json')), 'names the path and the file')
})
