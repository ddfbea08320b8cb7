// B1: what registering the plugin costs the host's own routes. Hello-route req/s of four server
// processes (bare Fastify, with fastify-reliability, with under-pressure, with fastify-metrics),
// loaded in turn, A B C D A B C D, by autocannon from this process.
import { alternateRounds } from './lib/alternate-rounds.js'
import { pairedRatios, row, type BenchContext, type FigureSet, type Row } from './lib/figure.js'
import { load } from './lib/load.js'
import { cpuMs } from './lib/proc-stat.js'
import { serverScript, spawnServer, type ServerChild } from './lib/spawn-server.js'
import { profileArgs } from './lib/profile-args.js'

const variants = ['bare', 'reliability', 'under-pressure', 'fastify-metrics'] as const

const expected: Record<string, string> = {
  reliability: '≥ 0.97 × bare',
  'under-pressure': 'context (issue: ~0.97)',
  'fastify-metrics': 'context (issue: ~0.84)'
}

export async function runB1 (ctx: BenchContext): Promise<FigureSet> {
  const rounds = ctx.quick ? 3 : 5
  const duration = ctx.quick ? 0.5 : 3
  const warmup = ctx.quick ? 0.5 : 2
  const connections = 100
  const pipelining = 10
  const servers = new Map<string, ServerChild>()
  let bad = 0
  try {
    const started = await Promise.all(variants.map((v) =>
      spawnServer(serverScript('hello-server.js'), [v], { execArgv: profileArgs(ctx, `b1-${v}`) })))
    variants.forEach((v, i) => servers.set(v, started[i]))
    // Warm-up (JIT, connection pools) of all servers at once: no figure is taken from it.
    ctx.log('B1 warm-up')
    await Promise.all(variants.map((v) => load({ url: `${servers.get(v)!.url}/`, connections, pipelining, duration: warmup })))
    // The server's own CPU per request (from /proc), beside req/s: on a loaded machine req/s also
    // measures the scheduler; CPU time per request mostly does not.
    const cpu = new Map<string, number[]>(variants.map((v) => [v, []]))
    const samples = await alternateRounds(variants.map((v) => ({
      name: v,
      run: async () => {
        const { url, pid } = servers.get(v)!
        const before = cpuMs(pid)
        const r = await load({ url: `${url}/`, connections, pipelining, duration })
        cpu.get(v)!.push((cpuMs(pid) - before) * 1000 / r.total)
        bad += r.bad
        return r.rps
      }
    })), { rounds, onRun: (v, r) => ctx.log(`B1 round ${r + 1}/${rounds} ${v}`) })

    const base = samples.get('bare')!
    const rows: Row[] = [row({ what: 'hello req/s', variant: 'bare Fastify (baseline)', unit: 'req/s', samples: base })]
    const perRound: Record<string, number[]> = {}
    for (const v of variants.slice(1)) {
      const s = samples.get(v)!
      perRound[v] = pairedRatios(s, base)
      rows.push(row({
        what: 'hello req/s',
        variant: v === 'reliability' ? 'fastify-reliability' : v,
        unit: 'req/s',
        samples: s,
        baseline: { name: 'bare', samples: base },
        target: expected[v],
        ...(v === 'reliability' ? { check: (ratio: number) => ratio >= 0.97 } : {})
      }))
    }
    const baseCpu = cpu.get('bare')!
    rows.push(row({ what: 'server CPU per request', variant: 'bare Fastify (baseline)', unit: 'µs', samples: baseCpu }))
    for (const v of variants.slice(1)) {
      rows.push(row({ what: 'server CPU per request', variant: v === 'reliability' ? 'fastify-reliability' : v, unit: 'µs', samples: cpu.get(v)!, baseline: { name: 'bare', samples: baseCpu } }))
    }
    return {
      id: 'B1',
      title: 'host overhead: hello route req/s',
      rows,
      facts: { rounds, durationS: duration, warmupS: warmup, connections, pipelining, badResponses: bad, perRoundRatios: perRound }
    }
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()))
  }
}
