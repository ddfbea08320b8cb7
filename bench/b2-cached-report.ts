// B2: the cached report route against a bare Fastify route replying the very same bytes,
// pre-serialised. The bytes are fetched once from the plugin's server and handed to the bare one.
// A third server shows the bare route inside the @fastify/caching context SPEC §5 requires.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alternateRounds } from './lib/alternate-rounds.js'
import { pairedRatios, row, type BenchContext, type FigureSet } from './lib/figure.js'
import { load } from './lib/load.js'
import { cpuMs } from './lib/proc-stat.js'
import { profileArgs } from './lib/profile-args.js'
import { serverScript, spawnServer, type ServerChild } from './lib/spawn-server.js'

const path = '/api/v2/diagnostics/reliability'

export async function runB2 (ctx: BenchContext): Promise<FigureSet> {
  const rounds = ctx.quick ? 3 : 5
  const duration = ctx.quick ? 0.5 : 3
  const warmup = ctx.quick ? 0.5 : 2
  const connections = 100
  const pipelining = 10
  const dir = mkdtempSync(join(tmpdir(), 'reliability-bench-'))
  const servers: ServerChild[] = []
  let bad = 0
  try {
    const plugin = await spawnServer(serverScript('report-server.js'), ['plugin'], { execArgv: profileArgs(ctx, 'b2-plugin') })
    servers.push(plugin)
    const bytes = await (await fetch(plugin.url + path)).text()
    const file = join(dir, 'report.json')
    writeFileSync(file, bytes)
    const bare = await spawnServer(serverScript('report-server.js'), ['bytes', file], { execArgv: profileArgs(ctx, 'b2-bytes') })
    servers.push(bare)
    const cached = await spawnServer(serverScript('report-server.js'), ['bytes-caching', file], { execArgv: profileArgs(ctx, 'b2-bytes-caching') })
    servers.push(cached)
    const same = (await (await fetch(bare.url + path)).text()) === bytes &&
      (await (await fetch(cached.url + path)).text()) === bytes &&
      (await (await fetch(plugin.url + path)).text()) === bytes
    const urls = {
      'pre-serialised bytes': bare.url + path,
      'same, in a @fastify/caching context': cached.url + path,
      'fastify-reliability': plugin.url + path
    }
    // Warm-up of both servers at once: no figure is taken from it.
    ctx.log('B2 warm-up')
    await Promise.all(Object.values(urls).map((url) => load({ url, connections, pipelining, duration: warmup })))
    // The server's own CPU per request (from /proc), beside req/s, as in B1.
    const pids: Record<string, number> = { 'pre-serialised bytes': bare.pid, 'same, in a @fastify/caching context': cached.pid, 'fastify-reliability': plugin.pid }
    const cpu = new Map<string, number[]>(Object.keys(urls).map((name) => [name, []]))
    const samples = await alternateRounds(Object.entries(urls).map(([name, url]) => ({
      name,
      run: async () => {
        const before = cpuMs(pids[name])
        const r = await load({ url, connections, pipelining, duration })
        cpu.get(name)!.push((cpuMs(pids[name]) - before) * 1000 / r.total)
        bad += r.bad
        return r.rps
      }
    })), { rounds, onRun: (v, r) => ctx.log(`B2 round ${r + 1}/${rounds} ${v}`) })
    const base = samples.get('pre-serialised bytes')!
    const ours = samples.get('fastify-reliability')!
    const inCaching = samples.get('same, in a @fastify/caching context')!
    return {
      id: 'B2',
      title: 'cached report route req/s',
      rows: [
        row({ what: 'report req/s', variant: 'bare route, same bytes (baseline)', unit: 'req/s', samples: base }),
        row({
          what: 'report req/s',
          variant: 'fastify-reliability (cached)',
          unit: 'req/s',
          samples: ours,
          baseline: { name: 'bare route', samples: base },
          target: '≥ 0.95 × bare',
          check: (ratio) => ratio >= 0.95 && same
        }),
        row({
          what: 'report req/s',
          variant: 'bare route in @fastify/caching ctx',
          unit: 'req/s',
          samples: inCaching,
          baseline: { name: 'bare route', samples: base },
          target: 'context (SPEC §5 requires it)'
        }),
        row({ what: 'server CPU per request', variant: 'bare route, same bytes (baseline)', unit: 'µs', samples: cpu.get('pre-serialised bytes')! }),
        row({
          what: 'server CPU per request',
          variant: 'fastify-reliability (cached)',
          unit: 'µs',
          samples: cpu.get('fastify-reliability')!,
          baseline: { name: 'bare route', samples: cpu.get('pre-serialised bytes')! }
        }),
        row({
          what: 'server CPU per request',
          variant: 'bare route in @fastify/caching ctx',
          unit: 'µs',
          samples: cpu.get('same, in a @fastify/caching context')!,
          baseline: { name: 'bare route', samples: cpu.get('pre-serialised bytes')! }
        })
      ],
      facts: {
        rounds,
        durationS: duration,
        connections,
        pipelining,
        reportBytes: Buffer.byteLength(bytes),
        identicalBytes: same,
        badResponses: bad,
        perRoundRatios: pairedRatios(ours, base),
        cachingContextPerRoundRatios: pairedRatios(inCaching, base)
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
}
