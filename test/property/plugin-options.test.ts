// Properties of resolveOptions (issue 5, STYLE §3): options built from valid values with some
// replaced by bad ones resolve exactly when none is bad, to a frozen object, and are refused
// otherwise with RELIABILITY_ERR_INVALID_OPTION naming a bad option's path (a bad rule inside
// `rules` is RELIABILITY_ERR_INVALID_RULE naming `rules[i]…`, as resolveRules reports it); any
// other value, object or not, is one of those outcomes too, never another error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import fc from 'fast-check'
import { resolveOptions, type ReliabilityOptions } from '../../plugin/resolve-options.js'

// Run counts are sized for a few seconds per file on a loaded 2-core CI machine; FC_RUNS_SCALE=20
// multiplies them for a longer hunt (a failure prints the seed and path that replay it).
const runs = (n: number): number => Math.max(1, Math.round(n * (Number(process.env.FC_RUNS_SCALE) || 1)))

// Rules files: `rules` may be a path, and resolveOptions reads it. Only these paths are generated.
const dir = mkdtempSync(join(tmpdir(), 'reliability-options-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string, text: string): string => {
  const at = join(dir, name)
  writeFileSync(at, text)
  return at
}
const goodRulesFile = file('good.json', JSON.stringify([{ code: 'HOT', severity: 'warning', message: 'hot', conditions: [{ path: 'temp.c', op: '>', value: 30 }] }]))
const wrappedRulesFile = file('wrapped.json', JSON.stringify({ rules: [{ code: 'HIGH_CPU', enabled: false }] }))
const brokenRulesFile = file('broken.json', '[{"code": ')
const badRulesFile = file('bad.json', JSON.stringify([{ code: 'lower', severity: 'warning', message: 'x', conditions: [] }]))
const missingRulesFile = join(dir, 'missing.json')

const fn = fc.constantFrom(() => true, async () => ({}), function named () { return 1 })
const ms = (min: number) => fc.oneof(fc.constantFrom(min, 86_400_000), fc.integer({ min, max: 86_400_000 }))
const path = fc.string({ maxLength: 12 }).map((s) => `/${s}`)

const validRule = fc.record({
  code: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/),
  severity: fc.constantFrom('info', 'warning', 'critical'),
  message: fc.string({ minLength: 1, maxLength: 10 }),
  conditions: fc.array(fc.record({ path: fc.constantFrom('cache.hit_rate', 'performance.cpu_percent'), op: fc.constantFrom('>', '<', '=='), value: fc.integer() }), { minLength: 1, maxLength: 2 }),
  for_s: fc.nat(60)
}, { requiredKeys: ['code', 'severity', 'message', 'conditions'] })
const services = fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), critical: fc.boolean(), check: fn }, { requiredKeys: ['name', 'check'] }), { selector: (s) => s.name, maxLength: 3 })

/** Each option, valid. */
const valid: Record<string, fc.Arbitrary<unknown>> = {
  path,
  healthPath: fc.oneof(path, fc.constant(false)),
  sourceTimeoutMs: ms(1),
  cacheTtlMs: ms(0),
  maxStaleMs: ms(0),
  windowMs: ms(100),
  failOn: fc.constantFrom('down', 'degraded'),
  token: fc.string({ minLength: 1, maxLength: 20 }),
  authorize: fn,
  rules: fc.oneof(
    fc.uniqueArray(validRule, { selector: (r) => r.code, maxLength: 3 }),
    fc.constant([{ code: 'HIGH_CPU', enabled: false }]),
    fc.constantFrom(goodRulesFile, wrappedRulesFile)
  ),
  sources: fc.record({ services, cache: fn, edge_engine: fn, ingestion: fn, websocket: fn, model_registry: fn }, { requiredKeys: [] }),
  prefix: fc.string({ maxLength: 8 }),
  logLevel: fc.constantFrom('info', 'debug', 'silent'),
  logSerializers: fc.anything({ maxDepth: 1 })
}

