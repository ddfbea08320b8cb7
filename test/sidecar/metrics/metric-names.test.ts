// The metric names come from the settings table (issue 10.2): every metric setting of the table
// reaches the field of its stem, set from a flag like any setting, and unset settings stay null.
import t from 'tap'
import { loadConfig } from '../../../sidecar/config/load-config.js'
import { metricNames, metricSettingNames } from '../../../sidecar/metrics/metric-names.js'
import { SidecarSettings } from '../../../schemas/sidecar-config.js'

t.test('each metric setting of the table fills its field, and nothing else does', async (t) => {
  t.equal(metricSettingNames.length, 16, 'fifteen metric names and the status label')
  const argv = metricSettingNames.flatMap((s) => [SidecarSettings[s].flag, `x_${s}`])
  const names = metricNames(await loadConfig({ argv, env: {} }))
  t.same(names, {
    cpu: 'x_cpuMetric',
    startTime: 'x_startTimeMetric',
    memory: 'x_memoryMetric',
    heapUsed: 'x_heapUsedMetric',
    heapTotal: 'x_heapTotalMetric',
    eventLoopLag: 'x_eventLoopLagMetric',
    requestDuration: 'x_requestDurationMetric',
    statusCodeLabel: 'x_statusCodeLabel',
    cacheHits: 'x_cacheHitsMetric',
    cacheMisses: 'x_cacheMissesMetric',
    activeEdges: 'x_activeEdgesMetric',
    edgesCreated: 'x_edgesCreatedMetric',
    lastEdgeCreated: 'x_lastEdgeCreatedMetric',
    ingestLatency: 'x_ingestLatencyMetric',
    lastIngest: 'x_lastIngestMetric',
    ingestFailures: 'x_ingestFailuresMetric'
  })
  t.ok(Object.isFrozen(names))
})

t.test('the defaults: every name unset (detected or not read)', async (t) => {
  const names = metricNames(await loadConfig({ argv: [], env: {} }))
  t.equal(Object.keys(names).length, 16)
  t.ok(Object.values(names).every((v) => v === null))
})
