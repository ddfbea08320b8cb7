// Type tests of the public API, against the built declarations (`npm run build` first).
import Fastify from 'fastify'
import { expectAssignable, expectError, expectType, expectNotAssignable } from 'tsd'
import reliability, {
  reliability as named,
  defaultRules,
  ReliabilityReport as ReportSchema,
  type ReliabilityOptions,
  type ReliabilityReport,
  type Anomaly,
  type Rule,
  type Source,
  type SourceContext
} from '../../dist/plugin/index.js'

const app = Fastify()
app.register(reliability)
app.register(named, { path: '/internal/rel', healthPath: false, failOn: 'degraded', token: 't' })
app.register(reliability, {
  sources: {
    services: [{ name: 'db', critical: true, check: async (ctx) => { expectType<AbortSignal>(ctx.signal); return { status: 'ok' as const } } }],
    cache: async () => ({ hits: 1, misses: 2 }),
    ingestion: async () => ({ last_ingest_ts: Date.now(), ingest_latency_ms: 12 }),
    websocket: async () => ({ last_broadcast_ts: new Date() })
  }
})

// Options are checked at compile time too.
expectError(app.register(reliability, { failOn: 'sometimes' }))
expectError(app.register(reliability, { cacheTtlMs: '30s' }))
expectNotAssignable<ReliabilityOptions>({ sources: { cache: async () => ({ hits: 'many' }) } })
expectAssignable<ReliabilityOptions>({ rules: './rules.json' })
expectAssignable<ReliabilityOptions>({ rules: [{ code: 'X', severity: 'info', message: 'm', conditions: [{ path: 'a.b', op: '>', value: 1 }] }] })

// The decorator, by declaration merging.
expectType<Promise<ReliabilityReport>>(app.reliability.report({ includeTraces: true }))
app.reliability.addSource('cache', async () => ({ hits: 1 }))
expectError(app.reliability.addSource('bogus', async () => ({})))
expectType<'ok' | 'degraded' | 'down' | undefined>(app.reliability.status())

// Schemas and types share names; rules are data.
expectType<readonly Rule[]>(defaultRules)
expectAssignable<object>(ReportSchema)
declare const anomaly: Anomaly
expectType<'info' | 'warning' | 'critical'>(anomaly.severity)
declare const report: ReliabilityReport
expectType<'ok' | 'degraded' | 'down'>(report.overall_status)
expectType<number | null>(report.performance.request_latency_ms.p95)

const source: Source = { name: 'custom', collect: async (ctx: SourceContext) => ({ cache: { hits: ctx.now() } }) }
expectAssignable<Source>(source)
