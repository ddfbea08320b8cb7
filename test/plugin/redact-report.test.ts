import t, { type Test } from 'tap'
import { Type } from '@sinclair/typebox'
import { createRedactor } from '../../plugin/redact.js'
import {
  MAX_FREE_DEPTH, MAX_FREE_NODES, MAX_KEY_LENGTH, MAX_PROSE_LENGTH, MAX_VALUE_LENGTH,
  redactBySchema, redactReport
} from '../../plugin/redact-report.js'
import { emptySections } from '../../plugin/assemble-sections.js'
import { emptySetup } from '../../plugin/report-setup.js'
import { ReliabilityReport, type ReliabilityReport as Report } from '../../schemas/report.js'

const TOKEN = 'tok_5d4c3b2a1f'
const redact = createRedactor([TOKEN])
const leaky = `connect postgres://app:pw-planted@db/x failed; password=kv-planted; Bearer ${TOKEN}`
const SECRETS = ['pw-planted', 'kv-planted', TOKEN]

function report (patch: Partial<Report> = {}): Report {
  return {
    timestamp: '2026-01-01T00:00:00.000Z',
    overall_status: 'degraded',
    health_version: 'v2',
    ...emptySections(60_000),
    anomalies: [],
    diagnosis: [],
    notes: [],
    sources: {},
    setup: emptySetup(),
    generation_time_ms: 1,
    include_traces: false,
    ...patch
  }
}

function clean (t: Test, value: unknown, what: string): void {
  const text = JSON.stringify(value)
  for (const secret of SECRETS) t.notOk(text.includes(secret), `${what}: no ${secret}`)
}

t.test('every string of the report is redacted, wherever it sits', async (t) => {
  const input = report({
    services: [{ name: `svc ${leaky}`, status: 'down', critical: true, latency_ms: 1, error: leaky, details: { why: leaky, list: [leaky, 1], deep: { deeper: { text: leaky } } } }],
    sources: { cache: { status: 'error', duration_ms: 1, age_ms: null, error: leaky } },
    notes: [leaky],
    traces: [{ source: 'cache', started_at: '2026-01-01T00:00:00.000Z', duration_ms: 1, outcome: 'error', error: leaky }],
    anomalies: [{ code: 'X', severity: 'info', message: leaky, value: leaky, threshold: leaky, context: { 'a.b': leaky }, since: '2026-01-01T00:00:00.000Z' }],
    model_registry: { models: [{ name: leaky, version: leaky, status: leaky, loaded_at: leaky }], default_model: leaky }
  })
  input.infrastructure.hostname = leaky
  input.infrastructure.node_version = leaky
  input.edge_engine.last_edge_created_ts = leaky
  const out = redactReport(input, redact)
  clean(t, out, 'report')
  t.equal(out.services[0].error, 'connect postgres://***@db/x failed; password=***; Bearer ***')
  t.equal((out.services[0].details?.deep as { deeper: { text: string } }).deeper.text, out.services[0].error, 'three levels down')
  t.same(out.services[0].details?.list, [out.services[0].error, 1])
  t.equal(out.notes[0], out.services[0].error)
  t.equal(out.anomalies[0].context['a.b'], out.services[0].error)
  t.equal(out.overall_status, 'degraded', 'everything else as it was')
  t.equal(out.metrics.window_ms, 60_000)
  t.equal(input.notes[0], leaky, 'the input is not changed')
})

t.test('a field added to the schema later is redacted with no change to the walk', async (t) => {
  // SPEC §9's diagnosis, not in the report yet: a schema that has it is all the walk needs.
  const WithDiagnosis = Type.Composite([ReliabilityReport, Type.Object({
    diagnosis: Type.Array(Type.Object({ code: Type.String(), summary: Type.String(), evidence: Type.Array(Type.Object({ path: Type.String(), value: Type.Unknown() })) }))
  })])
  const input = { ...report(), diagnosis: [{ code: 'WAITING_ON_DEPENDENCY', summary: leaky, evidence: [{ path: 'services.0.error', value: { said: leaky, password: 'x' } }] }] }
  const out = redactBySchema(input, WithDiagnosis, redact)
  clean(t, out, 'diagnosis')
  t.equal(out.diagnosis[0].code, 'WAITING_ON_DEPENDENCY')
  t.match(out.diagnosis[0].summary, 'postgres://***@db')
  t.same(out.diagnosis[0].evidence[0].value, { said: 'connect postgres://***@db/x failed; password=***; Bearer ***' })
})

t.test('keys the schema does not declare are dropped, as the route drops them', async (t) => {
  const input = report() as Report & Record<string, unknown>
  input.internal = { secret: 'hunter2' };
  (input.cache as Record<string, unknown>).password = 'hunter2'
  input.services = [{ name: 'db', status: 'ok', critical: false, latency_ms: 1, extra: 'hunter2' } as never]
  const out = redactReport(input, redact)
  t.notOk('internal' in out)
  t.notOk('password' in out.cache)
  t.same(Object.keys(out.services[0]), ['name', 'status', 'critical', 'latency_ms'])
  t.notMatch(JSON.stringify(out), 'hunter2')
})

t.test('keys of free-form maps: secret names dropped, the rest redacted and capped', async (t) => {
  const details = {
    host: 'db.internal',
    dbPass: 'plain-1',
    db_pwd: 'plain-2',
    nested: { connectionString: 'plain-3', port: 5432 },
    'postgres://app:hunter-planted@db': 'ok',
    ['k'.repeat(500)]: 1,
    tokens_used: 12
  }
  const out = redactReport(report({ services: [{ name: 'db', status: 'ok', critical: false, latency_ms: 1, details }] }), redact)
  const shown = out.services[0].details ?? {}
  t.same(shown.nested, { port: 5432 })
  t.equal(shown.host, 'db.internal')
  t.equal(shown.tokens_used, 12, 'a count of tokens is not a secret')
  t.ok('postgres://***@db' in shown, 'a key is redacted')
  t.ok(Object.keys(shown).some((k) => k.length === MAX_KEY_LENGTH && k.endsWith('…')), 'a long key is capped')
  t.notMatch(JSON.stringify(out), /plain-|hunter-planted/)
})

