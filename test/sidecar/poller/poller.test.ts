// The poller's schedule (issue 9, SPEC §6): a first round at once, then one round per tick at
// start + k·interval, the way Prometheus schedules scrapes: a slow round or a late timer does not
// shift later rounds, a round still running at a tick skips that tick (never two rounds at once,
// never two in a row to catch up), stop() aborts the requests and waits for the round. Time is a
// manual clock with manual timers: no real sleep, no wall-clock assert.
import t from 'tap'
import { createPoller, type EndpointHandler, type PollerOptions, type PollerTimers, type PollResult } from '../../../sidecar/poller/poller.js'
import type { UpstreamAnswer, UpstreamClient } from '../../../sidecar/upstream/upstream-client.js'
import { captureLog } from '../../helpers/capture-log.js'

const I = 1_000
/** The monotonic clock starts here; the wall clock reads WALL0 + the monotonic time. */
const T0 = 10_000
const WALL0 = Date.parse('2026-01-01T00:00:00.123Z')

interface Deferred<T> { promise: Promise<T>, resolve(value: T): void }
function deferred<T = void> (): Deferred<T> {
  const d = {} as Deferred<T>
  d.promise = new Promise<T>((resolve) => { d.resolve = resolve })
  return d
}

/** Lets every promise chain started by a fired timer run to its end. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
}

interface ManualTimers extends PollerTimers {
  /** Moves the clock to `to`, firing due timers in time order and letting each one's work settle. */
  advanceTo(to: number): Promise<void>
  /** The timer due next fires this much after its time (a busy event loop). */
  lateBy(ms: number): void
  armed(): number
}

function manualTimers (start = T0): ManualTimers {
  let clock = start
  let seq = 0
  const pending: Array<{ at: number, seq: number, fn: () => void }> = []
  return {
    now: () => clock,
    after (ms, fn) {
      const entry = { at: clock + Math.max(0, ms), seq: seq++, fn }
      pending.push(entry)
      return () => {
        const i = pending.indexOf(entry)
        if (i >= 0) pending.splice(i, 1)
      }
    },
    async advanceTo (to) {
      await settle()
      // A poller re-arming at the same instant forever fails here, not at tap's timeout.
      for (let fired = 0; ; fired++) {
        if (fired > 1_000) throw new Error(`more than 1000 timers fired before ${to}`)
        pending.sort((a, b) => a.at - b.at || a.seq - b.seq)
        const next = pending[0]
        if (next === undefined || next.at > to) break
        pending.shift()
        clock = next.at
        next.fn()
        await settle()
      }
      clock = to
      await settle()
    },
    lateBy (ms) {
      pending.sort((a, b) => a.at - b.at || a.seq - b.seq)
      if (pending[0] === undefined) throw new Error('no timer armed')
      pending[0].at += ms
    },
    armed: () => pending.length
  }
}

interface Call { readonly path: string, readonly at: number, readonly signal: AbortSignal | undefined, end?: number }

/**
 * A client whose answers take `durationOf(call index)` ms of the manual clock, or hang until the
 * poller's signal aborts them when that is Infinity (as the real client does).
 */
function fakeClient (timers: ManualTimers, durationOf: (index: number, path: string) => number = () => 0) {
  const calls: Call[] = []
  const client: UpstreamClient = {
    async get (path, signal) {
      const call: Call = { path, at: timers.now(), signal }
      const index = calls.filter((c) => c.path === path).length
      calls.push(call)
      const ms = durationOf(index, path)
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(Object.assign(new Error('aborted'), { code: 'ABORTED' }))
        if (signal?.aborted) return onAbort()
        signal?.addEventListener('abort', onAbort, { once: true })
        if (ms !== Infinity) timers.after(ms, resolve)
      })
      call.end = timers.now()
      const answer: UpstreamAnswer = { statusCode: 200, contentType: 'text/plain', body: 'ok', lines: ['ok'], durationMs: ms }
      return answer
    },
    async close () {}
  }
  return { client, calls, starts: (path = '/a') => calls.filter((c) => c.path === path).map((c) => c.at - T0) }
}

function endpoint (name: string, path: string, results: PollResult[] = []): EndpointHandler {
  return { name, path, onResult: (r) => { results.push(r); return r.error } }
}

