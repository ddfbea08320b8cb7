// GET <path>/history: one point per generated report, the transitions between them, the same
// access control as the report; and the report's diagnosis reading that history.
import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { HistoryResponse } from '../../../schemas/history.js'
import { buildApp, manualClock } from '../../helpers/build-app.js'

const HISTORY = '/api/v2/diagnostics/reliability/history'

t.test('each generated report is a point; a change is a transition, with its time', async (t) => {
  const clock = manualClock()
  let failing = false
  const { app } = await buildApp({
    clock: clock.now,
    historyMs: 10 * 60_000,
    // This process's own CPU (busy loading the test) would fire HIGH_CPU: only the check counts here.
    builtinSources: false,
    sources: { services: [{ name: 'db', critical: true, check: async () => { if (failing) throw new Error('connection refused') } }] }
  })
  t.teardown(() => app.close())
  await app.ready() // the first report
  clock.advance(30_000)
  failing = true
  await app.reliability.refresh()
  clock.advance(30_000)
  failing = false
  await app.reliability.refresh()

  const res = await app.inject(HISTORY)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = res.json()
  t.ok(Value.Check(HistoryResponse, body), 'the body matches its schema')
  t.same(body.points.status, ['ok', 'down', 'ok'])
  const start = Date.parse('2026-01-01T00:00:00Z')
  t.same(body.points.timestamp, [start, start + 30_000, start + 60_000])
  t.ok(Array.isArray(body.points.figures['performance.cpu_percent']), 'the charted figures are columns')
  t.same(body.transitions.map((x: { kind: string, subject: string, from: string | null, to: string }) => [x.kind, x.subject, x.from, x.to]), [
    ['status', 'overall', null, 'ok'],
    ['status', 'overall', 'ok', 'down'],
    ['service', 'db', 'ok', 'down'],
    ['status', 'overall', 'down', 'ok'],
    ['service', 'db', 'down', 'ok']
  ])
  t.equal(body.transitions[1].at, new Date(start + 30_000).toISOString())
  t.match(body.transitions[2].detail, /connection refused/)
  t.same(app.reliability.history(), body, 'the decorator gives the same')
})

t.test('historyMs bounds what is shown; historyPoints bounds what is kept', async (t) => {
  const clock = manualClock()
  const { app } = await buildApp({ clock: clock.now, historyMs: 60_000, historyPoints: 3 })
  t.teardown(() => app.close())
  await app.ready()
  for (let i = 0; i < 5; i++) {
    clock.advance(20_000)
    await app.reliability.refresh()
  }
  const body = (await app.inject(HISTORY)).json()
  t.equal(body.points.timestamp.length, 3, 'three kept of six')
  clock.advance(50_000)
  t.equal((await app.inject(HISTORY)).json().points.timestamp.length, 1, 'only the newest is within the last minute')
})

t.test('the same access control as the report: token, then loopback', async (t) => {
  const { app } = await buildApp({ token: 'tok_history_1234' })
  t.teardown(() => app.close())
  const none = await app.inject(HISTORY)
  t.equal(none.statusCode, 401)
  t.equal(none.json().code, 'RELIABILITY_ERR_UNAUTHORIZED')
  t.equal((await app.inject({ url: HISTORY, headers: { authorization: 'Bearer tok_history_1234' } })).statusCode, 200)
  const { app: open } = await buildApp()
  t.teardown(() => open.close())
  t.equal((await open.inject({ url: HISTORY, remoteAddress: '10.0.0.7' })).json().code, 'RELIABILITY_ERR_FORBIDDEN')
})

t.test('the report\'s diagnosis reads the history: a restart of the watched process is named', async (t) => {
  const clock = manualClock()
  let uptime = 7200
  const { app } = await buildApp({
    clock: clock.now,
    builtinSources: false,
    extraSources: [{ name: 'metrics', collect: async () => ({ infrastructure: { uptime_s: uptime } }) }]
  })
  t.teardown(() => app.close())
  await app.ready()
  t.same((await app.reliability.report()).diagnosis, [], 'nothing to conclude')
  clock.advance(30_000)
  uptime = 12
  await app.reliability.refresh()
  const report = await app.reliability.report()
  t.same(report.diagnosis.map((d) => d.code), ['RESTARTED'])
  t.same(app.reliability.history().transitions.at(-1), {
    at: new Date(clock.now()).toISOString(), kind: 'restart', subject: 'target', from: '7200 s', to: '12 s', detail: 'uptime went from 7200 s back to 12 s'
  })
})

t.test('bad history options are refused at registration, naming the field', async (t) => {
  await t.rejects(buildApp({ historyPoints: 0 }), { code: 'RELIABILITY_ERR_INVALID_OPTION', message: /historyPoints/ })
  await t.rejects(buildApp({ historyMs: -1 }), { code: 'RELIABILITY_ERR_INVALID_OPTION', message: /historyMs/ })
})
