// Built-in `event_loop` source: delay p99 and utilization over the last window.
// ELD histograms cannot be merged into another histogram (Node 20 throws), so two monitors run
// staggered by half a window and the one that has run longer is read: it always holds between half
// and one whole window of data. Both record raw timer intervals, so the resolution is subtracted,
// as @fastify/under-pressure does.
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks'
import { createSnapshotRing } from './snapshot-ring.js'
import { round } from './process-source.js'
import type { WindowTicker } from './window-ticker.js'
import type { Source } from '../sources/source.js'

const resolutionMs = 10

export function createEventLoopSource (ticker: WindowTicker): Source & { stop(): void } {
  const monitors: IntervalHistogram[] = [
    monitorEventLoopDelay({ resolution: resolutionMs }),
    monitorEventLoopDelay({ resolution: resolutionMs })
  ]
  for (const m of monitors) m.enable()
  let older = 0 // index of the monitor reset longest ago
  let ticks = 0
  const half = Math.max(1, Math.round(ticker.slots / 2))
  const elu = createSnapshotRing<EventLoopUtilization>(ticker.slots + 1, performance.eventLoopUtilization())

  ticker.onTick(() => {
    elu.push(performance.eventLoopUtilization())
    if (++ticks % half === 0) {
      monitors[older].reset()
      older = 1 - older
    }
  })

  return {
    name: 'event_loop',
    async collect () {
      const monitor = monitors[older].count > 0 ? monitors[older] : monitors[1 - older]
      const p99 = monitor.count > 0 ? Math.max(0, monitor.percentile(99) / 1e6 - resolutionMs) : null
      const utilization = performance.eventLoopUtilization(performance.eventLoopUtilization(), elu.oldest()).utilization
      return {
        performance: {
          event_loop_delay_p99_ms: p99 === null ? null : round(p99, 3),
          event_loop_utilization: Number.isFinite(utilization) ? round(utilization, 4) : null
        }
      }
    },
    stop () {
      for (const m of monitors) m.disable()
    }
  }
}