function setup (opts: { durationOf?: (index: number, path: string) => number, extra?: Partial<PollerOptions>, start?: number } = {}) {
  const timers = manualTimers(opts.start)
  const fake = fakeClient(timers, opts.durationOf)
  const { log, lines } = captureLog('debug')
  const rounds: number[] = []
  const poller = createPoller({
    client: fake.client,
    endpoints: [endpoint('a', '/a'), endpoint('b', '/b')],
    intervalMs: I,
    now: () => WALL0 + timers.now(),
    timers,
    log,
    onRound: () => { rounds.push(timers.now() - T0) },
    ...opts.extra
  })
  return { timers, poller, lines, rounds, ...fake }
}

t.test('the first round starts at once, then one round every interval at start + k·interval exactly', async (t) => {
  const { timers, poller, starts, rounds } = setup()
  t.equal(poller.lastRoundAt(), undefined, 'no round before start()')
  let first = false
  poller.firstRound.then(() => { first = true }, () => {})
  poller.start()
  await timers.advanceTo(T0)
  t.ok(first, 'firstRound resolves after the round that start() ran at once')
  t.same(starts('/a'), [0])
  t.same(starts('/b'), [0], 'every endpoint in each round')
  await timers.advanceTo(T0 + 5 * I - 1)
  t.same(starts('/a'), [0, I, 2 * I, 3 * I, 4 * I])
  await timers.advanceTo(T0 + 5 * I)
  t.same(starts('/a'), [0, I, 2 * I, 3 * I, 4 * I, 5 * I])
  t.same(rounds, [0, I, 2 * I, 3 * I, 4 * I, 5 * I], 'onRound after each round')
  t.equal(poller.lastRoundAt(), WALL0 + T0 + 5 * I, 'lastRoundAt: the wall-clock time the last round started')
  t.equal(poller.skippedTicks(), 0)
  await poller.stop()
})

interface ScheduleCase {
  readonly name: string
  /** How long each round's requests take, by round index (default 0). */
  readonly durations: Record<number, number>
  /** Round start times (from start()) up to 6 intervals. */
  readonly starts: readonly number[]
  readonly skipped: number
}

const scheduleCases: ScheduleCase[] = [
  { name: 'rounds taking 30 % of the interval do not push the next one back', durations: { 0: 300, 1: 300, 2: 300, 3: 300, 4: 300, 5: 300 }, starts: [0, 1, 2, 3, 4, 5, 6], skipped: 0 },
  { name: 'a round taking 1.5 intervals skips one tick; the ticks after stay on the grid', durations: { 2: 1500 }, starts: [0, 1, 2, 4, 5, 6], skipped: 1 },
  { name: 'a round taking 2.2 intervals skips two ticks, then one round, not a burst', durations: { 1: 2200 }, starts: [0, 1, 4, 5, 6], skipped: 2 },
  { name: 'a round that ends exactly at a tick: that tick runs', durations: { 1: 1000 }, starts: [0, 1, 2, 3, 4, 5, 6], skipped: 0 },
  { name: 'the first round, run at once, overruns the first tick: it is skipped', durations: { 0: 1500 }, starts: [0, 2, 3, 4, 5, 6], skipped: 1 },
  { name: 'two slow rounds in a row, each 90 % of the interval: no drift', durations: { 1: 900, 2: 900 }, starts: [0, 1, 2, 3, 4, 5, 6], skipped: 0 }
]

for (const c of scheduleCases) {
  t.test(c.name, async (t) => {
    const { timers, poller, calls, starts, lines } = setup({ durationOf: (index) => c.durations[index] ?? 0 })
    poller.start()
    await timers.advanceTo(T0 + 6 * I)
    t.same(starts('/a'), c.starts.map((k) => k * I), 'round start times')
    t.same(starts('/b'), c.starts.map((k) => k * I), 'both endpoints polled together')
    // No overlap: each poll of an endpoint starts after the one before it ended.
    for (const path of ['/a', '/b']) {
      const seen = calls.filter((call) => call.path === path)
      for (let i = 1; i < seen.length; i++) {
        t.ok(seen[i].at >= (seen[i - 1].end ?? Infinity), `${path} poll ${i} starts after poll ${i - 1} ended`)
      }
    }
    t.equal(poller.skippedTicks(), c.skipped, 'skipped ticks counted')
    const logged = lines.filter((l) => l.msg === 'poll ticks skipped')
    t.equal(logged.reduce((n, l) => n + (l.skipped as number), 0), c.skipped, 'and logged at debug')
    t.ok(logged.every((l) => l.level === 20), 'at debug level')
    // /livez allows 3 intervals + the request deadline between two round starts.
    const s = c.starts
    for (let i = 1; i < s.length; i++) t.ok((s[i] - s[i - 1]) * I <= (c.durations[i - 1] ?? 0) + I, 'the gap between two rounds is at most the round plus one interval')
    await poller.stop()
  })
}

