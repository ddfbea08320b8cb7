// Issue 8, item 1: a report the serializer cannot write (a NaN, a value of the wrong type) made the
// report route answer the canned "down" 500 for every request, with a stack trace each time, while
// /health and /metrics went on reading that same report and said pass / ok. Now a non-finite number
// is null with a note before the report is cached; anything else the serializer rejects is answered
// with the last report that serialised, marked stale. Either way the three answers agree and the
// failure is logged once, not per request. Generations are driven by refresh() under a long TTL, so
// each step is one known report.
import t, { type Test } from 'tap'
import { Value } from '@sinclair/typebox/value'
import { ReliabilityReport } from '../../../schemas/report.js'
import { buildApp, manualClock } from '../../helpers/build-app.js'
import type { ReportPatch, Source } from '../../../plugin/sources/source.js'

const path = '/api/v2/diagnostics/reliability'

/** A source whose next answer the test sets. */
function switchable (first: ReportPatch): { source: Source, set: (patch: ReportPatch) => void } {
  let patch = first
  return { source: { name: 'probe', collect: async () => patch }, set: (p) => { patch = p } }
}

const good = (cpu: number): ReportPatch => ({ performance: { cpu_percent: cpu } })

async function rig (t: Test, first: ReportPatch) {
  const clock = manualClock()
  const probe = switchable(first)
  const { app, logs } = await buildApp({
    builtinSources: false,
    extraSources: [probe.source],
    expectedSources: ['probe'],
    cacheTtlMs: 60_000,
    maxStaleMs: 60_000,
    clock: clock.now
  })
  t.teardown(() => app.close())
  await app.ready()
  const errors = () => logs.filter((l) => (l.level as number) >= 50)
  return { app, logs, errors, clock, set: probe.set }
}

/** The next generation, 5 s later, read three times: each a 200 (never the canned 500). */
async function nextGenerationThrice (t: Test, r: Awaited<ReturnType<typeof rig>>) {
  r.clock.advance(5_000)
  await r.app.reliability.refresh()
  const answers = []
  for (let i = 0; i < 3; i++) answers.push(await r.app.inject(path))
  for (const res of answers) t.equal(res.statusCode, 200, 'a 200, not the canned 500')
  return { answers, body: answers[0].json() }
}

t.test('a report holding NaN or ±Inf is never cached: those numbers are null with a note, and all three answers agree', async (t) => {
  const r = await rig(t, good(12))
  t.equal((await r.app.inject(path)).statusCode, 200)

  // The source also fails, so the report is degraded: /health must say so from the same report.
  r.set({ performance: { cpu_percent: NaN, event_loop_delay_p99_ms: Infinity, requests_per_s: 3 }, provenance: { status: 'error', error: 'probe broke' } })
  const { body } = await nextGenerationThrice(t, r)
  t.ok(Value.Check(ReliabilityReport, body), 'a report by its schema')
  t.equal(body.performance.cpu_percent, null)
  t.equal(body.performance.event_loop_delay_p99_ms, null)
  t.equal(body.performance.requests_per_s, 3, 'the finite figures stay')
  t.ok(body.notes.includes('report: performance.cpu_percent, performance.event_loop_delay_p99_ms were not a finite number, so null.'), 'a note lists them')
  t.equal(body.overall_status, 'degraded', 'the current report, not an older one')
  t.equal(body.timestamp, '2026-01-01T00:00:05.000Z')
  const health = await r.app.inject('/health')
  t.same(health.json(), { status: 'warn' }, '/health reads the same report')
  t.equal((await r.app.reliability.report()).performance.cpu_percent, null, 'the decorator (the sidecar /metrics reads it) too')

  r.clock.advance(5_000)
  await r.app.reliability.refresh()
  t.equal((await r.app.inject(path)).statusCode, 200)
  t.same(r.errors(), [], 'nothing at error')
  t.same(r.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('finite')).map((l) => [l.level, l.msg, l.paths]),
    [[40, 'a report held numbers that are not finite; shown as null', ['performance.cpu_percent', 'performance.event_loop_delay_p99_ms']]],
    'logged once, at warn, naming the paths, for two generations and four requests')

  r.set(good(30))
  r.clock.advance(5_000)
  await r.app.reliability.refresh()
  const fixed = (await r.app.inject(path)).json()
  t.equal(fixed.performance.cpu_percent, 30, 'a good report again')
  t.notOk(fixed.notes.some((n: string) => n.startsWith('report:')), 'no note')
  t.ok(r.logs.some((l) => l.msg === 'reports hold only finite numbers again' && l.level === 30), 'the recovery logged at info')
})