const notMs = (min: number) => fc.constantFrom(min - 1, 1.5, '1000', NaN, Infinity, -Infinity, 86_400_001, null, true, [], {})
/** Each option, bad; `rule` marks values that pass the options schema and fail in resolveRules. */
const bad: Record<string, fc.Arbitrary<unknown>> = {
  path: fc.constantFrom('', 'x', 'api/x', 5, null, false, {}),
  healthPath: fc.constantFrom('', 'health', true, 0, null),
  sourceTimeoutMs: notMs(1),
  cacheTtlMs: notMs(0),
  maxStaleMs: notMs(0),
  windowMs: notMs(100),
  failOn: fc.constantFrom('up', '', 'DOWN', null, 1),
  token: fc.constantFrom('', 5, null, {}),
  authorize: fc.constantFrom('fn', {}, true, null),
  rules: fc.constantFrom(5, {}, '', null, true),
  sources: fc.constantFrom<unknown>(5, 'x', null, { unknown: () => 1 }, { cache: 'x' }, { services: [{ name: '', check: () => 1 }] },
    { services: [{ name: 'a' }] }, { services: [{ name: 'a', check: () => 1, extra: 1 }] }, { services: {} },
    // Repeated names pass the schema and are refused after it.
    { services: [{ name: 'a', check: () => 1 }, { name: 'a', check: async () => 1 }] }),
  prefix: fc.constantFrom(5, null, {}),
  logLevel: fc.constantFrom(5, null, [])
}
/** Values the options schema accepts for `rules` and resolveRules refuses. */
const badRules = fc.constantFrom<unknown>(
  [{ code: 'bad' }], [{ code: 'HOT', severity: 'warning', message: 'x', conditions: [{ path: 'a', op: '>', value: 'x' }] }],
  [{ code: 'A', enabled: false }, { code: 'A', enabled: false }], [5], [null],
  brokenRulesFile, badRulesFile, missingRulesFile
)
// Unknown keys, typos among them, and keys with `/` or `~` (named as written, not as a JSON pointer).
// The plugin's internals (createReliabilityPlugin's) are not options: unknown here (issue 10.2).
const unknownKey = fc.oneof(
  fc.constantFrom('cacheTTL', 'timeout', 'source', 'Path', 'rule', 'health_path', '__proto__', 'a/b', 'x~y',
    'builtinSources', 'extraSources', 'expectedSources', 'clock'),
  fc.string({ maxLength: 8 }).filter((k) => !(k in valid))
)

type Mutation = { key: string, kind: 'schema' | 'rule' | 'unknown' }
const options = fc.record({
  chosen: fc.subarray(Object.keys(valid)),
  mutations: fc.array(fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...Object.keys(bad)).chain((key) => bad[key].map((value) => ({ key, value, kind: 'schema' as const }))) },
    { weight: 2, arbitrary: badRules.map((value) => ({ key: 'rules', value, kind: 'rule' as const })) },
    { weight: 1, arbitrary: fc.tuple(unknownKey, fc.anything({ maxDepth: 1 })).map(([key, value]) => ({ key, value, kind: 'unknown' as const })) }
  ), { maxLength: 2 }),
  values: fc.record(valid, { requiredKeys: [] })
}).map(({ chosen, mutations, values }) => {
  const input: Record<string, unknown> = {}
  for (const key of chosen) if (key in values) input[key] = (values as Record<string, unknown>)[key]
  const applied = new Map<string, Mutation>()
  for (const m of mutations) {
    // A later mutation of the same key replaces the earlier one.
    Object.defineProperty(input, m.key, { value: m.value, enumerable: true, writable: true, configurable: true })
    applied.set(m.key, { key: m.key, kind: m.kind })
  }
  return { input, mutations: [...applied.values()] }
})

/**
 * What the error names: the option's path (`sources.services.1.name`) or the rule's (`rules[0].code`).
 * Greedy: an unknown key is shown as typed, quotes included, and no reason holds `": `.
 */
function named (message: string): string | undefined {
  return /^invalid option "(.*)": /s.exec(message)?.[1] ?? /^invalid rule at "(.*)": /s.exec(message)?.[1]
}
const under = (field: string, key: string): boolean =>
  field === key || field.startsWith(`${key}.`) || field.startsWith(`${key}[`) || (key === 'rules' && field.startsWith(dir))

