import t from 'tap'
import { createReportCache, type CacheEntry, type ReportCacheOptions } from '../../plugin/report-cache.js'
import { manualClock } from '../helpers/build-app.js'

interface Deferred<T> { promise: Promise<T>, resolve(value: T): void, reject(err: unknown): void }
function deferred<T> (): Deferred<T> {
  const d = {} as Deferred<T>
  d.promise = new Promise<T>((resolve, reject) => { d.resolve = resolve; d.reject = reject })
  return d
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

/** A cache whose generations the test settles by hand, one deferred per call. */
function setup (extra: Partial<ReportCacheOptions<string>> = {}) {
  const clock = manualClock()
  const calls: Array<Deferred<string>> = []
  const backgroundErrors: unknown[] = []
  const cache = createReportCache<string>({
    generate: () => {
      const d = deferred<string>()
      calls.push(d)
      return d.promise
    },
    cacheTtlMs: 1_000,
    maxStaleMs: 5_000,
    clock: clock.now,
    onBackgroundError: (err) => { backgroundErrors.push(err) },
    ...extra
  })
  /** Fills the cache with `value` generated at the current clock time. */
  async function prime (value = 'v1'): Promise<CacheEntry<string>> {
    const pending = cache.get()
    calls[calls.length - 1].resolve(value)
    return pending
  }
  return { cache, clock, calls, backgroundErrors, prime }
}

t.test('200 concurrent get() on a cold cache: one generation, one shared entry', async (t) => {
  const { cache, calls, clock } = setup()
  const gets = Array.from({ length: 200 }, () => cache.get())
  t.equal(calls.length, 1)
  calls[0].resolve('report')
  const entries = await Promise.all(gets)
  t.equal(calls.length, 1)
  t.ok(entries.every((e) => e === entries[0]), 'every caller got the same entry')
  t.equal(entries[0].value, 'report')
  t.equal(entries[0].at, clock.now())
  t.ok(entries[0].memo instanceof Map)
  t.equal(entries[0].memo.size, 0)
})

t.test('fresh within ttl (inclusive): no new generation', async (t) => {
  const { cache, calls, clock, prime } = setup()
  const first = await prime()
  clock.advance(500)
  t.equal(await cache.get(), first)
  clock.advance(500)
  t.equal(await cache.get(), first, 'exactly ttl old is still fresh')
  t.equal(calls.length, 1)
})

t.test('between ttl and maxStaleMs: the old entry at once, one refresh in the background', async (t) => {
  const { cache, calls, clock, prime } = setup()
  const first = await prime('v1')
  clock.advance(1_001)
  t.equal(await cache.get(), first, 'served without waiting for the refresh')
  t.equal(calls.length, 2, 'one refresh started')
  t.equal(await cache.get(), first, 'a second caller meanwhile gets the old entry too')
  t.equal(cache.peek(), first)
  t.equal(calls.length, 2, 'and starts no other refresh')

  calls[1].resolve('v2')
  await tick()
  const second = await cache.get()
  t.equal(second.value, 'v2')
  t.equal(second.at, clock.now())
  t.not(second.memo, first.memo, 'a new entry has its own memo')
  t.equal(calls.length, 2)
})

t.test('exactly maxStaleMs old is still served at once', async (t) => {
  const { cache, calls, clock, prime } = setup()
  const first = await prime()
  clock.advance(5_000)
  t.equal(await cache.get(), first)
  t.equal(calls.length, 2)
})

t.test('older than maxStaleMs: callers wait for the one refresh', async (t) => {
  const { cache, calls, clock, prime } = setup()
  await prime('v1')
  clock.advance(5_001)
  let settled = 0
  const waiting = [cache.get(), cache.get(), cache.get()].map((p) => p.then((e) => { settled++; return e }))
  await tick()
  t.equal(settled, 0, 'nobody got the too-old entry')
  t.equal(calls.length, 2, 'one refresh for all of them')
  calls[1].resolve('v2')
  const entries = await Promise.all(waiting)
  t.same(entries.map((e) => e.value), ['v2', 'v2', 'v2'])
  t.ok(entries.every((e) => e === entries[0]))
})

t.test('a generation that rejects: every waiting get() rejects, the next get() tries again', async (t) => {
  const { cache, calls } = setup()
  const failure = Object.assign(new Error('sources broke'), { code: 'RELIABILITY_ERR_REPORT_FAILED' })
  const gets = [cache.get(), cache.get()]
  calls[0].reject(failure)
  for (const get of gets) await t.rejects(get, { code: 'RELIABILITY_ERR_REPORT_FAILED' })
  t.equal(calls.length, 1)
  t.equal(cache.peek(), undefined, 'nothing was cached')

  const retry = cache.get()
  t.equal(calls.length, 2, 'the failure was not cached')
  calls[1].resolve('v1')
  t.equal((await retry).value, 'v1')
})

t.test('a generation that throws synchronously does not stick', async (t) => {
  // Regression: the finally cleared `inflight` before `inflight = run` was assigned, so a
  // synchronous throw left a rejected promise in flight forever.
  let calls = 0
  const clock = manualClock()
  const cache = createReportCache<string>({
    generate: () => {
      if (++calls === 1) throw Object.assign(new Error('sync'), { code: 'E_SYNC' })
      return Promise.resolve('v2')
    },
    cacheTtlMs: 1_000,
    maxStaleMs: 5_000,
    clock: clock.now,
    onBackgroundError: () => {}
  })
  await t.rejects(cache.get(), { code: 'E_SYNC' })
  let second: CacheEntry<string> | undefined
  try {
    second = await cache.get()
  } catch {}
  t.equal(calls, 2, 'the next get() generates again')
  t.equal(second?.value, 'v2')
})

t.test('a background refresh that rejects: onBackgroundError, the old entry kept', async (t) => {
  const { cache, calls, clock, backgroundErrors, prime } = setup()
  const first = await prime('v1')
  clock.advance(2_000)
  t.equal(await cache.get(), first)
  const failure = Object.assign(new Error('refresh broke'), { code: 'E_REFRESH' })
  calls[1].reject(failure)
  await tick()
  t.same(backgroundErrors, [failure])
  t.equal(cache.peek(), first, 'the previous entry stays')
  t.equal(await cache.get(), first, 'and is still served in the stale window')
  t.equal(calls.length, 3, 'which starts another refresh')
  calls[2].resolve('v2')
  await tick()
  t.equal(cache.peek()?.value, 'v2')
  t.equal(backgroundErrors.length, 1)
})

t.test('a caller waiting past maxStaleMs on a failing refresh rejects; the entry stays', async (t) => {
  const { cache, calls, clock, prime } = setup()
  const first = await prime('v1')
  clock.advance(6_000)
  const waiting = cache.get()
  calls[1].reject(Object.assign(new Error('down'), { code: 'E_DOWN' }))
  await t.rejects(waiting, { code: 'E_DOWN' })
  t.equal(cache.peek(), first)
})

t.test('peek() never waits; it starts one refresh only past ttl', async (t) => {
  const { cache, calls, clock, prime } = setup()
  t.equal(cache.peek(), undefined, 'cold: nothing, and no generation started')
  t.equal(calls.length, 0)

  const first = await prime('v1')
  clock.advance(1_000)
  t.equal(cache.peek(), first)
  t.equal(calls.length, 1, 'within ttl: no refresh')

  clock.advance(10_000) // far past maxStaleMs: peek still answers at once
  t.equal(cache.peek(), first)
  t.equal(calls.length, 2, 'past ttl: a refresh started')
  t.equal(cache.peek(), first)
  t.equal(calls.length, 2, 'only one')
  calls[1].resolve('v2')
  await tick()
  t.equal(cache.peek()?.value, 'v2')
})

t.test('refresh() shares the generation in flight', async (t) => {
  const { cache, calls } = setup()
  const a = cache.refresh()
  const b = cache.get()
  const c = cache.refresh()
  t.equal(calls.length, 1)
  t.equal(a, c)
  calls[0].resolve('v1')
  t.equal(await a, await b)
})

t.test('replace() swaps the current entry in place, keeping its time; a stale hand loses to a newer entry', async (t) => {
  const { cache, calls, clock, prime } = setup()
  const first = await prime('bad')
  clock.advance(500)
  const replaced = cache.replace(first, 'last good')
  t.equal(replaced?.value, 'last good')
  t.equal(replaced?.at, first.at, 'same time: the TTL runs from the generation, not the swap')
  t.equal(replaced?.memo.size, 0, 'its own memo')
  t.equal(cache.peek(), replaced, 'every reader sees the replacement')
  t.equal(await cache.get(), replaced)
  t.equal(calls.length, 1, 'no generation started by it')

  clock.advance(1_000)
  const next = cache.refresh()
  calls[1].resolve('v2')
  const newer = await next
  t.equal(cache.replace(first, 'too late'), undefined, 'an entry that is no longer current is not replaced')
  t.equal(cache.replace(replaced!, 'too late'), undefined)
  t.equal(cache.peek(), newer)
})
