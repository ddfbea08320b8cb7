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

interface HealthAnswer { readonly code: 200 | 503, readonly body: string }

// Made once: a probe's answer allocates nothing.
const answers: Readonly<Record<'pass' | 'warn' | 'fail', HealthAnswer>> = {
  pass: { code: 200, body: '{"status":"pass"}' },
  warn: { code: 200, body: '{"status":"warn"}' },
  fail: { code: 503, body: '{"status":"fail"}' }
}

export function healthAnswer (status: GeneratedReport['overall_status'] | undefined, failOn: 'down' | 'degraded'): HealthAnswer {
  if (status === undefined || status === 'down') return answers.fail
  if (status === 'degraded') return failOn === 'degraded' ? answers.fail : answers.warn
  return answers.pass
}

export function healthRoute (fastify: FastifyInstance, opts: HealthRouteOptions): void {
  // exposeHeadRoutes (Fastify's default) answers HEAD with the same status and headers, no body.
  fastify.get(opts.path, async (_request, reply) => {
    const { code, body } = healthAnswer(opts.cache.peek()?.value.overall_status, opts.failOn)
    return reply.code(code).type('application/health+json').send(body)
  })
}
