// The plugin's routes live in their own encapsulated context (SPEC §5): @fastify/caching with
// `no-store`, our error handler and our header hooks touch these routes and never the host's.
import caching from '@fastify/caching'
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { ReliabilityErrors, reliabilityCode } from '../errors.js'
import { redactError, type Redactor } from '../redact.js'
import { healthRoute } from './health-route.js'
import { reportRoute } from './report-route.js'
import { historyRoute } from './history-route.js'
import { statusPageRoute } from '../ui/status-page-route.js'
import type { HistoryResponse } from '../../schemas/history.js'
import type { ReportCache } from '../report-cache.js'
import type { GeneratedReport } from '../report-generator.js'
import type { ReliabilityReport } from '../../schemas/report.js'

export const kInternalRoute = Symbol.for('fastify-reliability.internal-route')

export interface RoutesOptions {
  readonly path: string
  readonly healthPath: string | false
  readonly failOn: 'down' | 'degraded'
  readonly cache: ReportCache<GeneratedReport>
  readonly checkAccess: (request: FastifyRequest) => Promise<void>
  /** The status page's own check (plugin/ui/page-access.ts): it holds no data. */
  readonly checkPageAccess: (request: FastifyRequest) => Promise<void>
  readonly failedReport: (reason: string) => ReliabilityReport
  readonly history: () => HistoryResponse
  readonly redact: Redactor
}

export async function registerRoutes (fastify: FastifyInstance, opts: RoutesOptions): Promise<void> {
  // A host that registered @fastify/caching itself already gave us its decorators; ours would clash.
  if (!fastify.hasDecorator('cache')) {
    await fastify.register(caching, { privacy: 'no-store' as 'no-cache' })
  }

  // Callback style: /health is probed constantly, and an async hook costs a promise per request.
  // Cache-Control is set here although our @fastify/caching would set it too: when the host
  // registered @fastify/caching itself, ours is skipped and the host's privacy would apply.
  fastify.addHook('onRequest', function markInternal (_request, reply, done) {
    // The latency hook skips our own routes: load-balancer probes would drown the host's figures.
    (reply as unknown as Record<symbol, boolean>)[kInternalRoute] = true
    reply.header('Cache-Control', 'no-store')
    reply.header('X-Content-Type-Options', 'nosniff')
    done()
  })

  fastify.setErrorHandler(function (err: FastifyError, request, reply) {
    if (err.validation && err.validationContext === 'querystring') {
      const first = err.validation[0]
      const param = first?.instancePath ? first.instancePath.slice(1).split('/')[0] : String(first?.params?.missingProperty ?? 'query')
      err = ReliabilityErrors.INVALID_QUERY(param, 'expected true or false')
    }
    // Ours, or Fastify's own (a 4xx it raised before our handler ran, FST_ERR_*): never invented.
    const code = reliabilityCode(err) ?? err.code
    const statusCode = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (statusCode === 401) reply.header('WWW-Authenticate', 'Bearer')
    if (statusCode === 500) {
      request.log.error({ err: redactError(err, opts.redact) }, 'reliability route failed')
      return reply.code(500).send(opts.failedReport('the diagnostics route failed; see the service log'))
    }
    return reply.code(statusCode).send({
      statusCode,
      code,
      error: statusCode === 400 ? 'Bad Request' : statusCode === 401 ? 'Unauthorized' : 'Forbidden',
      message: err.message
    })
  })

  reportRoute(fastify, opts)
  historyRoute(fastify, { path: opts.path, history: opts.history, checkAccess: opts.checkAccess })
  statusPageRoute(fastify, { path: opts.path, checkAccess: opts.checkPageAccess })
  if (opts.healthPath !== false) healthRoute(fastify, { path: opts.healthPath, cache: opts.cache, failOn: opts.failOn })
}
