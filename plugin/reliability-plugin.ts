// The plugin: wires options, sources, the orchestrator, the report cache and the routes, and owns
// their lifecycle. The window ticker is unref'd; a source call's deadline is not (someone waits on
// it, and it is cleared when the call settles). onClose stops the ticker, aborts the sources and
// closes them: nothing outlives `app.close()`.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { emptySetup } from './report-setup.js'
import { assembleSections } from './assemble-sections.js'
import { createEventLoopSource } from './builtins/event-loop-source.js'
import { createHttpSource } from './builtins/http-source.js'
import { createLatencyRecorder } from './builtins/latency-recorder.js'
import { createProcessSource } from './builtins/process-source.js'
import { createWindowTicker } from './builtins/window-ticker.js'
import { ReliabilityErrors } from './errors.js'
import { createFiniteGuard } from './finite-guard.js'
import { createOrchestrator } from './sources/orchestrator.js'
import { createRedactor, redactError } from './redact.js'
import { createReportCache } from './report-cache.js'
import { createReportGenerator, type GeneratedReport } from './report-generator.js'
import { createDiagnoser } from './diagnosis/create-diagnoser.js'
import { createHistory, type History } from './history/create-history.js'
import { historyFigurePaths } from './history/figure-paths.js'
import { resolveOptions, type PluginInternals, type ReliabilityOptions, type ResolvedOptions } from './resolve-options.js'
import { createAccessCheck } from './routes/access-check.js'
import { createPageAccessCheck } from './ui/page-access.js'
import { reportView } from './routes/report-route.js'
import { kInternalRoute, registerRoutes } from './routes/register-routes.js'
import { createSectionSource, userSectionNames, type SectionInput, type UserSectionName } from './sources/section-source.js'
import { createServicesSource, type ServiceCheck } from './sources/services-source.js'
import type { ReliabilityReport, ReportSections, Status } from '../schemas/report.js'
import type { SectionSource, Source } from './sources/source.js'
import type { HistoryResponse } from '../schemas/history.js'

export interface ReliabilityDecorator {
  /** The current report (cached per `cacheTtlMs`), traces included only when asked. */
  report(opts?: { includeTraces?: boolean }): Promise<ReliabilityReport>
  /** Sets the source of one section at run time, replacing any earlier one. */
  addSource<K extends UserSectionName>(name: K, fn: SectionSource<SectionInput<ReportSections[K]>>): void
  /** Adds a health check at run time; it becomes one entry of `report.services`. */
  addService(check: ServiceCheck): void
  /** The overall status of the last report, without waiting; undefined before the first one. */
  status(): Status | undefined
  /** Builds a new report now, whatever the cache's age (sharing one already in flight). */
  refresh(): Promise<void>
  /** The points of the history window and the last transitions (`<path>/history`). */
  history(): HistoryResponse
}

declare module 'fastify' {
  interface FastifyInstance {
    reliability: ReliabilityDecorator
  }
}

const builtinNames = ['process', 'event_loop', 'http'] as const

/**
 * The plugin, with the plumbing its embedders set (the sidecar's pollers and clock; no built-in
 * sources); the package's plugin is this with none. Internal: not exported from the package.
 */
export function createReliabilityPlugin (internals: PluginInternals = {}) {
  return fp(async function reliability (fastify: FastifyInstance, input: ReliabilityOptions) {
    await setUp(fastify, resolveOptions(input, internals))
  }, { fastify: '5.x', name: 'fastify-reliability' })
}

