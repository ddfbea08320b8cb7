// A Fastify app with the plugin registered and every log line captured as an object, so tests
// compare real log events (pino's own test style) and can grep them for planted secrets.
import Fastify, { type FastifyInstance } from 'fastify'
import type { ReliabilityOptions } from '../../plugin/index.js'
import { createReliabilityPlugin } from '../../plugin/reliability-plugin.js'
import type { PluginInternals } from '../../plugin/resolve-options.js'
import { captureLog } from './capture-log.js'

/** The plugin's options, and the internals a test sets (no built-in sources, a manual clock, ...). */
export type TestAppOptions = ReliabilityOptions & PluginInternals

export interface TestApp {
  app: FastifyInstance
  logs: Array<Record<string, unknown>>
}

export async function buildApp (input: TestAppOptions = {}, fastifyOptions: Record<string, unknown> = {}): Promise<TestApp> {
  const { builtinSources, extraSources, expectedSources, clock, ...options } = input
  const { log, lines: logs } = captureLog('debug')
  const app = Fastify({ loggerInstance: log, ...fastifyOptions }) as unknown as FastifyInstance
  await app.register(createReliabilityPlugin({ builtinSources, extraSources, expectedSources, clock }), options)
  return { app, logs }
}

/** A clock the test moves by hand. */
export function manualClock (start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => { now += ms }
  }
}
