// GET/HEAD <healthPath> for load balancers: IETF health+json pass/warn/fail and nothing more, read
// from the last report. It never waits on a source; a report past its TTL is refreshed behind it.
import type { FastifyInstance } from 'fastify'
import type { ReportCache } from '../report-cache.js'
import type { GeneratedReport } from '../report-generator.js'

export interface HealthRouteOptions {
  readonly path: string
  readonly cache: ReportCache<GeneratedReport>
  readonly failOn: 'down' | 'degraded'
}

const bodies = {
  pass: '{"status":"pass"}',
  warn: '{"status":"warn"}',
  fail: '{"status":"fail"}'
} as const

export function healthAnswer (status: GeneratedReport['overall_status'] | undefined, failOn: 'down' | 'degraded'): { code: 200 | 503, body: string } {
  if (status === undefined || status === 'down') return { code: 503, body: bodies.fail }
  if (status === 'degraded') return failOn === 'degraded' ? { code: 503, body: bodies.fail } : { code: 200, body: bodies.warn }
  return { code: 200, body: bodies.pass }
}

export function healthRoute (fastify: FastifyInstance, opts: HealthRouteOptions): void {
  // exposeHeadRoutes (Fastify's default) answers HEAD with the same status and headers, no body.
  fastify.get(opts.path, async (_request, reply) => {
    const { code, body } = healthAnswer(opts.cache.peek()?.value.overall_status, opts.failOn)
    return reply.code(code).type('application/health+json').send(body)
  })
}