function check (input: unknown, mutations: Mutation[] | undefined): void {
  let resolved
  try {
    resolved = resolveOptions(input as ReliabilityOptions)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (!(err instanceof Error) || (code !== 'RELIABILITY_ERR_INVALID_OPTION' && code !== 'RELIABILITY_ERR_INVALID_RULE')) throw err
    const field = named(err.message)
    if (field === undefined) throw new Error(`names no path: ${err.message}`)
    if (mutations === undefined) return
    if (mutations.length === 0) throw new Error(`valid options refused: ${err.message}`)
    const culprit = mutations.find((m) => under(field, m.key))
    if (culprit === undefined) throw new Error(`names ${field}, not one of ${mutations.map((m) => m.key).join(', ')}`)
    // A bad rule is reported as a rule only once the options schema passed.
    const ruleCode = code === 'RELIABILITY_ERR_INVALID_RULE'
    if (ruleCode !== (culprit.kind === 'rule')) throw new Error(`${code} for a ${culprit.kind} mistake in ${culprit.key}`)
    return
  }
  if (mutations !== undefined && mutations.length > 0) throw new Error(`bad options resolved: ${mutations.map((m) => m.key).join(', ')}`)
  if (!Object.isFrozen(resolved) || !Object.isFrozen(resolved.sources) || !Object.isFrozen(resolved.extraSources) || !Object.isFrozen(resolved.rules)) {
    throw new Error('not frozen')
  }
  // No options at all are the defaults.
  const given = (input ?? {}) as ReliabilityOptions
  if (resolved.cacheTtlMs !== (given.cacheTtlMs ?? 30_000)) throw new Error('cacheTtlMs')
  if (resolved.maxStaleMs !== (given.maxStaleMs ?? resolved.cacheTtlMs * 2)) throw new Error('maxStaleMs')
  // Two ideas, two names (issue 10.2): a source's last good value is shown as long as the cache may serve stale.
  if (resolved.lastGoodMaxAgeMs !== resolved.maxStaleMs) throw new Error('lastGoodMaxAgeMs')
  if (resolved.path !== (given.path ?? '/api/v2/diagnostics/reliability')) throw new Error('path')
  if (typeof resolved.clock !== 'function') throw new Error('clock')
}

t.test('options from valid values with some made bad: resolved exactly when none is bad, else the bad one is named', async (t) => {
  let resolved = 0
  let refused = 0
  await fc.assert(fc.asyncProperty(options, async ({ input, mutations }) => {
    check(input, mutations)
    if (mutations.length === 0) resolved++
    else refused++
  }), { numRuns: runs(1500) })
  t.ok(resolved > 100 && refused > 100, `both outcomes exercised (resolved: ${resolved}, refused: ${refused})`)
})

t.test('any value at all: frozen options or a coded error naming a path, never another error', async (t) => {
  // A `rules` string is a file path: random ones would read random files, so they are left out.
  const anything = fc.oneof(fc.anything(), fc.object(), fc.dictionary(fc.constantFrom(...Object.keys(valid)), fc.anything({ maxDepth: 2 })))
    .filter((v) => !(typeof v === 'object' && v !== null && typeof (v as { rules?: unknown }).rules === 'string'))
  await fc.assert(fc.asyncProperty(anything, async (input) => check(input, undefined)), { numRuns: runs(1500) })
  t.pass('coded errors only')
})

t.test('regression: an unknown key is named by its raw JSON pointer (found by the first property)', async (t) => {
  for (const [key, shown] of [['a/b', 'a/b'], ['a~b', 'a~b']]) {
    let message = ''
    try {
      resolveOptions({ [key]: 1 } as ReliabilityOptions)
    } catch (err) {
      message = (err as Error).message
    }
    t.equal(named(message), shown, `${key} is named as written`)
  }
})

t.test('the plugin\'s internals are not options: refused by name, taken only by createReliabilityPlugin (issue 10.2)', async (t) => {
  const internals = { builtinSources: false, extraSources: [], expectedSources: ['x'], clock: () => 1 }
  for (const [key, value] of Object.entries(internals)) {
    t.throws(() => resolveOptions({ [key]: value } as ReliabilityOptions), { code: 'RELIABILITY_ERR_INVALID_OPTION', message: new RegExp(`"${key}"`) }, key)
  }
  const resolved = resolveOptions({}, internals)
  t.match(resolved, { builtinSources: false, expectedSources: ['x'] })
  t.equal(resolved.clock(), 1)
  t.ok(Object.isFrozen(resolved.expectedSources), 'copied and frozen')
})
