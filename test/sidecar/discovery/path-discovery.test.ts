// Path discovery as a state machine (issue 9): which path is asked, in which order, and when it is
// asked again, driven by verdicts and a manual clock; no I/O, no real time.
import t from 'tap'
import { createPathDiscovery, describeNotOffered, describePeriod, type PathDiscovery } from '../../../sidecar/discovery/path-discovery.js'
import type { Verdict } from '../../../sidecar/discovery/classify-answer.js'

const candidates = ['/health', '/healthz', '/actuator/health', '/-/healthy', '/livez', '/status']
const REPROBE = 300_000
const offered: Verdict = { kind: 'offered' }
const failed: Verdict = { kind: 'failed' }
const gone = (reason = 'answered 404'): Verdict => ({ kind: 'not-offered', reason })

function setup (list = candidates) {
  const clock = { now: 1_000 }
  const d = createPathDiscovery({ candidates: list, reprobeMs: REPROBE, now: () => clock.now })
  return { d, clock }
}

/**
 * One poller round as the endpoint runs it: ask next(), answer with `answers(path)`, go on while the
 * step is `next`. Returns the paths asked, in order.
 */
function round (d: PathDiscovery, answers: (path: string) => Verdict): string[] {
  const asked: string[] = []
  for (let path = d.next(); path !== undefined; path = d.next()) {
    asked.push(path)
    if (d.observe(path, answers(path)) === 'use') break
  }
  return asked
}

// Each row: which candidate answers what; the paths asked in the first round; the state after.
const table: Array<[string, (path: string) => Verdict, string[], string]> = [
  ['the first candidate answers', () => offered, ['/health'], 'found /health'],
  ['a Spring app: 404 until /actuator/health', (p) => p === '/actuator/health' ? offered : gone(), ['/health', '/healthz', '/actuator/health'], 'found /actuator/health'],
  ['the Prometheus server: /-/healthy', (p) => p === '/-/healthy' ? offered : gone(), candidates.slice(0, 4), 'found /-/healthy'],
  ['node_exporter: HTML everywhere', () => gone('answered HTML'), candidates, 'absent'],
  ['405 and 410 are not offered either', (p) => p === '/status' ? offered : gone(p === '/health' ? 'answered 405' : 'answered 410'), candidates, 'found /status'],
  ['a redirect is not offered', (p) => p === '/health' ? gone('answered a redirect') : offered, ['/health', '/healthz'], 'found /healthz'],
  ['a transport failure stops the round, nothing learnt', () => failed, ['/health'], 'searching'],
  ['a failure after two 404s', (p) => p === '/actuator/health' ? failed : gone(), ['/health', '/healthz', '/actuator/health'], 'searching']
]

const described = (d: PathDiscovery): string => {
  const s = d.state()
  return s.phase === 'found' ? `found ${s.path}` : s.phase
}

for (const [name, answers, asked, after] of table) {
  t.test(name, async (t) => {
    const { d } = setup()
    t.same(round(d, answers), asked, 'asked, in order')
    t.equal(described(d), after)
  })
}

t.test('a search interrupted by a failure resumes at the candidate that failed, not from the top', async (t) => {
  const { d } = setup()
  t.same(round(d, (p) => p === '/actuator/health' ? failed : gone()), ['/health', '/healthz', '/actuator/health'])
  t.same(round(d, (p) => p === '/-/healthy' ? offered : gone()), ['/actuator/health', '/-/healthy'], 'the 404s are not asked again')
  t.equal(described(d), 'found /-/healthy')
})

t.test('not offered: nothing asked until the re-probe period has passed, then every candidate once', async (t) => {
  const { d, clock } = setup()
  const html = () => gone('answered HTML')
  t.same(round(d, html), candidates)
  const state = d.state()
  t.same(state.phase === 'absent' && state.until, 1_000 + REPROBE, 'asked again from one period after the last answer')
  const counts = new Map<string, number>()
  // 120 rounds of 5 s: ten minutes.
  for (let i = 1; i <= 120; i++) {
    clock.now = 1_000 + i * 5_000
    for (const p of round(d, html)) counts.set(p, (counts.get(p) ?? 0) + 1)
  }
  t.same([...counts.values()], candidates.map(() => 2), 'each candidate asked once per period over two periods')
  clock.now += 1
  t.same(round(d, html), [], 'and not in between')
})

t.test('the re-probe finds a path the app offers now (a redeploy added it)', async (t) => {
  const { d, clock } = setup(['/admin/websocket'])
  t.same(round(d, () => gone()), ['/admin/websocket'])
  t.equal(described(d), 'absent')
  clock.now += REPROBE - 1
  t.same(round(d, () => offered), [], 'not yet')
  clock.now += 1
  t.same(round(d, () => offered), ['/admin/websocket'])
  t.equal(described(d), 'found /admin/websocket')
})

t.test('a search says whether it is a re-probe of a path found not offered', async (t) => {
  const { d, clock } = setup()
  t.same(d.state(), { phase: 'searching', tried: [], reprobe: false }, 'the first search is not')
  round(d, () => gone())
  clock.now += REPROBE
  round(d, () => failed)
  t.same(d.state(), { phase: 'searching', tried: [], reprobe: true }, 'a re-probe that could not ask')
  round(d, (p) => p === '/healthz' ? failed : gone())
  t.same(d.state(), { phase: 'searching', tried: [{ path: '/health', reason: 'answered 404' }], reprobe: true }, 'still one, answer after answer')
  round(d, () => offered)
  round(d, () => gone())
  t.equal(d.state().phase, 'absent')
  const lost = setup()
  round(lost.d, () => offered)
  round(lost.d, (p) => p === '/health' ? gone() : failed)
  t.same(lost.d.state(), { phase: 'searching', tried: [{ path: '/health', reason: 'answered 404' }], reprobe: false }, 'a search after a found path is lost is not')
})

t.test('a found path that answers 404 later: searched again at once, the lost path counted as tried', async (t) => {
  const { d } = setup()
  round(d, () => offered)
  t.same(round(d, () => offered), ['/health'], 'found: only that path, each round')
  t.same(round(d, (p) => p === '/livez' ? offered : gone()), ['/health', '/healthz', '/actuator/health', '/-/healthy', '/livez'])
  t.equal(described(d), 'found /livez')
  // Lost again, and nothing else left: not offered, /livez's own reason kept.
  t.same(round(d, () => gone('answered HTML')), ['/livez', '/health', '/healthz', '/actuator/health', '/-/healthy', '/status'])
  const state = d.state()
  t.equal(state.phase, 'absent')
  if (state.phase === 'absent') t.same(state.tried.map((x) => x.path), ['/livez', '/health', '/healthz', '/actuator/health', '/-/healthy', '/status'])
})

t.test('a found path that times out stays found: the target is slow, the path is still there', async (t) => {
  const { d } = setup()
  round(d, () => offered)
  t.same(round(d, () => failed), ['/health'])
  t.equal(described(d), 'found /health')
})

t.test('needs a candidate', async (t) => {
  t.throws(() => createPathDiscovery({ candidates: [], reprobeMs: 1, now: () => 0 }))
})

t.test('describeNotOffered groups the candidates by answer, in order; describePeriod', async (t) => {
  t.equal(describeNotOffered([{ path: '/health', reason: 'answered 404' }, { path: '/healthz', reason: 'answered HTML' }, { path: '/status', reason: 'answered 404' }]),
    '/health, /status answered 404; /healthz answered HTML')
  t.equal(describePeriod(300_000), '5 min')
  t.equal(describePeriod(90_000), '90 s')
})
