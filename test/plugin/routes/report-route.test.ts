import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { ReliabilityReport } from '../../../schemas/report.js'
import { buildApp } from '../../helpers/build-app.js'

const path = '/api/v2/diagnostics/reliability'

t.test('the report route answers 200 with the report and its headers', async (t) => {
  const { app } = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject(path)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.headers['x-reliability-version'], 'v1')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json()
  t.ok(Value.Check(ReliabilityReport, body), 'the body matches the report schema')
  t.equal(body.health_version, 'v2')
  t.equal(body.include_traces, false)
  t.notOk('traces' in body, 'no traces unless asked')
})

t.test('include_traces', async (t) => {
  const { app } = await buildApp({ sources: { cache: async () => ({ hits: 1, misses: 1 }) } })
  t.teardown(() => app.close())
  const cases = [
    { query: '', traces: false },
    { query: '?include_traces=false', traces: false },
    { query: '?include_traces=true', traces: true }
  ]
  for (const { query, traces } of cases) {
    const body = (await app.inject(path + query)).json()
    t.equal(body.include_traces, traces, `include_traces echoed for "${query}"`)
    t.equal(Array.isArray(body.traces), traces, `traces present only when asked for "${query}"`)
    if (traces) {
      t.same(body.traces.map((s: { source: string }) => s.source).sort(), ['cache', 'event_loop', 'http', 'process'])
      t.ok(body.traces.every((s: { outcome: string }) => s.outcome === 'ok'))
    }
  }
})

t.test('a bad query value is a 400 naming the parameter', async (t) => {
  const { app } = await buildApp()
  t.teardown(() => app.close())
  for (const query of ['include_traces=maybe', 'include_traces=1', 'include_traces=', 'include_traces=true&include_traces=false', 'include_traces=TRUE']) {
    const res = await app.inject(`${path}?${query}`)
    t.equal(res.statusCode, 400, query)
    const body = res.json()
    t.equal(body.code, 'RELIABILITY_ERR_INVALID_QUERY', query)
    t.match(body.message, /include_traces/, `${query}: the error names the parameter`)
    t.equal(res.headers['cache-control'], 'no-store')
  }
  t.equal((await app.inject(`${path}?unrelated=1`)).statusCode, 200, 'unknown parameters are ignored')
})

t.test('the serializer drops a key the schema does not declare', async (t) => {
  const { app } = await buildApp({
    sources: {
      // A user source that hands back more than its section declares.
      cache: async () => ({ hits: 3, misses: 1, password: 'hunter2', internal: { secret: true } }) as never
    }
  })
  t.teardown(() => app.close())
  const res = await app.inject(path)
  t.equal(res.statusCode, 200)
  t.same(res.json().cache, { hits: 3, misses: 1, operations: 4, hit_rate: 0.75 })
  t.notMatch(res.body, /hunter2|internal/)
})

t.test('bytes are built once per generation and variant', async (t) => {
  let calls = 0
  const { app } = await buildApp({ builtinSources: false, sources: { cache: async () => { calls++; return { hits: 1, misses: 0 } } } })
  t.teardown(() => app.close())
  const a = await app.inject(path)
  const b = await app.inject(path)
  t.equal(a.body, b.body, 'same bytes from the cache')
  t.equal(calls, 1, 'one generation (at ready) serves both')
  const traced = await app.inject(`${path}?include_traces=true`)
  t.not(traced.body, a.body)
  t.equal(calls, 1, 'the traced variant comes from the same generation')
})

t.test('the route path is configurable', async (t) => {
  const { app } = await buildApp({ path: '/internal/rel' })
  t.teardown(() => app.close())
  t.equal((await app.inject('/internal/rel')).statusCode, 200)
  t.equal((await app.inject(path)).statusCode, 404)
})

t.test('a broken orchestrator answers 500 with a structured minimal report', async (t) => {
  // The clock is the one dependency every generation has: break it once the app is ready.
  let broken = false
  const { app, logs } = await buildApp({
    builtinSources: false,
    cacheTtlMs: 0,
    maxStaleMs: 0,
    clock: () => { if (broken) throw new Error('clock broke'); return Date.now() }
  })
  t.teardown(() => app.close())
  await app.ready()
  broken = true
  const res = await app.inject(path)
  t.equal(res.statusCode, 500)
  const body = res.json()
  t.equal(body.overall_status, 'down')
  t.ok(Value.Check(ReliabilityReport, body), 'the 500 body is still a report')
  t.notMatch(res.body, 'clock broke', 'no internals in the answer')
  t.ok(logs.some((l) => l.level === 50 && (l.err as { message?: string })?.message === 'clock broke'), 'logged at error with err')
})
