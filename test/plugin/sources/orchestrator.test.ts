import t from 'tap'
import { createOrchestrator, type OrchestratorOptions } from '../../../plugin/sources/orchestrator.js'
import { createRedactor } from '../../../plugin/redact.js'
import type { ReportPatch, Source, SourceContext } from '../../../plugin/sources/source.js'
import { captureLog } from '../../helpers/capture-log.js'
import { silentLog } from '../../helpers/silent-log.js'
import { manualClock } from '../../helpers/build-app.js'

function setup (extra: Partial<OrchestratorOptions> = {}) {
  const clock = manualClock()
  const orchestrator = createOrchestrator({
    sourceTimeoutMs: 1000,
    lastGoodMaxAgeMs: 60_000,
    clock: clock.now,
    log: silentLog(),
    signal: new AbortController().signal,
    redact: createRedactor(),
    ...extra
  })
  return { orchestrator, clock }
}

const named = (name: string, collect: (ctx: SourceContext) => Promise<ReportPatch>): Source => ({ name, collect })

/** A source whose answers the test scripts call by call: a patch, or an error to throw. */
function scripted (name: string, answers: Array<ReportPatch | Error>): Source {
  let call = 0
  return named(name, async () => {
    const answer = answers[Math.min(call++, answers.length - 1)]
    if (answer instanceof Error) throw answer
    return answer
  })
}

t.test('runs the sources concurrently: every source starts before any finishes', async (t) => {
  // Structural rather than timed, so a loaded CI machine cannot make it flaky.
  const { orchestrator } = setup()
  const events: string[] = []
  // Each source holds until all three have started: were they run one after another, the first
  // would hold until its deadline and show timeout, not ok.
  let allStarted: () => void = () => {}
  const started = new Promise<void>((resolve) => { allStarted = resolve })
  const slow = (name: string) => named(name, async () => {
    events.push(`start ${name}`)
    if (events.length === 3) allStarted()
    await started
    events.push(`end ${name}`)
    return { cache: { hits: 1 } }
  })
  const { views } = await orchestrator.collect([slow('a'), slow('b'), slow('c')])
  t.same(events.slice(0, 3).sort(), ['start a', 'start b', 'start c'])
  t.same(views.map((v) => [v.name, v.status]), [['a', 'ok'], ['b', 'ok'], ['c', 'ok']])
})

t.test('a fresh answer: status ok, age 0, the data, the start time from the clock', async (t) => {
  const { orchestrator, clock } = setup()
  const patch: ReportPatch = { cache: { hits: 3, misses: 1 } }
  const { views } = await orchestrator.collect([scripted('cache', [patch])])
  t.match(views[0], { name: 'cache', status: 'ok', ageMs: 0, startedAt: clock.now(), data: patch })
  t.type(views[0].durationMs, 'number')
  t.equal(views[0].error, undefined)
})

t.test('a later failure serves the last good value as stale, with its age from the clock', async (t) => {
  const { orchestrator, clock } = setup({ lastGoodMaxAgeMs: 10_000 })
  const good: ReportPatch = { cache: { hits: 3 } }
  const source = scripted('cache', [good, new Error('redis down')])

  const first = await orchestrator.collect([source])
  t.equal(first.views[0].status, 'ok')

  clock.advance(4_000)
  const second = await orchestrator.collect([source])
  t.match(second.views[0], { status: 'stale', ageMs: 4_000, data: good })
  t.match(second.views[0].error, /redis down/)

  clock.advance(6_000) // exactly lastGoodMaxAgeMs old: still shown
  const third = await orchestrator.collect([source])
  t.match(third.views[0], { status: 'stale', ageMs: 10_000, data: good })

  clock.advance(1) // one ms too old: not shown any more
  const fourth = await orchestrator.collect([source])
  t.equal(fourth.views[0].status, 'error')
  t.equal(fourth.views[0].ageMs, null)
  t.equal(fourth.views[0].data, undefined)
})

t.test('a timeout is served stale too, and stays timeout once the value is too old', async (t) => {
  let call = 0
  const source = named('ingestion', (ctx) => call++ === 0
    ? Promise.resolve({ ingestion: { recent_failures: 0 } })
    : new Promise<never>((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))))
  const { orchestrator, clock } = setup({ sourceTimeoutMs: 20, lastGoodMaxAgeMs: 1_000 })
  await orchestrator.collect([source])
  clock.advance(500)
  const stale = await orchestrator.collect([source])
  t.match(stale.views[0], { status: 'stale', ageMs: 500, data: { ingestion: { recent_failures: 0 } } })
  t.match(stale.views[0].error, /did not answer within/, 'why the last good value is shown: the timeout')
  clock.advance(501)
  const old = await orchestrator.collect([source])
  t.match(old.views[0], { status: 'timeout', ageMs: null })
  t.equal(old.views[0].data, undefined)
})

t.test('with no last good value a failure is an error without data', async (t) => {
  const { orchestrator } = setup()
  const { views } = await orchestrator.collect([scripted('cache', [new Error('nope')])])
  t.match(views[0], { status: 'error', ageMs: null })
  t.equal(views[0].data, undefined)
  t.match(views[0].error, /nope/)
})

t.test('a source that resolves with nothing is an error', async (t) => {
  const { orchestrator } = setup()
  const { views } = await orchestrator.collect([named('cache', async () => undefined as unknown as ReportPatch)])
  t.equal(views[0].status, 'error')
  t.type(views[0].error, 'string')
})

