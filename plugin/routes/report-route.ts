// GET <path>?include_traces=true|false — the report, always 200 while the orchestrator works
// (the report is the answer, whatever its status). Bytes are built once per generation and
// variant with the route's compiled serializer, so an undeclared key is still dropped.
import type { FastifyInstance } from 'fastify'
import { ReliabilityReport } from '../../schemas/report.js'
import { ReportQuery, type ReportQuery as Query } from '../../schemas/query.js'
import { ErrorBody } from '../../schemas/health.js'
import type { ReportCache } from '../report-cache.js'
import type { GeneratedReport } from '../report-generator.js'
import type { ReliabilityReport as Report } from '../../schemas/report.js'

export interface ReportRouteOptions {
  readonly path: string
  readonly cache: ReportCache<GeneratedReport>
  readonly checkAccess: (request: import('fastify').FastifyRequest) => Promise<void>
  readonly failedReport: (reason: string) => Report
}

/** The report as the route shows it: traces only when asked, `include_traces` echoing the flag. */
export function reportView (report: GeneratedReport, includeTraces: boolean): Report {
  if (includeTraces) return { ...report, include_traces: true }
  const { traces: _traces, ...rest } = report
  return { ...rest, include_traces: false }
}

export function reportRoute (fastify: FastifyInstance, opts: ReportRouteOptions): void {
  fastify.get<{ Querystring: Query }>(opts.path, {
    schema: {
      querystring: ReportQuery,
      response: { 200: ReliabilityReport, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 500: ReliabilityReport }
    },
    // The check itself is the hook: no wrapper, no extra promise per request.
    onRequest: opts.checkAccess
  }, async (request, reply) => {
    const includeTraces = request.query.include_traces === 'true'
    reply.header('X-Reliability-Version', 'v1')
    let entry
    try {
      entry = await opts.cache.get()
    } catch (err) {
      request.log.error({ err }, 'report generation failed')
      reply.code(500)
      return opts.failedReport('the report could not be generated; see the service log')
    }
    const key = includeTraces ? 'traces' : 'plain'
    let bytes = entry.memo.get(key) as string | undefined
    if (bytes === undefined) {
      bytes = reply.serializeInput(reportView(entry.value, includeTraces), '200') as string
      entry.memo.set(key, bytes)
    }
    return reply.type('application/json; charset=utf-8').send(bytes)
  })
}
