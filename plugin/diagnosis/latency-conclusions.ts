// CPU_BOUND and WAITING_ON_DEPENDENCY: when p95 is up, is the process busy (CPU, event loop), or
// idle and waiting on a service that is slow or failing? Both read the same "is p95 up" test.
import { known, quantile, round, type Conclusion, type DiagnosisInput } from './diagnosis-input.js'
import type { Evidence } from '../../schemas/report.js'

const P95 = 'performance.request_latency_ms.p95'

/** p95 with the threshold it crossed, when it is up against its baseline (or the absolute limit). */
function latencyUp ({ report, points, limits }: DiagnosisInput): Evidence | undefined {
  const p95 = report.performance.request_latency_ms.p95
  if (p95 === null) return undefined
  const past = known(points, P95)
  const threshold = past.length >= limits.minBaselinePoints
    ? Math.max(limits.latencyFloorMs, limits.latencyUpFactor * quantile(past, 0.25))
    : limits.latencyAbsoluteMs
  return p95 > threshold ? { path: P95, value: p95, threshold: round(threshold) } : undefined
}

interface Load { busy: Evidence[], idle: Evidence[], unknown: string[] }

/** The CPU figure's busy threshold: the absolute one, or lower when the CPU is far above its own baseline. */
function cpuBusyThreshold ({ points, limits }: DiagnosisInput): number {
  const past = known(points, 'performance.cpu_percent')
  if (past.length < limits.minBaselinePoints) return limits.cpuBusyPercent
  return Math.min(limits.cpuBusyPercent, Math.max(limits.cpuUpFloorPercent, limits.cpuUpFactor * quantile(past, 0.5)))
}

/** Each load figure, as busy or idle evidence; a figure between idle and busy is neither. */
function load (input: DiagnosisInput): Load {
  const { report, limits } = input
  const out: Load = { busy: [], idle: [], unknown: [] }
  const figures: Array<[string, number | null, number, number]> = [
    ['performance.cpu_percent', report.performance.cpu_percent, round(cpuBusyThreshold(input)), limits.cpuIdlePercent],
    ['performance.event_loop_delay_p99_ms', report.performance.event_loop_delay_p99_ms, limits.loopBusyMs, limits.loopIdleMs],
    ['performance.event_loop_utilization', report.performance.event_loop_utilization, limits.eluBusy, limits.eluIdle]
  ]
  for (const [path, value, busy, idle] of figures) {
    if (value === null) out.unknown.push(path)
    else if (value >= busy) out.busy.push({ path, value, threshold: busy })
    else if (value < idle) out.idle.push({ path, value, threshold: idle })
  }
  return out
}

export const cpuBound: Conclusion = (input) => {
  const up = latencyUp(input)
  if (up === undefined) return undefined
  const { busy, unknown } = load(input)
  if (busy.length === 0) {
    return unknown.length === 3 ? { missing: `p95 is up (${up.value} ms) but ${unknown.join(', ')} are null: busy or waiting cannot be told apart` } : undefined
  }
  const what = busy.map((e) => `${e.path.split('.').pop()} ${e.value}`).join(', ')
  return { code: 'CPU_BOUND', severity: 'warning', summary: `p95 is ${up.value} ms while the process is busy (${what})`, evidence: [up, ...busy] }
}

export const waitingOnDependency: Conclusion = (input) => {
  const up = latencyUp(input)
  if (up === undefined) return undefined
  const { busy, idle } = load(input)
  // Idle: nothing busy, and at least one figure read as idle (no figure is no evidence).
  if (busy.length > 0 || idle.length === 0) return undefined
  const { limits } = input
  const culprits: Evidence[] = []
  const names: string[] = []
  input.report.services.forEach((s, i) => {
    const slow = s.latency_ms !== null && s.latency_ms >= limits.slowServiceMs
    if (s.status === 'ok' && !slow) return
    names.push(s.status !== 'ok' ? `${s.name} (${s.status}${s.error ? `: ${s.error}` : ''})` : `${s.name} (${s.latency_ms} ms)`)
    culprits.push(s.status !== 'ok'
      ? { path: `services.${i}.status`, value: s.status, threshold: 'ok' }
      : { path: `services.${i}.latency_ms`, value: s.latency_ms, threshold: limits.slowServiceMs })
  })
  if (culprits.length === 0) {
    const checked = input.report.services.length === 0 ? 'no service is checked' : 'no checked service is slow or failing'
    return { missing: `p95 is up (${up.value} ms) while the process is idle, but ${checked}: the dependency it waits on is not known` }
  }
  return {
    code: 'WAITING_ON_DEPENDENCY',
    severity: 'warning',
    summary: `p95 is ${up.value} ms while the process is idle: waiting on ${names.join(', ')}`,
    evidence: [up, ...idle, ...culprits]
  }
}
