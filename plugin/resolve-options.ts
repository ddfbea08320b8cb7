// Options resolved once (STYLE §3): cloned, defaulted, checked with TypeBox, frozen. A bad value
// throws RELIABILITY_ERR_INVALID_OPTION naming the field, at registration rather than at 3 a.m.
import type { FastifyRequest } from 'fastify'
import { Value } from '@sinclair/typebox/value'
import { ReliabilityOptionsSchema } from '../schemas/options.js'
import { ReliabilityErrors } from './errors.js'
import { loadRulesFile, resolveRules } from './rules/resolve-rules.js'
import type { Rule } from '../schemas/rule.js'
import type {
  CacheSection, EdgeEngineSection, IngestionSection, ModelRegistrySection, WebsocketSection
} from '../schemas/report.js'
import type { ServiceCheck } from './sources/services-source.js'
import type { SectionInput } from './sources/section-source.js'
import type { SectionSource, Source } from './sources/source.js'

export interface ReliabilitySources {
  /** Health checks; each becomes one entry of `report.services`. */
  services?: ServiceCheck[]
  cache?: SectionSource<SectionInput<CacheSection>>
  edge_engine?: SectionSource<SectionInput<EdgeEngineSection>>
  ingestion?: SectionSource<SectionInput<IngestionSection>>
  websocket?: SectionSource<SectionInput<WebsocketSection>>
  model_registry?: SectionSource<SectionInput<ModelRegistrySection>>
}

export interface ReliabilityOptions {
  /** Path of the diagnostics route. Default `/api/v2/diagnostics/reliability`. */
  path?: string
  /** Path of the open health route, or false for none. Default `/health`. */
  healthPath?: string | false
  /** Deadline of every source call, in ms. Default 1000. */
  sourceTimeoutMs?: number
  /** How long a report is served as fresh, in ms. Default 30000. */
  cacheTtlMs?: number
  /**
   * The oldest a report may be and still be answered at once while one refresh runs, and the oldest
   * a failing source's last good value may be and still be shown (marked stale), in ms.
   * Default twice `cacheTtlMs`.
   */
  maxStaleMs?: number
  /** The window every rate and percentile covers, in ms. Default 60000. */
  windowMs?: number
  /** How far back `<path>/history` and the diagnosis look, in ms. Default 3600000 (1 h). */
  historyMs?: number
  /** The most history points kept, one per generated report. Default 720. */
  historyPoints?: number
  /** Which overall status makes `/health` answer 503. Default `down`. */
  failOn?: 'down' | 'degraded'
  /** Bearer token the diagnostics route requires. */
  token?: string
  /** Decides access to the diagnostics route; wins over `token` and the loopback default. */
  authorize?: (request: FastifyRequest) => boolean | Promise<boolean>
  /** Rules added to or overriding the defaults by code, or the path of a JSON rules file. */
  rules?: Rule[] | string
  sources?: ReliabilitySources
  /** Measure this process (CPU, memory, event loop, HTTP latency). Default true; the sidecar turns it off. */
  builtinSources?: boolean
  /** Sources in their general form (the sidecar's pollers). */
  extraSources?: Source[]
  /** Source names the report always lists, `unconfigured` when nothing fills them. */
  expectedSources?: string[]
  /** The clock, epoch ms. Default Date.now. */
  clock?: () => number
}

export interface ResolvedOptions {
  readonly path: string
  readonly healthPath: string | false
  readonly sourceTimeoutMs: number
  readonly cacheTtlMs: number
  readonly maxStaleMs: number
  readonly windowMs: number
  readonly historyMs: number
  readonly historyPoints: number
  readonly failOn: 'down' | 'degraded'
  readonly token: string | undefined
  readonly authorize: ((request: FastifyRequest) => boolean | Promise<boolean>) | undefined
  readonly rules: readonly Rule[]
  readonly sources: Readonly<ReliabilitySources>
  readonly builtinSources: boolean
  readonly extraSources: readonly Source[]
  readonly expectedSources: readonly string[] | undefined
  readonly clock: () => number
}

export const defaults = Object.freeze({
  path: '/api/v2/diagnostics/reliability',
  healthPath: '/health',
  sourceTimeoutMs: 1000,
  cacheTtlMs: 30_000,
  windowMs: 60_000,
  historyMs: 3_600_000,
  historyPoints: 720,
  failOn: 'down'
} as const)

export function resolveOptions (input: ReliabilityOptions = {}): ResolvedOptions {
  if (input === null || typeof input !== 'object') {
    throw ReliabilityErrors.INVALID_OPTION('options', 'expected an object')
  }
  if (!Value.Check(ReliabilityOptionsSchema, input)) {
    const first = Value.Errors(ReliabilityOptionsSchema, input).First()
    // TypeBox paths are JSON pointers: ~1 is '/', ~0 is '~' in a key.
    const field = first?.path ? first.path.slice(1).split('/').map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~')).join('.') : 'options'
    throw ReliabilityErrors.INVALID_OPTION(field, first?.message ?? 'invalid value')
  }
  const cacheTtlMs = input.cacheTtlMs ?? defaults.cacheTtlMs
  const rules = typeof input.rules === 'string'
    ? resolveRules(loadRulesFile(input.rules))
    : resolveRules(input.rules)
  const services = input.sources?.services
  const names = new Set<string>()
  for (const [i, s] of (services ?? []).entries()) {
    if (names.has(s.name)) throw ReliabilityErrors.INVALID_OPTION(`sources.services.${i}.name`, `duplicate service "${s.name}"`)
    names.add(s.name)
  }

  // Shallow copies: functions stay the caller's, arrays and objects are ours.
  return Object.freeze({
    path: input.path ?? defaults.path,
    healthPath: input.healthPath ?? defaults.healthPath,
    sourceTimeoutMs: input.sourceTimeoutMs ?? defaults.sourceTimeoutMs,
    cacheTtlMs,
    maxStaleMs: input.maxStaleMs ?? cacheTtlMs * 2,
    windowMs: input.windowMs ?? defaults.windowMs,
    historyMs: input.historyMs ?? defaults.historyMs,
    historyPoints: input.historyPoints ?? defaults.historyPoints,
    failOn: input.failOn ?? defaults.failOn,
    token: input.token,
    authorize: input.authorize,
    rules,
    sources: Object.freeze({ ...input.sources, services: services ? services.map((s) => Object.freeze({ ...s })) : undefined }),
    builtinSources: input.builtinSources ?? true,
    extraSources: Object.freeze([...(input.extraSources ?? [])]),
    expectedSources: input.expectedSources ? Object.freeze([...input.expectedSources]) : undefined,
    clock: input.clock ?? Date.now
  })
}
