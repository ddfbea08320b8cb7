// The sidecar's own /metrics, read from its registry with every input controlled: what each gauge
// and counter says for a given report, target state and poller count.
import t from 'tap'
import { createOwnMetrics } from '../../sidecar/own-metrics.js'
import type { ReliabilityReport } from '../../schemas/report.js'

function sample (text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

t.test('reliability_poll_ticks_skipped_total follows the poller\'s count and never goes down', async (t) => {
  let skipped = 0
  const own = createOwnMetrics({
    report: async () => ({ overall_status: 'ok', anomalies: [] }) as unknown as ReliabilityReport,
    targetUp: () => true,
    skippedTicks: () => skipped
  })
  t.equal(sample(await own.registry.metrics(), 'reliability_poll_ticks_skipped_total'), 0)
  skipped = 3
  t.equal(sample(await own.registry.metrics(), 'reliability_poll_ticks_skipped_total'), 3)
  t.equal(sample(await own.registry.metrics(), 'reliability_poll_ticks_skipped_total'), 3, 'read twice, counted once')
  skipped = 5
  t.equal(sample(await own.registry.metrics(), 'reliability_poll_ticks_skipped_total'), 5)
  t.equal(sample(await own.registry.metrics(), 'reliability_target_up'), 1)
})
