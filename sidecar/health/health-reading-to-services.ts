// A health reading as report services (SPEC §8): the target itself is the one critical service, so
// the app saying down makes the report down; each upstream check is a non-critical service under
// the upstream's own name, so a failing dependency shows (and degrades) without taking /health down
// unless the app itself says so.
import type { ServiceStatus } from '../../schemas/report.js'
import type { HealthReading } from './interpret-health.js'

export interface HealthServicesOptions {
  /** Name of the target's own service; each check becomes `${targetName}:${checkName}`. */
  targetName: string
  /** Duration of the health request, in ms; null when there was no answer to time. */
  latencyMs: number | null
}

// The upstream's own words for why a check failed: Spring's and hand-written maps' `error`, terminus's
// `message`, ASP.NET Core's `exception` and `description`, IETF's `output`.
const REASON_KEYS = ['error', 'message', 'exception', 'reason', 'description', 'output'] as const

function reasonOf (details: Record<string, unknown> | undefined): string | undefined {
  if (details === undefined) return undefined
  for (const key of REASON_KEYS) {
    const v = details[key]
    if (typeof v === 'string' && v.trim() !== '') return v
  }
  return undefined
}

export function healthReadingToServices (reading: HealthReading, opts: HealthServicesOptions): ServiceStatus[] {
  const latency = opts.latencyMs !== null && Number.isFinite(opts.latencyMs) ? opts.latencyMs : null
  const target: ServiceStatus = {
    name: opts.targetName,
    status: reading.status,
    critical: true,
    latency_ms: latency,
    details: reading.output === undefined
      ? { format: reading.format, checks: reading.checks.length }
      : { format: reading.format, checks: reading.checks.length, output: reading.output }
  }
  if (reading.status !== 'ok' && reading.output !== undefined) target.error = reading.output

  const services: ServiceStatus[] = [target]
  for (const check of reading.checks) {
    // Each check's latency is the upstream's business: nothing measured here, so nothing invented.
    const service: ServiceStatus = {
      name: `${opts.targetName}:${check.name}`,
      status: check.status,
      critical: false,
      latency_ms: null
    }
    if (check.details !== undefined) service.details = { ...check.details }
    const reason = check.status === 'ok' ? undefined : reasonOf(check.details)
    if (reason !== undefined) service.error = reason
    services.push(service)
  }
  return services
}
