// Issue 5, load: 2,000 concurrent requests at the report route and /health while the sources are
// slow. Source calls stay at one per refresh, /health never waits, memory stays bounded.
import t from 'tap'
import { Pool } from 'undici'
import { buildApp, manualClock } from '../helpers/build-app.js'
import { waitFor } from '../helpers/wait-for.js'

const path = '/api/v2/diagnostics/reliability'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('2,000 concurrent requests on a cold cache with slow sources: one call per source', async (t) => {
  const calls = { cache: 0, ingestion: 0, services: 0 }
  const { app } = await buildApp({
    builtinSources: false,
    sourceTimeoutMs: 2000,
    sources: {
      cache: async () => { calls.cache++; await sleep(150); return { hits: 1, misses: 1 } },
      ingestion: async () => { calls.ingestion++; await sleep(150); return { ingest_latency_ms: 10 } },
      services: [{ name: 'db', check: async () => { calls.services++; await sleep(150) } }]
    }
  })
  t.teardown(() => app.close())
  await app.ready() // the first generation
  t.same(calls, { cache: 1, ingestion: 1, services: 1 })
  await app.reliability.refresh() // and a second one, so the test starts from a known count
  const before = process.memoryUsage().heapUsed

  // Real sockets: 2,000 requests over 200 keep-alive connections, half report, half /health.
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const pool = new Pool(address, { connections: 200 })
  t.teardown(() => pool.close())
  const answers = await Promise.all(Array.from({ length: 2000 }, (_, i) =>
    pool.request({ method: 'GET', path: i % 2 === 0 ? path : '/health' }).then(async (res) => {
      const body = await res.body.text()
      return { status: res.statusCode, body }
    })))
  t.ok(answers.every((a) => a.status === 200), 'every request answered 200')
  t.equal(new Set(answers.filter((_, i) => i % 2 === 0).map((a) => JSON.parse(a.body).timestamp)).size, 1, 'all reports from one generation')
  t.same(calls, { cache: 2, ingestion: 2, services: 2 }, 'no source ran again: the cache answered')
  const growth = process.memoryUsage().heapUsed - before
  t.ok(growth < 64 * 1024 * 1024, `heap grew ${(growth / 1024 / 1024).toFixed(1)} MiB`)
})

t.test('past the TTL under a burst: one refresh for the whole burst, answered at once', async (t) => {
  const clock = manualClock()
  let calls = 0
  // The refresh's source holds until the test opens its gate: the burst is answered while the
  // refresh is surely still running (an order of events, not a time; issue 10).
  let gate: Promise<void> = Promise.resolve()
  const { app } = await buildApp({
    builtinSources: false,
    cacheTtlMs: 30_000,
    maxStaleMs: 60_000,
    sourceTimeoutMs: 60_000,
    clock: clock.now,
    sources: { cache: async () => { const n = ++calls; await gate; return { hits: n, misses: 0 } } }
  })
  t.teardown(() => app.close())
  await app.ready()
  for (let ttl = 1; ttl <= 3; ttl++) {
    let open: () => void = () => {}
    gate = new Promise<void>((resolve) => { open = resolve })
    clock.advance(31_000)
    const burst = await Promise.all(Array.from({ length: 2000 }, (_, i) => app.inject(i % 2 === 0 ? path : '/health')))
    t.ok(burst.every((r) => r.statusCode === 200), `TTL ${ttl}: all 200`)
    t.equal(calls, 1 + ttl, `TTL ${ttl}: exactly one refresh for 2,000 requests, started`)
    t.ok(burst.filter((_, i) => i % 2 === 0).every((r) => r.json().cache.hits === ttl), `TTL ${ttl}: all answered with the stale report while the refresh still held`)
    open()
    await waitFor('the refresh to land', async () => (await app.reliability.report()).cache.hits === 1 + ttl ? true : undefined)
    t.equal(calls, 1 + ttl, `TTL ${ttl}: still one refresh once it landed`)
  }
})