t.test('a late timer delays its own round only; a timer later than the next tick runs one round, not two', async (t) => {
  const { timers, poller, starts } = setup()
  poller.start()
  await timers.advanceTo(T0 + I)
  // The timer of tick 2 fires 400 ms late (a busy event loop): round 2 late, round 3 on time.
  timers.lateBy(400)
  await timers.advanceTo(T0 + 3 * I)
  t.same(starts('/a'), [0, I, 2 * I + 400, 3 * I])
  // The timer of tick 4 fires 1.2 intervals late, after tick 5 was due: one round then (not two in
  // a row), one tick counted as skipped, tick 6 on time.
  timers.lateBy(1200)
  await timers.advanceTo(T0 + 6 * I)
  t.same(starts('/a'), [0, I, 2 * I + 400, 3 * I, 5 * I + 200, 6 * I])
  t.equal(poller.skippedTicks(), 1)
  await poller.stop()
})

t.test('stop() during a round aborts its requests, resolves once the round (and its onRound) ended, and nothing runs after', async (t) => {
  const events: string[] = []
  const hook = deferred()
  let hookCalls = 0
  const { timers, poller, calls } = setup({
    durationOf: (index) => (index === 1 ? Infinity : 0),
    extra: {
      endpoints: [endpoint('a', '/a')],
      onPolled: (name, _ms, failure) => { events.push(`polled ${name}${failure ? ` ${(failure as { code?: string }).code}` : ''}`) },
      onRound: async () => {
        hookCalls++
        if (hookCalls === 2) {
          events.push('onRound waits')
          await hook.promise
          events.push('onRound done')
        }
      }
    }
  })
  poller.start()
  await timers.advanceTo(T0 + I)
  t.equal(calls.length, 2, 'round 1 is in flight')
  t.notOk(calls[1].signal?.aborted)
  events.length = 0
  events.push('stop')
  const stopped = poller.stop().then(() => { events.push('stop resolved') })
  await timers.advanceTo(T0 + I)
  t.ok(calls[1].signal?.aborted, 'the in-flight request is aborted')
  t.same(events, ['stop', 'polled a ABORTED', 'onRound waits'], 'stop() waits for the round')
  hook.resolve()
  await stopped
  t.same(events, ['stop', 'polled a ABORTED', 'onRound waits', 'onRound done', 'stop resolved'])
  t.equal(timers.armed(), 0, 'no timer left armed')
  await timers.advanceTo(T0 + 10 * I)
  t.equal(calls.length, 2, 'no round after stop()')
})

t.test('stop() between rounds cancels the next tick and resolves at once', async (t) => {
  const { timers, poller, calls } = setup()
  poller.start()
  await timers.advanceTo(T0 + I + 500)
  t.equal(timers.armed(), 1, 'the next tick is armed')
  await poller.stop()
  t.equal(timers.armed(), 0)
  await timers.advanceTo(T0 + 10 * I)
  t.equal(calls.length, 4, 'two rounds of two endpoints, none after')
})

t.test('start() twice runs one schedule; start() after stop() runs nothing', async (t) => {
  const { timers, poller, starts } = setup()
  poller.start()
  poller.start()
  await timers.advanceTo(T0 + 2 * I)
  t.same(starts('/a'), [0, I, 2 * I])
  await poller.stop()
  poller.start()
  await timers.advanceTo(T0 + 4 * I)
  t.same(starts('/a'), [0, I, 2 * I])
})

