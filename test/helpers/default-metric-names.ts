import { SidecarSettings } from '../../schemas/sidecar-config.js'
import { metricNames, metricSettingNames, type MetricNames } from '../../sidecar/metrics/metric-names.js'

/** The sidecar's default metric settings (SPEC §8), from its settings table: every name detected, edge and ingestion ones unset unless a test names them. */
export const defaultMetricNames: MetricNames = metricNames(
  Object.fromEntries(metricSettingNames.map((s) => [s, SidecarSettings[s].default])) as Parameters<typeof metricNames>[0]
)