t.test('serialization fails anyway: the last report that serialised, marked stale, logged once, and /health agrees', async (t) => {
  const r = await rig(t, good(12))
  t.equal((await r.app.inject(path)).statusCode, 200)

  // A string where the schema wants a number passes the finite-number guard; the serializer throws.
  r.set({ performance: { cpu_percent: 'twelve' as never }, provenance: { status: 'error', error: 'probe broke' } })
  const { body, answers } = await nextGenerationThrice(t, r)
  t.ok(Value.Check(ReliabilityReport, body))
  t.equal(body.performance.cpu_percent, 12, 'the last good figures')
  t.equal(body.overall_status, 'ok')
  t.match(body.notes[0], /^report: serving the last good report, generated 2026-01-01T00:00:00.000Z \(\d+ s ago\), marked stale: the newest one could not be serialised \(see the service log\)\.$/)
  t.equal(body.sources.probe.status, 'stale')
  t.equal(answers[1].body, answers[0].body, 'the same bytes for the next requests')
  const traced = await r.app.inject(`${path}?include_traces=true`)
  t.equal(traced.statusCode, 200, 'the traced variant too')
  t.equal(traced.json().performance.cpu_percent, 12)
  t.same((await r.app.inject('/health')).json(), { status: 'pass' }, '/health reads the replacement, not the degraded report')
  t.equal((await r.app.reliability.report()).overall_status, 'ok', 'and so does the decorator')

  // Another generation that fails the same way: served the same way, not logged again.
  r.clock.advance(5_000)
  await r.app.reliability.refresh()
  t.equal((await r.app.inject(path)).statusCode, 200)
  const errors = r.errors()
  t.equal(errors.length, 1, 'one error line for two generations and five requests')
  t.equal(errors[0].msg, 'the report could not be serialised; serving the last good one marked stale')
  t.ok((errors[0].err as { message?: string }).message, 'with the serializer error under err')

  r.set(good(30))
  r.clock.advance(5_000)
  await r.app.reliability.refresh()
  const fixed = await r.app.inject(path)
  t.equal(fixed.json().performance.cpu_percent, 30)
  t.notOk(fixed.json().notes.some((n: string) => n.startsWith('report: serving')))
  t.ok(r.logs.some((l) => l.msg === 'the report serialises again' && l.level === 30))

  // Failing again after recovering is a new episode: logged again, once.
  r.set({ performance: { cpu_percent: 'thirty' as never } })
  r.clock.advance(5_000)
  await r.app.reliability.refresh()
  const again = (await r.app.inject(path)).json()
  t.equal(again.performance.cpu_percent, 30, 'the newest good report is the fallback now')
  t.equal(r.errors().length, 2)
})

t.test('serialization fails with no report served before: the structured 500, still logged once', async (t) => {
  const r = await rig(t, { performance: { cpu_percent: 'twelve' as never } })
  const a = await r.app.inject(path)
  const b = await r.app.inject(path)
  t.equal(a.statusCode, 500)
  t.ok(Value.Check(ReliabilityReport, a.json()), 'a structured minimal report')
  t.equal(b.statusCode, 500)
  t.equal(r.errors().length, 1)
})
