// GET <path>?include_traces=true|false — the report, always 200 while the orchestrator works
// (the report is the answer, whatever its status). Bytes are built once per generation and
// variant with the route's compiled serializer, so an undeclared key is still dropped.
// A report the serializer rejects (issue 8: one NaN answered 500 for a whole window, with a stack
// trace per request) is answered with the last report that serialised, marked stale, and replaces
// the cached one so /health and /metrics say the same; logged once until a report serialises again.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { markStale } from '../mark-stale.js'
import { redactError, type Redactor } from '../redact.js'
import { ReliabilityReport } from '../../schemas/report.js'
import { ReportQuery, type ReportQuery as Query } from '../../schemas/query.js'
import { ErrorBody } from '../../schemas/health.js'
import type { CacheEntry, ReportCache } from '../report-cache.js'
import type { GeneratedReport } from '../report-generator.js'
import type { ReliabilityReport as Report } from '../../schemas/report.js'

export interface ReportRouteOptions {
  readonly path: string
  readonly cache: ReportCache<GeneratedReport>
  readonly checkAccess: (request: import('fastify').FastifyRequest) => Promise<void>
  readonly failedReport: (reason: string) => Report
  /** Applied to the serializer's error before it is logged. */
  readonly redact?: Redactor
}

/** The report as the route shows it: traces only when asked, `include_traces` echoing the flag. */
export function reportView (report: GeneratedReport, includeTraces: boolean): Report {
  if (includeTraces) return { ...report, include_traces: true }
  const { traces: _traces, ...rest } = report
  return { ...rest, include_traces: false }
}

export function reportRoute (fastify: FastifyInstance, opts: ReportRouteOptions): void {
  // The newest entry whose report serialised, and whether serialising has been failing since.
  let lastServed: CacheEntry<GeneratedReport> | undefined
  let failing = false

  /** The bytes of `entry`'s view, or undefined when the serializer rejects it (logged once). */
  function serialize (request: FastifyRequest, reply: FastifyReply, entry: CacheEntry<GeneratedReport>, includeTraces: boolean): string | undefined {
    try {
      const bytes = reply.serializeInput(reportView(entry.value, includeTraces), '200') as string
      if (failing) request.log.info('the report serialises again')
      failing = false
      lastServed = entry
      return bytes
    } catch (err) {
      if (!failing) {
        const logged = opts.redact ? redactError(err as Error, opts.redact) : err
        request.log.error({ err: logged }, 'the report could not be serialised; serving the last good one marked stale')
      }
      failing = true
      return undefined
    }
  }

  /** The last report that serialised, marked stale, put in the failed one's place; undefined if none. */
  function fallback (reply: FastifyReply, failed: CacheEntry<GeneratedReport>, includeTraces: boolean): string | undefined {
    if (lastServed === undefined || lastServed === failed) return undefined
    // Not the injected clock: the last resort must not depend on what may have broken.
    const stale = markStale(lastServed.value, 'the newest one could not be serialised (see the service log)', Date.now())
    let plain: string
    let traces: string
    try {
      plain = reply.serializeInput(reportView(stale, false), '200') as string
      traces = reply.serializeInput(reportView(stale, true), '200') as string
    } catch {
      return undefined
    }
    // Both variants made now: later requests for this generation read bytes, serialise nothing, and
    // a replacement served never counts as a report that serialised by itself.
    const replaced = opts.cache.replace(failed, stale)
    replaced?.memo.set('plain', plain)
    replaced?.memo.set('traces', traces)
    return includeTraces ? traces : plain
  }

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
      bytes = serialize(request, reply, entry, includeTraces) ?? fallback(reply, entry, includeTraces)
      if (bytes === undefined) {
        reply.code(500)
        return opts.failedReport('the report could not be serialised; see the service log')
      }
      entry.memo.set(key, bytes)
    }
    return reply.type('application/json; charset=utf-8').send(bytes)
  })
}
