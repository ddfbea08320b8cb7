// Public entry: the plugin as the default export and as `reliability`, the default rules, the
// schemas, and the types (SPEC §8).
import { reliabilityPlugin } from './reliability-plugin.js'

export default reliabilityPlugin
export { reliabilityPlugin as reliability }
export { defaultRules } from './rules/default-rules.js'
export { ReliabilityErrors } from './errors.js'
// Schemas and their types share names (ReliabilityReport, Anomaly, Rule, ...): one export gives both.
export * from '../schemas/index.js'

export type { ReliabilityOptions, ReliabilitySources } from './resolve-options.js'
export type { ReliabilityDecorator } from './reliability-plugin.js'
export type { Source, SourceContext, SectionSource, ReportPatch } from './sources/source.js'
export type { ServiceCheck, ServiceCheckResult } from './sources/services-source.js'
export type { SectionInput, UserSectionName } from './sources/section-source.js'
