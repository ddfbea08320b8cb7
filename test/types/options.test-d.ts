// The option types come from the schema (issue 10.2): the public options are `Static` of
// ReliabilityOptionsSchema key for key, function options keep their precise types, and the resolved
// options are the same names with the defaults applied.
import type { Static } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { expectAssignable, expectError, expectType } from 'tsd'
import { ReliabilityOptionsSchema, type ReliabilityOptions, type Rule } from '../../dist/plugin/index.js'
import { resolveOptions, type ResolvedOptions } from '../../dist/plugin/resolve-options.js'

type FromSchema = Static<typeof ReliabilityOptionsSchema>
declare const fromSchema: FromSchema
declare const options: ReliabilityOptions

// The same keys (Fastify's own register options aside) and, key for key, the same types.
type FastifyKeys = 'prefix' | 'logLevel' | 'logSerializers'
declare const key: keyof ReliabilityOptions
expectType<Exclude<keyof FromSchema, FastifyKeys>>(key)
expectType<{ [K in keyof ReliabilityOptions]-?: FromSchema[K] }>({} as unknown as { [K in keyof ReliabilityOptions]-?: ReliabilityOptions[K] })
expectType<FromSchema['cacheTtlMs']>(options.cacheTtlMs)
expectType<ReliabilityOptions['cacheTtlMs']>(fromSchema.cacheTtlMs)
expectType<'down' | 'degraded' | undefined>(options.failOn)
expectType<string | false | undefined>(options.healthPath)

// Function-typed options are typed precisely, not as `(...args) => unknown`.
expectType<((request: FastifyRequest) => boolean | Promise<boolean>) | undefined>(fromSchema.authorize)
expectType<Rule[] | string | undefined>(fromSchema.rules)
expectError(resolveOptions({ authorize: (request: FastifyRequest) => request.url }))
expectError(resolveOptions({ sources: { cache: async () => ({ hits: 'many' }) } }))

// Resolved: every defaulted option present, the rest as given.
declare const resolved: ResolvedOptions
expectType<number>(resolved.cacheTtlMs)
expectType<number>(resolved.maxStaleMs)
expectType<number>(resolved.lastGoodMaxAgeMs)
expectType<string | false>(resolved.healthPath)
expectType<'down' | 'degraded'>(resolved.failOn)
expectType<string | undefined>(resolved.token)
expectType<readonly Rule[]>(resolved.rules)
expectAssignable<ResolvedOptions>(resolveOptions())
expectError(resolved.cacheTtlMs = 1)
