// B3: what building a report costs beyond waiting for its slowest source. In-process, 1,000 cold
// generations (no cache), every source in-process: the three built-ins plus trivial user sources.
// Per generation: generation_time_ms minus the largest duration_ms among its traces.
import Fastify from 'fastify'
import { createReliabilityPlugin } from '../plugin/reliability-plugin.js'
import { row, type BenchContext, type FigureSet } from './lib/figure.js'
import { summarize } from './lib/stats.js'

export async function runB3 (ctx: BenchContext): Promise<FigureSet> {
  const generations = 1000
  const warmup = 300
  let userCalls = 0
  const app = Fastify({ logger: false })
  await app.register(createReliabilityPlugin({
    // A sub-millisecond clock: with a TTL of 0 every call finds the last report older than the TTL.
    clock: () => performance.timeOrigin + performance.now()
  }), {
    cacheTtlMs: 0,
    maxStaleMs: 0,
    sources: {
      cache: async () => { userCalls++; return { hits: 90, misses: 10, operations: 100 } },
      edge_engine: async () => ({ active_edges: 12, last_edge_created_ts: Date.now() - 1000 }),
      ingestion: async () => ({ last_ingest_ts: Date.now() - 2000, ingest_latency_ms: 40, recent_failures: 0 }),
      websocket: async () => ({ active_connections: 5, connection_rate: 0.5 }),
      model_registry: async () => ({ models: [{ name: 'ranker', version: '3', status: 'loaded' }] }),
      services: [{ name: 'db', critical: true, check: async () => true }, { name: 'queue', check: async () => ({ status: 'ok' as const }) }]
    }
  })
  await app.ready()
  try {
    const overheads: number[] = []
    const totals: number[] = []
    // CPU time of each report() call (generation, sources, the caller's copy): what the wall-clock
    // figures would be on a machine where nothing else wants the CPU.
    const cpu: number[] = []
    let cached = 0
    let sourcesSeen = 0
    for (let i = 0; i < warmup + generations; i++) {
      const before = userCalls
      const cpuBefore = process.cpuUsage()
      const report = await app.reliability.report({ includeTraces: true })
      const { user, system } = process.cpuUsage(cpuBefore)
      if (userCalls !== before + 1) { cached++; continue }
      if (i < warmup) continue
      const slowest = Math.max(0, ...(report.traces ?? []).map((t) => t.duration_ms))
      sourcesSeen = report.traces?.length ?? 0
      overheads.push(report.generation_time_ms - slowest)
      totals.push(report.generation_time_ms)
      cpu.push((user + system) / 1000)
    }
    ctx.log(`B3 ${overheads.length} cold generations measured`)
    const s = summarize(overheads)
    return {
      id: 'B3',
      title: 'report generation overhead beyond the slowest source (in-process, cold)',
      rows: [
        row({ what: 'gen − slowest source', variant: 'median of 1,000', unit: 'ms', samples: overheads, target: '≤ 1 ms median', check: (m) => m <= 1 }),
        row({ what: 'gen − slowest source', variant: 'p99 of 1,000', unit: 'ms', samples: overheads, target: '≤ 3 ms p99', judge: 'p99', check: (p) => p <= 3 }),
        row({ what: 'generation_time_ms', variant: 'whole generation', unit: 'ms', samples: totals }),
        row({ what: 'CPU per report() call', variant: 'whole call, CPU time', unit: 'ms', samples: cpu, note: `p99 ${summarize(cpu).p99.toFixed(2)} ms (process CPU: V8's GC and compiler threads count too)` })
      ],
      facts: { generations: overheads.length, warmup, sources: sourcesSeen, cacheHitsSkipped: cached, p99Ms: s.p99, meanMs: s.mean }
    }
  } finally {
    await app.close()
  }
}
