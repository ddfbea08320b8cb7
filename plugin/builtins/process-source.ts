// Built-in `process` source: CPU percent from process.cpuUsage() deltas over the window, memory,
// and the host facts an operator wants during an incident.
import os from 'node:os'
import { createSnapshotRing } from './snapshot-ring.js'
import type { WindowTicker } from './window-ticker.js'
import type { Source } from '../sources/source.js'

interface CpuSnapshot { at: number, cpuMicros: number }

function cpuSnapshot (): CpuSnapshot {
  const { user, system } = process.cpuUsage()
  return { at: performance.now(), cpuMicros: user + system }
}

export function createProcessSource (ticker: WindowTicker): Source {
  const ring = createSnapshotRing<CpuSnapshot>(ticker.slots + 1, cpuSnapshot())
  ticker.onTick(() => ring.push(cpuSnapshot()))

  return {
    name: 'process',
    async collect () {
      const now = cpuSnapshot()
      const from = ring.oldest()
      const elapsedMs = now.at - from.at
      // Percent of one core: 100 is one core fully busy.
      const cpuPercent = elapsedMs >= 1 ? ((now.cpuMicros - from.cpuMicros) / 1000) / elapsedMs * 100 : null
      const memory = process.memoryUsage()
      return {
        performance: { cpu_percent: cpuPercent === null ? null : round(cpuPercent, 2) },
        infrastructure: {
          hostname: os.hostname(),
          pid: process.pid,
          node_version: process.version,
          uptime_s: round(process.uptime(), 3),
          memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, heap_total_bytes: memory.heapTotal },
          load_avg: os.loadavg().map((n) => round(n, 2))
        }
      }
    }
  }
}

export function round (value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