t.test('lastGoodMaxAgeMs 0 disables stale values', async (t) => {
  const { orchestrator, clock } = setup({ lastGoodMaxAgeMs: 0 })
  const source = scripted('cache', [{ cache: { hits: 1 } }, new Error('down')])
  await orchestrator.collect([source])
  clock.advance(1)
  const { views } = await orchestrator.collect([source])
  t.equal(views[0].status, 'error')
  t.equal(views[0].data, undefined)
})

t.test('lastGoodMaxAgeMs 0 disables stale values even within the same millisecond', async (t) => {
  // Regression: `age <= lastGoodMaxAgeMs` served a stale value at age 0 with lastGoodMaxAgeMs 0.
  const { orchestrator } = setup({ lastGoodMaxAgeMs: 0 })
  const source = scripted('cache', [{ cache: { hits: 1 } }, new Error('down')])
  await orchestrator.collect([source])
  const { views } = await orchestrator.collect([source]) // the clock has not moved
  t.equal(views[0].status, 'error')
  t.equal(views[0].data, undefined)
})

t.test("a source's provenance is honoured", async (t) => {
  const cases: Array<{ name: string, provenance: ReportPatch['provenance'], status: string, ageMs: number | null, error?: string }> = [
    { name: 'stale with age', provenance: { status: 'stale', ageMs: 12_000, error: 'last poll failed' }, status: 'stale', ageMs: 12_000, error: 'last poll failed' },
    { name: 'error without age', provenance: { status: 'error', error: 'unreachable' }, status: 'error', ageMs: null, error: 'unreachable' },
    { name: 'timeout with age', provenance: { status: 'timeout', ageMs: 3_000 }, status: 'timeout', ageMs: 3_000 },
    { name: 'ok with age', provenance: { status: 'ok', ageMs: 1_500 }, status: 'ok', ageMs: 1_500 }
  ]
  for (const c of cases) {
    const { orchestrator } = setup()
    const patch: ReportPatch = { websocket: { active_connections: 2 }, provenance: c.provenance }
    const { views } = await orchestrator.collect([scripted('websocket', [patch])])
    t.equal(views[0].status, c.status, c.name)
    t.equal(views[0].ageMs, c.ageMs, c.name)
    t.equal(views[0].error, c.error, c.name)
    t.equal(views[0].data, patch, `${c.name}: the data it holds is still shown`)
  }
})

t.test('an answer marked stale by its provenance does not become the last good value', async (t) => {
  const { orchestrator, clock } = setup()
  const fresh: ReportPatch = { websocket: { active_connections: 1 } }
  const held: ReportPatch = { websocket: { active_connections: 9 }, provenance: { status: 'stale', ageMs: 30_000 } }
  const source = scripted('websocket', [fresh, held, new Error('gone')])
  await orchestrator.collect([source])
  clock.advance(1_000)
  await orchestrator.collect([source])
  clock.advance(1_000)
  const { views } = await orchestrator.collect([source])
  t.match(views[0], { status: 'stale', ageMs: 2_000, data: fresh })
})

t.test('failures log a warn with err and the source name bound; fresh sources log nothing', async (t) => {
  const { log, lines } = captureLog('debug')
  const { orchestrator } = setup({ log, sourceTimeoutMs: 20 })
  await orchestrator.collect([
    scripted('cache', [new Error('redis down')]),
    named('ingestion', () => new Promise<never>(() => {})),
    scripted('websocket', [{ websocket: { active_connections: 1 } }])
  ])
  const warns = lines.filter((l) => l.level === 40)
  t.equal(lines.length, 2, 'only the two failures are logged')
  const failed = warns.find((l) => l.source === 'cache')
  const timedOut = warns.find((l) => l.source === 'ingestion')
  t.match(failed, { msg: 'source failed', err: { code: 'RELIABILITY_ERR_SOURCE_FAILED', type: String, stack: String } })
  t.type(failed?.durationMs, 'number')
  t.match(timedOut, { msg: 'source timed out', err: { code: 'RELIABILITY_ERR_SOURCE_TIMEOUT' } })
  t.notOk(lines.some((l) => 'error' in l), 'errors go under err, never error')
})

t.test('the logged err is redacted: no credentials in message or stack, code kept', async (t) => {
  const { log, lines } = captureLog('debug')
  const { orchestrator } = setup({ log, redact: createRedactor(['tok_abcdef123']) })
  const leaky = new Error('connect postgres://app:hunter2@db/x refused (auth tok_abcdef123)')
  const { views } = await orchestrator.collect([scripted('ingestion', [leaky])])
  t.equal(lines.length, 1)
  const text = JSON.stringify(lines[0])
  t.notMatch(text, 'hunter2')
  t.notMatch(text, 'tok_abcdef123')
  t.match(lines[0], { source: 'ingestion', err: { code: 'RELIABILITY_ERR_SOURCE_FAILED', message: /postgres:\/\/\*\*\*@db/ } })
  t.match(views[0].error, /refused/, 'the view keeps the reason; redactReport redacts it at the report boundary')
})

t.test('the close signal reaches every source', async (t) => {
  const close = new AbortController()
  const { orchestrator } = setup({ signal: close.signal })
  const seen: AbortSignal[] = []
  const waiting = named('cache', (ctx) => {
    seen.push(ctx.signal)
    return new Promise<never>((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))
  })
  const running = orchestrator.collect([waiting, { ...waiting, name: 'ingestion' }])
  close.abort(new Error('closing'))
  const { views } = await running
  t.equal(seen.length, 2)
  t.ok(seen.every((s) => s.aborted))
  t.same(views.map((v) => v.status), ['error', 'error'])
})
