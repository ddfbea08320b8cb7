// The reliability report, contract v1 (SPEC §1). This schema is also the route's response schema:
// Fastify's serializer drops every key not declared here, which is what keeps an undeclared field a
// source returned from ever leaking into the answer.
import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
export const NullableNumber = Nullable(Type.Number())
/** An ISO-8601 time, or null when the source never saw one. */
export const NullableTimestamp = Nullable(Type.String())

export const Status = Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')])
export type Status = Static<typeof Status>

export const Severity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')])
export type Severity = Static<typeof Severity>

export const SourceState = Type.Union([
  Type.Literal('ok'),
  Type.Literal('error'),
  Type.Literal('timeout'),
  Type.Literal('stale'),
  Type.Literal('unconfigured')
])
export type SourceState = Static<typeof SourceState>

export const ServiceStatus = Type.Object({
  name: Type.String(),
  status: Status,
  critical: Type.Boolean(),
  latency_ms: NullableNumber,
  error: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
})
export type ServiceStatus = Static<typeof ServiceStatus>

export const LatencySummary = Type.Object({
  p50: NullableNumber,
  p95: NullableNumber,
  p99: NullableNumber,
  count: NullableNumber
})
export type LatencySummary = Static<typeof LatencySummary>

export const PerformanceSection = Type.Object({
  /** Percent of one core over the last window (a busy two-core process reads 200). */
  cpu_percent: NullableNumber,
  event_loop_delay_p99_ms: NullableNumber,
  /** 0..1, over the last window, never the lifetime mean. */
  event_loop_utilization: NullableNumber,
  request_latency_ms: LatencySummary,
  requests_per_s: NullableNumber,
  /** Share of responses with a 5xx status over the window, 0..1. */
  error_rate: NullableNumber
})
export type PerformanceSection = Static<typeof PerformanceSection>

export const CacheSection = Type.Object({
  hits: NullableNumber,
  misses: NullableNumber,
  operations: NullableNumber,
  /** null when there were no operations: a rate of nothing is not 0. */
  hit_rate: NullableNumber
})
export type CacheSection = Static<typeof CacheSection>

export const InfrastructureSection = Type.Object({
  hostname: Nullable(Type.String()),
  pid: NullableNumber,
  node_version: Nullable(Type.String()),
  uptime_s: NullableNumber,
  memory: Type.Object({
    rss_bytes: NullableNumber,
    heap_used_bytes: NullableNumber,
    heap_total_bytes: NullableNumber
  }),
  load_avg: Nullable(Type.Array(Type.Number()))
})
export type InfrastructureSection = Static<typeof InfrastructureSection>

export const MetricsSection = Type.Object({
  /** How many series the metrics source read (null in-app, where nothing is scraped). */
  series_count: NullableNumber,
  /** Age of the newest scrape the figures come from, in ms. */
  scrape_age_ms: NullableNumber,
  /** Window every rate and percentile covers, in ms. */
  window_ms: Type.Number()
})
export type MetricsSection = Static<typeof MetricsSection>

export const EdgeEngineSection = Type.Object({
  active_edges: NullableNumber,
  last_edge_created_ts: NullableTimestamp,
  edges_per_min_rate: NullableNumber
})
export type EdgeEngineSection = Static<typeof EdgeEngineSection>

export const IngestionSection = Type.Object({
  last_ingest_ts: NullableTimestamp,
  ingest_latency_ms: NullableNumber,
  recent_failures: NullableNumber
})
export type IngestionSection = Static<typeof IngestionSection>

export const WebsocketSection = Type.Object({
  active_connections: NullableNumber,
  last_broadcast_ts: NullableTimestamp,
  connection_rate: NullableNumber
})
export type WebsocketSection = Static<typeof WebsocketSection>

export const ModelInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  status: Type.String(),
  loaded_at: Type.Optional(Type.String())
})
export type ModelInfo = Static<typeof ModelInfo>

export const ModelRegistrySection = Type.Object({
  // Bounded: a registry of 100,000 entries made every report cost half a second (issue 5's matrix).
  models: Type.Array(ModelInfo, { maxItems: 1000 }),
  default_model: Type.Optional(Type.String())
})
export type ModelRegistrySection = Static<typeof ModelRegistrySection>

