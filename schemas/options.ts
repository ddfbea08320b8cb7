// The plugin's options, declared once: each option's type, limits, default and meaning are here,
// and the TypeScript types come from this schema (`Static`), so nothing restates them (issue 10.2).
// Checked at registration: functions are checked to be functions (what they return is checked when
// they run). Unknown keys are refused, so a typo such as `cacheTTL` is an error rather than a
// silently ignored setting.
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type {
  CacheSection, EdgeEngineSection, IngestionSection, ModelRegistrySection, WebsocketSection
} from './report.js'
import type { Rule } from './rule.js'
import type { ServiceCheck } from '../plugin/sources/services-source.js'
import type { SectionInput } from '../plugin/sources/section-source.js'
import type { SectionSource } from '../plugin/sources/source.js'

/** A function option: checked to be a function at run time, typed precisely at compile time. */
const Fn = <T>(description?: string) => Type.Unsafe<T>(Type.Function([], Type.Unknown(), description === undefined ? {} : { description }))
const Path = (options: { description?: string, default?: string } = {}) => Type.String({ pattern: '^/', minLength: 1, ...options })
/**
 * The longest duration any option takes, in ms (a day). The sidecar's settings that become plugin
 * options are bounded by it too, so a setting the sidecar accepts is one the plugin accepts.
 */
export const MAX_OPTION_MS = 86_400_000
const Ms = (minimum: number, description: string, fallback?: number) =>
  Type.Integer({ minimum, maximum: MAX_OPTION_MS, description, ...(fallback === undefined ? {} : { default: fallback }) })
const Section = <T>() => Fn<SectionSource<SectionInput<T>>>()

export const ServiceCheckOption = Type.Unsafe<ServiceCheck>(Type.Object({
  name: Type.String({ minLength: 1 }),
  critical: Type.Optional(Type.Boolean()),
  check: Fn()
}, { additionalProperties: false }))

export const SourcesOption = Type.Object({
  services: Type.Optional(Type.Array(ServiceCheckOption, { description: 'Health checks; each becomes one entry of `report.services`.' })),
  cache: Type.Optional(Section<CacheSection>()),
  edge_engine: Type.Optional(Section<EdgeEngineSection>()),
  ingestion: Type.Optional(Section<IngestionSection>()),
  websocket: Type.Optional(Section<WebsocketSection>()),
  model_registry: Type.Optional(Section<ModelRegistrySection>())
}, { additionalProperties: false })
export type ReliabilitySources = Static<typeof SourcesOption>

const options = {
  path: Type.Optional(Path({ description: 'Path of the diagnostics route.', default: '/api/v2/diagnostics/reliability' })),
  healthPath: Type.Optional(Type.Union([Path(), Type.Literal(false)], {
    description: 'Path of the open health route, or false for none.', default: '/health'
  })),
  sourceTimeoutMs: Type.Optional(Ms(1, 'Deadline of every source call, in ms.', 1000)),
  cacheTtlMs: Type.Optional(Ms(0, 'How long a report is served as fresh, in ms.', 30_000)),
  // No static default: it follows cacheTtlMs (resolveOptions derives it).
  maxStaleMs: Type.Optional(Ms(0, 'The oldest a report may be and still be answered at once while one refresh runs, ' +
    'and the oldest a failing source\'s last good value may be and still be shown (marked stale), in ms. Default twice `cacheTtlMs`.')),
  windowMs: Type.Optional(Ms(100, 'The window every rate and percentile covers, in ms.', 60_000)),
  historyMs: Type.Optional(Ms(0, 'How far back `<path>/history` and the diagnosis look, in ms.', 3_600_000)),
  historyPoints: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'The most history points kept, one per generated report.', default: 720 })),
  failOn: Type.Optional(Type.Union([Type.Literal('down'), Type.Literal('degraded')], {
    description: 'Which overall status makes `/health` answer 503.', default: 'down'
  })),
  token: Type.Optional(Type.String({ minLength: 1, description: 'Bearer token the diagnostics route requires.' })),
  authorize: Type.Optional(Fn<(request: FastifyRequest) => boolean | Promise<boolean>>(
    'Decides access to the diagnostics route; wins over `token` and the loopback default.')),
  rules: Type.Optional(Type.Unsafe<Rule[] | string>(Type.Union([Type.Array(Type.Unknown()), Type.String({ minLength: 1 })], {
    description: 'Rules added to or overriding the defaults by code, or the path of a JSON rules file.'
  }))),
  sources: Type.Optional(SourcesOption),
  // Fastify's own register options pass through the plugin's options object.
  prefix: Type.Optional(Type.String()),
  logLevel: Type.Optional(Type.String()),
  logSerializers: Type.Optional(Type.Unknown())
} satisfies Record<string, TSchema>

export const ReliabilityOptionsSchema = Type.Object(options, { additionalProperties: false })
/**
 * The plugin's options, as the schema declares them (all optional). Fastify's own register options
 * (`prefix`, `logLevel`, `logSerializers`) are Fastify's to type.
 */
export type ReliabilityOptions = Omit<Static<typeof ReliabilityOptionsSchema>, 'prefix' | 'logLevel' | 'logSerializers'>