async function setUp (fastify: FastifyInstance, opts: ResolvedOptions): Promise<void> {
  const log = fastify.log.child({ plugin: 'reliability' })
  const redact = createRedactor([opts.token])
  const closing = new AbortController()
  const ticker = createWindowTicker(opts.windowMs)
  const stoppers: Array<() => void> = [() => ticker.stop()]

  const builtins: Source[] = []
  if (opts.builtinSources) {
    const recorder = createLatencyRecorder(ticker.slots)
    ticker.onTick(() => recorder.rotate())
    const eventLoop = createEventLoopSource(ticker)
    stoppers.push(() => eventLoop.stop())
    builtins.push(createProcessSource(ticker), eventLoop, createHttpSource(recorder))
    // One hook, callback style, on the host's hot path: elapsedTime is measured by Fastify already.
    fastify.addHook('onResponse', function recordLatency (_request: FastifyRequest, reply: FastifyReply, done: () => void) {
      if ((reply as unknown as Record<symbol, unknown>)[kInternalRoute] !== true) recorder.record(reply.elapsedTime, reply.statusCode)
      done()
    })
  }

  const checks: ServiceCheck[] = [...(opts.sources.services ?? [])]
  // Each check's deadline sits just under the source's, so checks time out first and the section
  // is built with the slow service marked down, instead of the whole section timing out.
  const servicesSource = createServicesSource(() => checks, Math.max(1, opts.sourceTimeoutMs - 2))
  const sections = new Map<string, Source>()
  for (const name of userSectionNames) {
    const fn = opts.sources[name]
    if (fn) sections.set(name, createSectionSource(name, fn as SectionSource<never>))
  }

  const sources = () => [
    ...builtins,
    ...(checks.length > 0 ? [servicesSource] : []),
    ...sections.values(),
    ...opts.extraSources
  ]
  const expected = () => opts.expectedSources ?? [...(opts.builtinSources ? builtinNames : []), 'services', ...userSectionNames]

  const history: History = createHistory({ historyMs: opts.historyMs, historyPoints: opts.historyPoints, paths: historyFigurePaths(opts.rules) })
  const generator = createReportGenerator({
    ...opts,
    history,
    diagnoser: createDiagnoser(),
    orchestrator: createOrchestrator({ ...opts, log, signal: closing.signal, redact }),
    sources,
    expected,
    log,
    redact
  })
  // A report holding NaN or ±Inf is never cached: those numbers are null, with a note (issue 8).
  const guard = createFiniteGuard<GeneratedReport>({ log })
  const cache = createReportCache<GeneratedReport>({
    ...opts,
    generate: async () => guard.admit(await generator.generate()),
    onBackgroundError: (err) => log.error({ err: redactError(err as Error, redact) }, 'background report refresh failed')
  })

  // The last resort must not depend on anything that may be what broke, the injected clock included.
  const failedReport = (reason: string): ReliabilityReport => ({
    timestamp: new Date().toISOString(),
    overall_status: 'down',
    health_version: 'v2',
    ...assembleSections(opts.windowMs, []),
    anomalies: [],
    diagnosis: [],
    notes: [reason],
    sources: {},
    setup: emptySetup(),
    generation_time_ms: 0,
    include_traces: false
  })

  fastify.decorate('reliability', {
    async report ({ includeTraces = false } = {}) {
      return structuredClone(reportView((await cache.get()).value, includeTraces))
    },
    addSource (name, fn) {
      if (!(userSectionNames as readonly string[]).includes(name)) {
        throw ReliabilityErrors.UNKNOWN_SOURCE(String(name), userSectionNames.join(', '))
      }
      if (typeof fn !== 'function') throw ReliabilityErrors.INVALID_OPTION(`addSource(${name})`, 'expected a function')
      sections.set(name, createSectionSource(name, fn as SectionSource<never>))
    },
    addService (check) {
      if (!check || typeof check.name !== 'string' || typeof check.check !== 'function') {
        throw ReliabilityErrors.INVALID_OPTION('addService', 'expected { name, critical?, check }')
      }
      if (checks.some((c) => c.name === check.name)) throw ReliabilityErrors.INVALID_OPTION('addService', `duplicate service "${check.name}"`)
      checks.push({ ...check })
    },
    status: () => cache.peek()?.value.overall_status,
    async refresh () {
      await cache.refresh()
    },
    history: () => history.view(opts.clock())
  } satisfies ReliabilityDecorator)

  await fastify.register(registerRoutes, {
    path: opts.path,
    healthPath: opts.healthPath,
    failOn: opts.failOn,
    cache,
    checkAccess: createAccessCheck(opts),
    checkPageAccess: createPageAccessCheck(opts),
    failedReport,
    history: () => history.view(opts.clock()),
    redact
  })

  // The first report is ready before the server listens, so /health never answers from nothing.
  fastify.addHook('onReady', async () => {
    await cache.refresh().catch((err) => log.error({ err: redactError(err as Error, redact) }, 'first report failed'))
  })
  fastify.addHook('onClose', async () => {
    closing.abort()
    for (const stop of stoppers) stop()
    await Promise.allSettled(sources().map(async (s) => s.close?.()))
  })
}

export const reliabilityPlugin = createReliabilityPlugin()