export const Anomaly = Type.Object({
  code: Type.String(),
  severity: Severity,
  message: Type.String(),
  /** The value of the rule's first condition when last evaluated (null when that path had no data). */
  value: Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]),
  threshold: Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]),
  /** Every condition's path and the value it read. */
  context: Type.Record(Type.String(), Type.Unknown()),
  /** When the anomaly started firing, ISO-8601. */
  since: Type.String()
})
export type Anomaly = Static<typeof Anomaly>

export const Evidence = Type.Object({
  /** The report path read, e.g. `performance.cpu_percent` or `services.2.latency_ms`. */
  path: Type.String(),
  value: Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]),
  threshold: Type.Optional(Type.Union([Type.Number(), Type.String()]))
})
export type Evidence = Static<typeof Evidence>

/** A conclusion joining signals (SPEC §9), with the figures it read; it never changes the status. */
export const Diagnosis = Type.Object({
  code: Type.String(),
  severity: Severity,
  summary: Type.String(),
  evidence: Type.Array(Evidence),
  /** When it started holding, ISO-8601. */
  since: Type.String()
})
export type Diagnosis = Static<typeof Diagnosis>

export const SourceStatus = Type.Object({
  status: SourceState,
  duration_ms: NullableNumber,
  /** Age of the data the report shows for this source, in ms (0 when just collected). */
  age_ms: NullableNumber,
  error: Type.Optional(Type.String())
})
export type SourceStatus = Static<typeof SourceStatus>

/** A report path (a section, or a figure within one) that no source fills, and why. */
export const Unfilled = Type.Object({
  path: Type.String(),
  reason: Type.String()
})
export type Unfilled = Static<typeof Unfilled>

/**
 * What the report is built from, said once instead of in a note per report (issue 9): what the
 * sources found on their own (the sidecar's discovered paths and metric conventions), what no
 * source fills, and the rules that therefore read nothing. Notes are left for what is wrong or
 * changed, so a healthy app's report has none.
 */
export const SetupSection = Type.Object({
  /** Found rather than configured, by name (e.g. `health_path`, `cpu_metric`); null: looked for, not found. */
  detected: Type.Record(Type.String(), Nullable(Type.String())),
  /** Sections and figures no source fills: not configured, or not offered by the target. */
  unconfigured: Type.Array(Unfilled),
  /** Codes of the rules whose every input is unconfigured: they can neither fire nor clear. */
  idle_rules: Type.Array(Type.String())
})
export type SetupSection = Static<typeof SetupSection>

export const TraceSpan = Type.Object({
  source: Type.String(),
  started_at: Type.String(),
  duration_ms: Type.Number(),
  outcome: SourceState,
  error: Type.Optional(Type.String())
})
export type TraceSpan = Static<typeof TraceSpan>

export const ReliabilityReport = Type.Object({
  timestamp: Type.String(),
  overall_status: Status,
  health_version: Type.Literal('v2'),
  services: Type.Array(ServiceStatus),
  performance: PerformanceSection,
  cache: CacheSection,
  infrastructure: InfrastructureSection,
  metrics: MetricsSection,
  edge_engine: EdgeEngineSection,
  ingestion: IngestionSection,
  websocket: WebsocketSection,
  model_registry: ModelRegistrySection,
  anomalies: Type.Array(Anomaly),
  diagnosis: Type.Array(Diagnosis),
  notes: Type.Array(Type.String()),
  sources: Type.Record(Type.String(), SourceStatus),
  setup: SetupSection,
  generation_time_ms: Type.Number(),
  include_traces: Type.Boolean(),
  traces: Type.Optional(Type.Array(TraceSpan))
}, { $id: 'ReliabilityReport' })
export type ReliabilityReport = Static<typeof ReliabilityReport>

/** The sections a source can fill, by report key. */
export interface ReportSections {
  services: ServiceStatus[]
  performance: PerformanceSection
  cache: CacheSection
  infrastructure: InfrastructureSection
  metrics: MetricsSection
  edge_engine: EdgeEngineSection
  ingestion: IngestionSection
  websocket: WebsocketSection
  model_registry: ModelRegistrySection
}
