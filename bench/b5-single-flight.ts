// B5: sources run once per refresh, however many requests want the report. A server child whose
// user sources count their calls: 500 concurrent requests on a cold cache, then a steady load
// across TTL expiries (stale-while-revalidate). Calls per source must equal generations.
import { row, type BenchContext, type FigureSet } from './lib/figure.js'
import { load } from './lib/load.js'
import { serverScript, spawnServer } from './lib/spawn-server.js'

interface Counts { calls: Record<string, number>, generations: number }

const path = '/api/v2/diagnostics/reliability'

export async function runB5 (ctx: BenchContext): Promise<FigureSet> {
  const ttlMs = ctx.quick ? 1000 : 30_000
  const loadS = ctx.quick ? 3 : 20
  const server = await spawnServer(serverScript('count-server.js'), [String(ttlMs)])
  const counts = async (): Promise<Counts> => await (await fetch(server.url + '/bench/counts')).json() as Counts
  // A refresh started by the last requests may still be running: wait until the counts settle.
  const settled = async (): Promise<Counts> => {
    let last = await counts()
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      const now = await counts()
      if (JSON.stringify(now) === JSON.stringify(last)) return now
      last = now
    }
    return last
  }
  const delta = (a: Counts, b: Counts) => ({
    generations: b.generations - a.generations,
    calls: Object.fromEntries(Object.keys(b.calls).map((k) => [k, b.calls[k] - a.calls[k]]))
  })
  try {
    await fetch(server.url + '/bench/expire', { method: 'POST' })
    const before = await settled()
    ctx.log('B5 500 concurrent requests on a cold cache')
    const burst = await load({ url: server.url + path, connections: 500, amount: 500 })
    const afterBurst = await settled()
    const b = delta(before, afterBurst)

    await fetch(server.url + '/bench/expire', { method: 'POST' })
    const beforeLoad = await settled()
    ctx.log(`B5 ${loadS} s load at a ${ttlMs} ms TTL`)
    const steady = await load({ url: server.url + path, connections: 50, duration: loadS })
    const l = delta(beforeLoad, await settled())

    const burstCalls = Object.values(b.calls)
    const perRefresh = Object.values(l.calls).map((c) => c / Math.max(1, l.generations))
    // From a cold start, one refresh at once and one per TTL after it (each started by the first
    // request past the TTL, so slightly later than a multiple of it).
    const expectedRefreshes = 1 + Math.floor(loadS * 1000 / ttlMs)
    return {
      id: 'B5',
      title: 'source calls per refresh (single-flight)',
      rows: [
        row({
          what: '500 concurrent, cold',
          variant: `${b.generations} refresh(es), ${burst.total} answers`,
          unit: 'calls/source',
          samples: burstCalls,
          target: 'exactly 1 per source',
          judge: 'median',
          check: () => b.generations === 1 && burstCalls.every((c) => c === 1) && burst.bad === 0
        }),
        row({
          what: `${loadS} s load, TTL ${ttlMs / 1000} s`,
          variant: `${l.generations} refresh(es), ${steady.total} answers`,
          unit: 'calls/source/refresh',
          samples: perRefresh,
          target: 'exactly 1 per refresh',
          judge: 'median',
          check: () => perRefresh.every((c) => c === 1) && l.generations >= 1 && l.generations <= expectedRefreshes && steady.bad === 0
        })
      ],
      facts: { ttlMs, loadS, burst: { ...b, answers: burst.total, bad: burst.bad }, load: { ...l, answers: steady.total, rps: steady.rps, bad: steady.bad, expectedRefreshesAtMost: expectedRefreshes } }
    }
  } finally {
    await server.stop()
  }
}
