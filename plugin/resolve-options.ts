// Options resolved once (STYLE §3): checked with TypeBox, given the schema's defaults, frozen. A bad
// value throws RELIABILITY_ERR_INVALID_OPTION naming the field, at registration rather than at 3 a.m.
// The options themselves are declared in schemas/options.ts; the types here come from that schema.
import type { Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ReliabilityOptionsSchema, type ReliabilityOptions, type ReliabilitySources } from '../schemas/options.js'
import { ReliabilityErrors } from './errors.js'
import { loadRulesFile, resolveRules } from './rules/resolve-rules.js'
import type { Rule } from '../schemas/rule.js'
import type { Source } from './sources/source.js'

export type { ReliabilityOptions, ReliabilitySources }

/** Options with no default: absent stays absent (undefined). */
type Undefaulted = 'token' | 'authorize'

/**
 * What the code that embeds the plugin (the sidecar, tests, benchmarks) passes to
 * createReliabilityPlugin: plumbing, not options, so not in the public options or their schema.
 * Trusted code passes these, so they are not checked.
 */
export interface PluginInternals {
  /** Measure this process (CPU, memory, event loop, HTTP latency). Default true; the sidecar turns it off. */
  readonly builtinSources?: boolean
  /** Sources in their general form (the sidecar's pollers). */
  readonly extraSources?: readonly Source[]
  /** Source names the report always lists, `unconfigured` when nothing fills them. Default: the in-app ones. */
  readonly expectedSources?: readonly string[]
  /** The clock, epoch ms. Default Date.now. */
  readonly clock?: () => number
}

/** Every option with its value or its default, and the internals, once, frozen: what the whole plugin reads. */
export type ResolvedOptions = Readonly<
  Required<Omit<ReliabilityOptions, Undefaulted | 'rules' | 'sources'>> &
  { [K in Undefaulted]: ReliabilityOptions[K] } & {
    /** The default rules with the user's applied. */
    rules: readonly Rule[]
    sources: Readonly<ReliabilitySources>
    /** How old a failing source's last good value may be and still be shown, marked stale, in ms. */
    lastGoodMaxAgeMs: number
  } & Required<Omit<PluginInternals, 'expectedSources'>> & Pick<PluginInternals, 'expectedSources'>>

export function resolveOptions (input: ReliabilityOptions = {}, internals: PluginInternals = {}): ResolvedOptions {
  if (input === null || typeof input !== 'object') {
    throw ReliabilityErrors.INVALID_OPTION('options', 'expected an object')
  }
  if (!Value.Check(ReliabilityOptionsSchema, input)) {
    const first = Value.Errors(ReliabilityOptionsSchema, input).First()
    // TypeBox paths are JSON pointers: ~1 is '/', ~0 is '~' in a key.
    const field = first?.path ? first.path.slice(1).split('/').map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~')).join('.') : 'options'
    throw ReliabilityErrors.INVALID_OPTION(field, first?.message ?? 'invalid value')
  }
  const rules = typeof input.rules === 'string'
    ? resolveRules(loadRulesFile(input.rules))
    : resolveRules(input.rules)
  const services = input.sources?.services
  const names = new Set<string>()
  for (const [i, s] of (services ?? []).entries()) {
    if (names.has(s.name)) throw ReliabilityErrors.INVALID_OPTION(`sources.services.${i}.name`, `duplicate service "${s.name}"`)
    names.add(s.name)
  }

  // A shallow copy takes the schema's defaults (Value.Default writes into what it is given): the
  // caller's object is never touched, and functions stay the caller's. Fastify's register options
  // (prefix, logLevel, logSerializers) are Fastify's: not kept.
  const { prefix, logLevel, logSerializers, ...given } = Value.Default(ReliabilityOptionsSchema, { ...input }) as
    Static<typeof ReliabilityOptionsSchema> & Required<Pick<ReliabilityOptions, 'cacheTtlMs'>>
  const maxStaleMs = given.maxStaleMs ?? given.cacheTtlMs * 2
  return Object.freeze({
    ...given as Omit<ResolvedOptions, 'maxStaleMs' | 'lastGoodMaxAgeMs' | 'rules' | 'sources' | keyof PluginInternals>,
    maxStaleMs,
    // The orchestrator's idea, not the cache's: how old a failing source's last good value may be
    // and still be shown (marked stale). It follows maxStaleMs today; a name of its own keeps the
    // two ideas apart where they are used.
    lastGoodMaxAgeMs: maxStaleMs,
    rules,
    sources: Object.freeze({ ...input.sources, services: services ? services.map((s) => Object.freeze({ ...s })) : undefined }),
    builtinSources: internals.builtinSources ?? true,
    extraSources: Object.freeze([...(internals.extraSources ?? [])]),
    expectedSources: internals.expectedSources ? Object.freeze([...internals.expectedSources]) : undefined,
    clock: internals.clock ?? Date.now
  })
}
