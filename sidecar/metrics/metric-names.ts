// The metric names the sidecar reads, made from its settings table (issue 10.2): each `<field>Metric`
// setting, and `statusCodeLabel`, fills the field of the same stem. A metric setting is declared
// once, as a row of schemas/sidecar-config.ts; its flag, env name, config key, help line and this
// field all come from that row.
import { SidecarSettings, type SidecarConfig, type SidecarSettingName } from '../../schemas/sidecar-config.js'

/** The settings that name a metric (or the request histogram's status label). */
export type MetricSettingName = Extract<SidecarSettingName, `${string}Metric` | 'statusCodeLabel'>
type FieldOf<S extends string> = S extends `${infer F}Metric` ? F : S

/** The metric settings by the figure they feed: a name set wins, null is detected by convention (conventions.ts) or not read. */
export type MetricNames = { readonly [S in MetricSettingName as FieldOf<S>]: string | null }

const isMetricSetting = (key: string): key is MetricSettingName => key.endsWith('Metric') || key === 'statusCodeLabel'
/** The metric settings, in the table's order. */
export const metricSettingNames: readonly MetricSettingName[] = Object.freeze(Object.keys(SidecarSettings).filter(isMetricSetting))

/** The names the metrics source reads, from the settings. */
export function metricNames (config: Pick<SidecarConfig, MetricSettingName>): MetricNames {
  return Object.freeze(Object.fromEntries(metricSettingNames.map((s) => [s.endsWith('Metric') ? s.slice(0, -'Metric'.length) : s, config[s]]))) as MetricNames
}
