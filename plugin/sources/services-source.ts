// The `services` source: every user health check concurrently, each under its own deadline, each
// becoming one entry of `report.services`. A check that throws or hangs is that service `down`;
// the source itself stays `ok`, because it did its job: it found out.
import { ReliabilityErrors } from '../errors.js'
import { runSource } from './run-source.js'
import type { ServiceStatus } from '../../schemas/report.js'
import type { Source, SourceContext } from './source.js'

export interface ServiceCheckResult {
  status?: 'ok' | 'degraded' | 'down'
  details?: Record<string, unknown>
}

export interface ServiceCheck {
  readonly name: string
  /** A critical service that is down makes the whole report `down` (SPEC §4). Default false. */
  readonly critical?: boolean
  /**
   * Resolves when the service is healthy: with nothing, `true`, or `{ status, details }`.
   * Resolving `false`, throwing or rejecting means down; not answering in time means down too.
   */
  readonly check: (ctx: SourceContext) => Promise<ServiceCheckResult | boolean | undefined | void>
}

const statuses = new Set(['ok', 'degraded', 'down'])

function toServiceStatus (check: ServiceCheck, result: unknown, latencyMs: number): ServiceStatus {
  const base = { name: check.name, critical: check.critical === true, latency_ms: latencyMs }
  if (result === false) return { ...base, status: 'down', error: 'check reported the service down' }
  if (result === undefined || result === true) return { ...base, status: 'ok' }
  // Anything but nothing, a boolean or a plain object is a check that does not know what it says.
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    return { ...base, status: 'down', error: ReliabilityErrors.SOURCE_INVALID(check.name, `expected nothing, a boolean or { status, details }, got ${result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result}`).message }
  }
  const { status, details } = result as ServiceCheckResult
  if (status !== undefined && !statuses.has(status)) {
    return { ...base, status: 'down', error: ReliabilityErrors.SOURCE_INVALID(check.name, `status "${String(status)}" is not ok|degraded|down`).message }
  }
  const withDetails = details !== null && typeof details === 'object' ? { details } : {}
  return { ...base, status: status ?? 'ok', ...withDetails }
}

/**
 * @param checkTimeoutMs each check's deadline; keep it a little under the source's own deadline so
 *   the checks' timeouts always fire first and the section is built rather than timed out whole.
 */
export function createServicesSource (checks: () => readonly ServiceCheck[], checkTimeoutMs: number): Source {
  return {
    name: 'services',
    async collect (ctx) {
      const list = checks()
      const outcomes = await Promise.all(list.map((check) => runSource(
        { name: check.name, collect: async (c) => ({ services: [toServiceStatus(check, await check.check(c), 0)] }) },
        { timeoutMs: checkTimeoutMs, now: ctx.now, log: ctx.log, signal: ctx.signal }
      )))
      const services = outcomes.map((outcome, i): ServiceStatus => {
        const latency = Math.round(outcome.durationMs * 1000) / 1000
        const entry = outcome.data?.services?.[0] as ServiceStatus | undefined
        if (outcome.status === 'ok' && entry) return { ...entry, latency_ms: latency }
        return {
          name: list[i].name,
          status: 'down',
          critical: list[i].critical === true,
          latency_ms: latency,
          error: outcome.error?.message ?? 'check failed'
        }
      })
      return { services }
    }
  }
}
