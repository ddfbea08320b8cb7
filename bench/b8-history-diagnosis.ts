// B8: what history and diagnosis cost (issue 11). In-process, the sources of B3. Two plugins side by
// side, alternating rounds of cold generations: one keeps a single history point (the diagnosis
// then has no baseline and reads nothing back: the cost of the report as before history), one a
// full 720-point hour (every conclusion sorts and fits over it). Also the bytes a point holds, the
// heap a full history adds, and the /history answer's size and build time at 720 points.
import Fastify, { type FastifyInstance } from 'fastify'
import { createReliabilityPlugin } from '../plugin/reliability-plugin.js'
import { createHistory } from '../plugin/history/create-history.js'
import { historyFigurePaths } from '../plugin/history/figure-paths.js'
import { defaultRules } from '../plugin/rules/default-rules.js'
import { row, type BenchContext, type FigureSet } from './lib/figure.js'

async function app (historyPoints: number): Promise<FastifyInstance> {
  const fastify = Fastify({ logger: false })
  await fastify.register(createReliabilityPlugin({ clock: () => performance.timeOrigin + performance.now() }), {
    cacheTtlMs: 0,
    maxStaleMs: 0,
    historyPoints,
    sources: {
      cache: async () => ({ hits: 90, misses: 10, operations: 100 }),
      ingestion: async () => ({ last_ingest_ts: Date.now() - 2000, ingest_latency_ms: 40, recent_failures: 0 }),
      services: [{ name: 'db', critical: true, check: async () => true }]
    }
  })
  await fastify.ready()
  return fastify
}

/** CPU ms of each of `n` report() calls. */
async function cpuPerReport (fastify: FastifyInstance, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const before = process.cpuUsage()
    await fastify.reliability.report()
    const { user, system } = process.cpuUsage(before)
    out.push((user + system) / 1000)
  }
  return out
}

export async function runB8 (ctx: BenchContext): Promise<FigureSet> {
  const rounds = ctx.quick ? 4 : 10
  const perRound = ctx.quick ? 100 : 300
  const bare = await app(1)
  const full = await app(720)
  try {
    // Fill the full one's hour before measuring.
    await cpuPerReport(full, 720)
    await cpuPerReport(bare, 300)
    const a: number[] = []
    const b: number[] = []
    for (let r = 0; r < rounds; r++) {
      a.push(...await cpuPerReport(bare, perRound))
      b.push(...await cpuPerReport(full, perRound))
    }
    const view = full.reliability.history()
    const body = JSON.stringify(view)
    const buildMs: number[] = []
    for (let i = 0; i < (ctx.quick ? 50 : 200); i++) {
      const t0 = performance.now()
      JSON.stringify(full.reliability.history())
      buildMs.push(performance.now() - t0)
    }
    const paths = historyFigurePaths(defaultRules)
    const history = createHistory({ historyMs: 3_600_000, historyPoints: 720, paths })
    const bytesPerPoint = history.bytes / 720
    ctx.log(`B8 ${a.length} + ${b.length} generations; /history ${body.length} bytes at ${view.points.timestamp.length} points`)
    return {
      id: 'B8',
      title: 'history and diagnosis: report cost with a full hour against a one-point history; /history size',
      rows: [
        row({ what: 'CPU per report() call', variant: '1-point history (baseline)', unit: 'ms', samples: a }),
        row({
          what: 'CPU per report() call',
          variant: '720-point history + diagnosis',
          unit: 'ms',
          samples: b,
          baseline: { name: '1-point history', samples: a },
          target: '≤ 1.5× the 1-point history',
          check: (ratio) => ratio <= 1.5
        }),
        row({ what: '/history build + stringify', variant: '720 points', unit: 'ms', samples: buildMs }),
        row({ what: 'bytes per history point', variant: `${paths.length} figures (typed arrays)`, unit: 'B', samples: [bytesPerPoint] }),
        row({ what: '/history body', variant: '720 points, JSON', unit: 'kB', samples: [body.length / 1000] })
      ],
      facts: { rounds, perRound, figures: paths.length, historyBytes: history.bytes, historyBody: body.length }
    }
  } finally {
    await bare.close()
    await full.close()
  }
}
