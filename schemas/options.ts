// The data half of the plugin's options, checked at registration (functions are checked to be
// functions; what they return is checked when they run). Unknown keys are refused, so a typo such
// as `cacheTTL` is an error rather than a silently ignored setting.
import { Type, type Static } from '@sinclair/typebox'

const Fn = Type.Function([], Type.Unknown())
const Path = Type.String({ pattern: '^/', minLength: 1 })
/**
 * The longest duration any option takes, in ms (a day). The sidecar's settings that become plugin
 * options are bounded by it too, so a setting the sidecar accepts is one the plugin accepts.
 */
export const MAX_OPTION_MS = 86_400_000
const Ms = (minimum: number) => Type.Integer({ minimum, maximum: MAX_OPTION_MS })

export const ServiceCheckOption = Type.Object({
  name: Type.String({ minLength: 1 }),
  critical: Type.Optional(Type.Boolean()),
  check: Fn
}, { additionalProperties: false })

export const SourcesOption = Type.Object({
  services: Type.Optional(Type.Array(ServiceCheckOption)),
  cache: Type.Optional(Fn),
  edge_engine: Type.Optional(Fn),
  ingestion: Type.Optional(Fn),
  websocket: Type.Optional(Fn),
  model_registry: Type.Optional(Fn)
}, { additionalProperties: false })

export const ReliabilityOptionsSchema = Type.Object({
  path: Type.Optional(Path),
  healthPath: Type.Optional(Type.Union([Path, Type.Literal(false)])),
  sourceTimeoutMs: Type.Optional(Ms(1)),
  cacheTtlMs: Type.Optional(Ms(0)),
  maxStaleMs: Type.Optional(Ms(0)),
  windowMs: Type.Optional(Ms(100)),
  historyMs: Type.Optional(Ms(0)),
  historyPoints: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  failOn: Type.Optional(Type.Union([Type.Literal('down'), Type.Literal('degraded')])),
  token: Type.Optional(Type.String({ minLength: 1 })),
  authorize: Type.Optional(Fn),
  /** An array of rules, or the path of a JSON rules file. */
  rules: Type.Optional(Type.Union([Type.Array(Type.Unknown()), Type.String({ minLength: 1 })])),
  sources: Type.Optional(SourcesOption),
  builtinSources: Type.Optional(Type.Boolean()),
  extraSources: Type.Optional(Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), collect: Fn }))),
  expectedSources: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  clock: Type.Optional(Fn),
  // Fastify's own register options pass through the plugin's options object.
  prefix: Type.Optional(Type.String()),
  logLevel: Type.Optional(Type.String()),
  logSerializers: Type.Optional(Type.Unknown())
}, { additionalProperties: false })
export type ReliabilityOptionsData = Static<typeof ReliabilityOptionsSchema>
