// B1 (and B7's bare process): a hello route, logging off, with one of the plugins a user would
// register for the same purpose. `node hello-server.js <variant> [--health]`.
import Fastify, { type FastifyInstance } from 'fastify'
import underPressure from '@fastify/under-pressure'
import fastifyMetrics from 'fastify-metrics'
import reliability from '../../plugin/index.js'
import { announce } from '../lib/announce.js'

export const helloVariants = ['bare', 'reliability', 'under-pressure', 'fastify-metrics'] as const
export type HelloVariant = typeof helloVariants[number]

async function build (variant: HelloVariant, health: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  switch (variant) {
    case 'bare':
      break
    case 'reliability':
      // Default options: the latency hook on every host route, the report route, /health.
      await app.register(reliability)
      break
    case 'under-pressure':
      // With no threshold set it adds no hook at all; these are the README's kind of settings,
      // which add its one onRequest check.
      await app.register(underPressure, { maxEventLoopDelay: 1000, maxEventLoopUtilization: 0.98 })
      break
    case 'fastify-metrics':
      // Histogram only: no default process metrics, no route summary, the route histogram kept.
      // A CommonJS module with `exports.default`: from ESM its plugin is `.default`.
      await app.register(fastifyMetrics.default, {
        endpoint: '/metrics',
        defaultMetrics: { enabled: false },
        routeMetrics: { enabled: { histogram: true, summary: false } }
      })
      break
  }
  app.get('/', async () => ({ hello: 'world' }))
  if (health) {
    app.get('/health', async (_request, reply) => reply.type('application/health+json').send('{"status":"pass"}'))
  }
  return app
}

const variant = process.argv[2] as HelloVariant
if (!helloVariants.includes(variant)) {
  process.stderr.write(`hello-server: unknown variant ${String(variant)}; one of ${helloVariants.join(', ')}\n`)
  process.exit(2)
}
await announce(await build(variant, process.argv.includes('--health')))