t.test('a handler that throws fails its endpoint, not the schedule', async (t) => {
  const failures: string[] = []
  const { timers, poller, starts, lines } = setup({
    extra: {
      endpoints: [{ name: 'a', path: '/a', onResult: () => { throw new Error('handler bug') } }],
      onPolled: (name, _ms, failure) => { failures.push(`${name}: ${failure?.message ?? 'none'}`) }
    }
  })
  poller.start()
  await timers.advanceTo(T0 + 2 * I)
  t.same(starts('/a'), [0, I, 2 * I])
  t.same(failures, ['a: handler bug', 'a: handler bug', 'a: handler bug'])
  t.equal(lines.filter((l) => l.msg === 'poll result handler failed').length, 3)
  await poller.stop()
})

t.test('with a phase key, ticks keep one phase of the wall clock across restarts; another key, another phase', async (t) => {
  /** Wall-clock times (mod the interval) of the rounds after the first, and the first gap. */
  async function phaseOf (phaseKey: string, startAt: number) {
    const { timers, poller, calls } = setup({ start: startAt, extra: { phaseKey, endpoints: [endpoint('a', '/a')] } })
    poller.start()
    await timers.advanceTo(startAt + 4 * I)
    await poller.stop()
    const walls = calls.map((c) => WALL0 + c.at)
    return { phases: new Set(walls.slice(1).map((w) => w % I)), firstGap: walls[1] - walls[0], rounds: walls.length }
  }
  const key = 'pod-7f9c http://127.0.0.1:3000'
  const a = await phaseOf(key, T0)
  const b = await phaseOf(key, T0 + 123_456)
  const c = await phaseOf('pod-2b1d http://127.0.0.1:3000', T0)
  t.equal(a.phases.size, 1, 'every tick at the same phase')
  t.same([...b.phases], [...a.phases], 'the same key keeps its phase after a restart at another time')
  t.equal(c.phases.size, 1)
  t.not([...c.phases][0], [...a.phases][0], 'another pod polling the same URL gets another phase')
  // Restarted 100 ms before its phase: the first tick waits for the phase after that one.
  const phase = [...a.phases][0]
  const justBefore = T0 + ((((phase - 100 - (WALL0 + T0)) % I) + I) % I)
  const d = await phaseOf(key, justBefore)
  t.same([...d.phases], [phase])
  t.equal(d.firstGap, I + 100, 'no second round 100 ms after the first')
  for (const run of [a, b, c, d]) {
    // The first round runs at once (readiness); the first tick is never a near-duplicate poll.
    t.ok(run.firstGap >= I / 2 && run.firstGap < 1.5 * I, `first gap ${run.firstGap} within [0.5, 1.5) intervals`)
    t.ok(run.rounds >= 4, 'then one round per interval')
  }
})

t.test('an endpoint with its own poll(): asks what it needs through ask(), one onPolled per round that asked (issue 9)', async (t) => {
  const polled: Array<[string, number, string | undefined]> = []
  const asked: string[][] = []
  let roundNo = 0
  const searching: EndpointHandler = {
    name: 's',
    path: '/first',
    onResult: () => undefined,
    async poll (ask) {
      roundNo++
      if (roundNo === 2) return undefined // nothing to ask this round
      if (roundNo === 3) throw new Error('reader broke')
      const a = await ask('/first')
      const b = await ask('/second', 'text/plain')
      asked.push([a.answer?.body ?? '', b.answer?.body ?? ''])
      return { durationMs: a.durationMs + b.durationMs, failure: undefined }
    }
  }
  const { timers, poller, calls, lines } = setup({
    durationOf: (_, path) => path === '/first' ? 10 : 20,
    extra: { endpoints: [searching], onPolled: (name, ms, failure) => { polled.push([name, ms, failure?.message]) } }
  })
  poller.start()
  await timers.advanceTo(T0 + 3 * I + 100)
  t.same(calls.map((c) => [c.path, c.at - T0]), [['/first', 0], ['/second', 10], ['/first', 3 * I], ['/second', 3 * I + 10]], 'asked in order, none in the rounds that asked nothing')
  t.same(asked, [['ok', 'ok'], ['ok', 'ok']])
  t.same(polled, [['s', 30, undefined], ['s', 0, 'reader broke'], ['s', 30, undefined]], 'one per round that asked, or broke; none for the round that asked nothing')
  t.ok(lines.some((l) => l.msg === 'poll result handler failed' && l.endpoint === 's'), 'a poll() that throws is logged, not thrown into the loop')
  await poller.stop()
})