t.test('strings are capped: values at 200, sentences at 500, after redaction', async (t) => {
  const long = 'x'.repeat(1_000_000)
  const input = report({
    services: [{ name: long, status: 'down', critical: false, latency_ms: 1, error: long, details: { error: long } }],
    notes: [long],
    sources: { s: { status: 'error', duration_ms: 1, age_ms: null, error: long } },
    anomalies: [{ code: 'X', severity: 'info', message: long, value: long, threshold: 1, context: {}, since: 'now' }]
  })
  input.infrastructure.node_version = long
  const out = redactReport(input, redact)
  const lengths = {
    name: out.services[0].name.length,
    error: out.services[0].error?.length,
    detail: (out.services[0].details?.error as string).length,
    note: out.notes[0].length,
    sourceError: out.sources.s.error?.length,
    message: out.anomalies[0].message.length,
    value: (out.anomalies[0].value as string).length,
    nodeVersion: out.infrastructure.node_version?.length
  }
  t.same(lengths, {
    name: MAX_VALUE_LENGTH,
    error: MAX_PROSE_LENGTH,
    detail: MAX_VALUE_LENGTH, // a source's own `error` key is a value, not our sentence
    note: MAX_PROSE_LENGTH,
    sourceError: MAX_PROSE_LENGTH,
    message: MAX_PROSE_LENGTH,
    value: MAX_VALUE_LENGTH,
    nodeVersion: MAX_VALUE_LENGTH
  })
  t.match(out.notes[0], /^x+…$/)
  // Redacted before the cut: a password that straddles the cap is not left half shown.
  const straddling = 'y'.repeat(180) + ' postgres://app:pw-planted@db/x'
  t.equal(redactReport(report({ services: [{ name: straddling, status: 'ok', critical: false, latency_ms: 1 }] }), redact).services[0].name,
    'y'.repeat(180) + ' postgres://***@db/x')
})

t.test('a secret cut in two by a source\'s own cap is not left half shown', async (t) => {
  // The sidecar caps upstream text where it reads it, without knowing the configured token.
  const cut = 'auth failed for ' + TOKEN.slice(0, 7) + '…'
  const out = redactReport(report({ notes: [cut] }), redact)
  t.equal(out.notes[0], 'auth failed for ***…')
})

t.test('free-form values are made JSON and bounded', async (t) => {
  const cyclic: Record<string, unknown> = { name: 'loop' }
  cyclic.self = cyclic
  let deep: Record<string, unknown> = { leaf: true }
  for (let i = 0; i < 50; i++) deep = { down: deep }
  const wide = Array.from({ length: 100_000 }, (_, i) => i)
  const throwing = Object.defineProperty({ ok: 1 }, 'boom', { enumerable: true, get () { throw new Error('getter') } })
  const details = {
    when: new Date('2026-01-01T00:00:00Z'),
    url: new URL('https://app:pw-planted@api.example.com/v1'),
    big: 12345678901234567890n,
    fn: () => 1,
    sym: Symbol('s'),
    undef: undefined,
    throwing,
    cyclic,
    deep,
    wide,
    brokenJson: { toJSON () { throw new Error('no') } }
  }
  const out = redactReport(report({ services: [{ name: 'db', status: 'ok', critical: false, latency_ms: 1, details }] }), redact)
  const shown = out.services[0].details as Record<string, unknown>
  t.equal(shown.when, '2026-01-01T00:00:00.000Z')
  t.equal(shown.url, 'https://***@api.example.com/v1')
  t.equal(shown.big, '12345678901234567890')
  for (const key of ['fn', 'sym', 'undef', 'brokenJson']) t.notOk(key in shown, `${key} dropped`)
  t.same(shown.throwing, { ok: 1 }, 'a getter that throws loses its key only')
  // Cycles and depth end at MAX_FREE_DEPTH levels below `details`.
  let level: unknown = shown.deep
  let levels = 0
  while (typeof level === 'object' && level !== null) { level = (level as { down: unknown }).down; levels++ }
  t.equal(levels, MAX_FREE_DEPTH - 1)
  t.equal(level, '…')
  t.ok(JSON.stringify(shown.cyclic).length < 200, 'a cycle ends')
  t.ok((shown.wide as unknown[]).length < MAX_FREE_NODES, 'a huge array is cut')
  t.doesNotThrow(() => JSON.stringify(out))
})

t.test('arrays outside free-form values keep every item; only their strings change', async (t) => {
  const models = Array.from({ length: 1000 }, (_, i) => ({ name: `m${i}`, version: '1', status: 'loaded' }))
  const out = redactReport(report({ model_registry: { models } }), redact)
  t.equal(out.model_registry.models.length, 1000)
  t.same(out.model_registry.models[999], { name: 'm999', version: '1', status: 'loaded' })
})

t.test('a value not of its field\'s kind is walked as free-form, so bounded', async (t) => {
  const wide: Record<string, unknown> = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))
  wide.password = 'hunter2'
  wide.self = wide
  const input = report()
  input.model_registry.default_model = wide as never
  const out = redactReport(input, redact)
  t.ok(Object.keys(out.model_registry.default_model as unknown as object).length <= MAX_FREE_NODES, 'bounded from its top')
  t.doesNotThrow(() => JSON.stringify(out))
  t.notMatch(JSON.stringify(out), 'hunter2')
})
