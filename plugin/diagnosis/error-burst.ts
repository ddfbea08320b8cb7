// ERROR_BURST: the 5xx rate is high and up against its own baseline, with the services failing
// at the same time (what the errors most likely come from).
import { known, quantile, round, type Conclusion } from './diagnosis-input.js'
import type { Evidence } from '../../schemas/report.js'

const PATH = 'performance.error_rate'

export const errorBurst: Conclusion = ({ report, points, limits }) => {
  const rate = report.performance.error_rate
  if (rate === null) return undefined
  const past = known(points, PATH)
  const baseline = past.length >= limits.minBaselinePoints ? quantile(past, 0.5) : 0
  const threshold = Math.max(limits.errorRate, limits.errorUpFactor * baseline)
  if (rate < threshold) return undefined
  const failing: Evidence[] = []
  const names: string[] = []
  report.services.forEach((s, i) => {
    if (s.status === 'ok') return
    failing.push({ path: `services.${i}.status`, value: s.status, threshold: 'ok' })
    names.push(s.name)
  })
  const share = `${round(rate * 100, 1)} % of requests failed`
  return {
    code: 'ERROR_BURST',
    severity: rate >= limits.errorRateCritical ? 'critical' : 'warning',
    summary: names.length > 0 ? `${share}, with ${names.join(', ')} failing` : `${share}; every checked service is ok`,
    evidence: [{ path: PATH, value: rate, threshold: round(threshold, 4) }, ...failing]
  }
}
