// B4: a source that never resolves must not hold the report past its deadline. In-process, cold
// generations one after another (no cache), each timed from the caller's side, alternating with a
// bare setTimeout of the same deadline: how late this machine's timers fire right now.
import Fastify from 'fastify'
import { createReliabilityPlugin } from '../plugin/reliability-plugin.js'
import { alternateRounds } from './lib/alternate-rounds.js'
import { row, type BenchContext, type FigureSet } from './lib/figure.js'

export async function runB4 (ctx: BenchContext): Promise<FigureSet> {
  const deadlineMs = 200
  const reports = ctx.quick ? 8 : 60
  const app = Fastify({ logger: false })
  await app.register(createReliabilityPlugin({ clock: () => performance.timeOrigin + performance.now() }), {
    sourceTimeoutMs: deadlineMs,
    cacheTtlMs: 0,
    maxStaleMs: 0,
    sources: {
      // Ignores its signal and never settles.
      cache: () => new Promise<never>(() => {}),
      websocket: async () => ({ active_connections: 1 })
    }
  })
  await app.ready()
  try {
    let timedOut = 0
    const samples = await alternateRounds([
      {
        name: 'timer',
        run: async () => {
          const started = performance.now()
          await new Promise((resolve) => setTimeout(resolve, deadlineMs))
          return performance.now() - started
        }
      },
      {
        name: 'report',
        run: async () => {
          const started = performance.now()
          const report = await app.reliability.report()
          const ms = performance.now() - started
          if (report.sources.cache?.status === 'timeout') timedOut++
          return ms
        }
      }
    ], { rounds: reports })
    const latencies = samples.get('report')!
    const timer = samples.get('timer')!
    ctx.log(`B4 ${reports} reports, ${timedOut} with the hung source timed out`)
    return {
      id: 'B4',
      title: 'report latency with one source that never resolves',
      rows: [
        row({ what: 'report latency', variant: `setTimeout(${deadlineMs}) alone (baseline)`, unit: 'ms', samples: timer, judge: 'p99' }),
        row({
          what: 'report latency',
          variant: 'one hung source',
          unit: 'ms',
          samples: latencies,
          baseline: { name: `setTimeout(${deadlineMs})`, samples: timer },
          target: `p99 ≤ ${deadlineMs + 10} ms`,
          judge: 'p99',
          check: (p99) => p99 <= deadlineMs + 10 && timedOut === reports
        })
      ],
      facts: { deadlineMs, reports, timedOut }
    }
  } finally {
    await app.close()
  }
}
