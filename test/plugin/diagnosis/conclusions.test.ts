// Each conclusion driven from figures (a controlled clock, made-up history points), and its
// absence when a signal it needs is missing: no conclusion without evidence, no guess.
import t from 'tap'
import { createDiagnoser } from '../../../plugin/diagnosis/create-diagnoser.js'
import { leastSquares } from '../../../plugin/diagnosis/memory-growth.js'
import { DIAGNOSIS_LIMITS } from '../../../plugin/diagnosis/diagnosis-limits.js'
import { emptySections } from '../../../plugin/assemble-sections.js'
import { createPointRing } from '../../../plugin/history/point-ring.js'
import { HISTORY_FIGURES } from '../../../plugin/history/figure-paths.js'
import type { DiagnosedReport } from '../../../plugin/diagnosis/diagnosis-input.js'
import type { HistoryPoints, Transition } from '../../../schemas/history.js'
import type { ServiceStatus, Status } from '../../../schemas/report.js'

const NOW = Date.parse('2026-06-01T12:00:00Z')
const MIN = 60_000

interface Figures { cpu?: number, loop?: number, elu?: number, p95?: number, errors?: number, heap?: number, rss?: number, uptime?: number, lastIngest?: string, failures?: number }

function report (f: Figures, services: ServiceStatus[] = [], status: Status = 'ok'): DiagnosedReport {
  const s = emptySections(60_000)
  s.performance.cpu_percent = f.cpu ?? null
  s.performance.event_loop_delay_p99_ms = f.loop ?? null
  s.performance.event_loop_utilization = f.elu ?? null
  s.performance.request_latency_ms.p95 = f.p95 ?? null
  s.performance.error_rate = f.errors ?? null
  s.infrastructure.memory.heap_used_bytes = f.heap ?? null
  s.infrastructure.memory.rss_bytes = f.rss ?? null
  s.infrastructure.uptime_s = f.uptime ?? null
  s.ingestion.last_ingest_ts = f.lastIngest ?? null
  s.ingestion.recent_failures = f.failures ?? null
  return { ...s, services, overall_status: status, anomalies: [] }
}

const column: Record<keyof Figures, string> = {
  cpu: 'performance.cpu_percent',
  loop: 'performance.event_loop_delay_p99_ms',
  elu: 'performance.event_loop_utilization',
  p95: 'performance.request_latency_ms.p95',
  errors: 'performance.error_rate',
  heap: 'infrastructure.memory.heap_used_bytes',
  rss: 'infrastructure.memory.rss_bytes',
  uptime: 'infrastructure.uptime_s',
  lastIngest: 'ingestion.last_ingest_ts',
  failures: 'ingestion.recent_failures'
}

/** History points, one a minute up to NOW (exclusive), oldest first. */
function history (figures: Figures[], statuses?: Status[]): HistoryPoints {
  const ring = createPointRing([...HISTORY_FIGURES], 1000)
  figures.forEach((f, i) => {
    const values = HISTORY_FIGURES.map((p) => {
      const key = (Object.keys(column) as Array<keyof Figures>).find((k) => column[k] === p)
      const v = key === undefined ? undefined : f[key]
      return typeof v === 'number' ? v : null
    })
    ring.push({ at: NOW - (figures.length - i) * MIN, status: statuses?.[i] ?? 'ok', figures: values, anomalies: [] })
  })
  return ring.read(NOW, 10 * 60 * MIN)
}

const diagnose = (r: DiagnosedReport, points = history([]), transitions: Transition[] = []) => createDiagnoser().diagnose(r, points, transitions, NOW)
const codes = (r: ReturnType<typeof diagnose>) => r.diagnosis.map((d) => d.code)
const normal = (n: number, f: Figures = {}) => Array.from({ length: n }, () => ({ p95: 80, cpu: 20, errors: 0.001, ...f }))
const svc = (name: string, status: Status, latency: number | null, error?: string): ServiceStatus => ({ name, status, critical: false, latency_ms: latency, ...(error ? { error } : {}) })

t.test('a healthy report: no conclusion and nothing missing', async (t) => {
  const r = diagnose(report({ p95: 85, cpu: 22, loop: 5, elu: 0.2, errors: 0.001, heap: 50e6, uptime: 3600 }), history(normal(30, { heap: 50e6, uptime: 3000 })))
  t.same(r.diagnosis, [])
  t.same(r.missing, [])
})

t.test('CPU_BOUND: p95 up against its baseline while CPU is busy', async (t) => {
  const r = diagnose(report({ p95: 900, cpu: 97, loop: 12 }), history(normal(20)))
  t.same(codes(r), ['CPU_BOUND'])
  const d = r.diagnosis[0]
  t.same(d.evidence, [
    { path: 'performance.request_latency_ms.p95', value: 900, threshold: 250 },
    { path: 'performance.cpu_percent', value: 97, threshold: 50 }
  ], 'the evidence is the figures read, with the thresholds they crossed (CPU: twice its usual 20 %, at least 50)')
  t.equal(d.since, new Date(NOW).toISOString())
  t.match(d.summary, /900 ms.*cpu_percent 97/)
})

t.test('CPU_BOUND from the event loop alone (a Node process blocked with CPU unknown)', async (t) => {
  t.same(codes(diagnose(report({ p95: 900, loop: 340 }), history(normal(20)))), ['CPU_BOUND'])
})

t.test('the baseline is the app\'s own: 400 ms is not up for an app that always answers in 350', async (t) => {
  t.same(codes(diagnose(report({ p95: 400, cpu: 97 }), history(normal(20, { p95: 350 })))), [])
  t.same(codes(diagnose(report({ p95: 800, cpu: 97 }), history(normal(20, { p95: 350 })))), ['CPU_BOUND'], '2 × 350 crossed')
})

t.test('without a baseline, p95 is up only past the absolute limit', async (t) => {
  t.same(codes(diagnose(report({ p95: 900, cpu: 97 }), history(normal(2)))), [], 'two points are no baseline; 900 < 1000')
  t.same(codes(diagnose(report({ p95: 1200, cpu: 97 }), history(normal(2)))), ['CPU_BOUND'])
})

t.test('p95 up with every load figure null: no guess, says what is missing', async (t) => {
  const r = diagnose(report({ p95: 1500 }), history(normal(20)))
  t.same(r.diagnosis, [])
  t.match(r.missing, [/p95 is up \(1500 ms\) but .*cpu_percent.* are null/])
})

t.test('WAITING_ON_DEPENDENCY: p95 up, process idle, a service slow or failing, named', async (t) => {
  const services = [svc('app', 'ok', 3), svc('app:database', 'down', 5000, 'connection timed out'), svc('app:redis', 'ok', 2400)]
  const r = diagnose(report({ p95: 5200, cpu: 4, loop: 3 }, services), history(normal(20)))
  t.same(codes(r), ['WAITING_ON_DEPENDENCY'])
  t.match(r.diagnosis[0].summary, /app:database \(down: connection timed out\), app:redis \(2400 ms\)/)
  t.same(r.diagnosis[0].evidence.map((e) => e.path), [
    'performance.request_latency_ms.p95', 'performance.cpu_percent', 'performance.event_loop_delay_p99_ms', 'services.1.status', 'services.2.latency_ms'
  ])
})

t.test('idle and slow with every service fine: no conclusion, the unknown dependency said', async (t) => {
  const r = diagnose(report({ p95: 5200, cpu: 4 }, [svc('app', 'ok', 3)]), history(normal(20)))
  t.same(r.diagnosis, [])
  t.match(r.missing, [/idle, but no checked service is slow or failing/])
})

t.test('between idle and busy (CPU 36 % or 65 % for an app usually at 40 %): neither conclusion, nothing missing', async (t) => {
  for (const cpu of [36, 65]) {
    const r = diagnose(report({ p95: 5200, cpu }, [svc('db', 'down', 1)]), history(normal(20, { cpu: 40 })))
    t.same(codes(r), [], `CPU ${cpu}`)
    t.same(r.missing, [], `CPU ${cpu}: not called idle`)
  }
})

t.test('ERROR_BURST: 5xx share high and up against its median, with the failing services', async (t) => {
  const r = diagnose(report({ errors: 0.3 }, [svc('app:payments', 'down', 10, '503')]), history(normal(20)))
  t.same(codes(r), ['ERROR_BURST'])
  t.equal(r.diagnosis[0].severity, 'critical', '30 % is past the critical share')
  t.match(r.diagnosis[0].summary, /30 % of requests failed, with app:payments failing/)
  t.same(codes(diagnose(report({ errors: 0.08 }), history(normal(20, { errors: 0.06 })))), [], 'an app that always fails 6 % has no burst at 8 %')
  t.same(codes(diagnose(report({ errors: 0.02 }), history(normal(20)))), [], 'below 5 %')
  t.same(codes(diagnose(report({}), history(normal(20)))), [], 'no error rate: nothing said')
})

t.test('MEMORY_GROWTH: a steady climb over the window since the last restart, with its slope', async (t) => {
  const climb = Array.from({ length: 30 }, (_, i) => ({ heap: 100e6 + i * 2e6, uptime: 600 + i * 60 }))
  const r = diagnose(report({ heap: 160e6, uptime: 2400 }), history(climb))
  t.same(codes(r), ['MEMORY_GROWTH'])
  const slope = r.diagnosis[0].evidence.find((e) => e.path.endsWith(':slope_bytes_per_min'))
  t.equal(slope?.value, 2e6, '2 MB a minute')
  t.equal(r.diagnosis[0].since, new Date(NOW - 30 * MIN).toISOString(), 'since the first point of the climb')
})

t.test('no MEMORY_GROWTH: a sawtooth, a flat line, too short a span, or a restart cutting the climb', async (t) => {
  const saw = Array.from({ length: 30 }, (_, i) => ({ heap: 100e6 + (i % 5) * 10e6 }))
  t.same(codes(diagnose(report({ heap: 100e6 }), history(saw))), [], 'sawtooth')
  const flat = Array.from({ length: 30 }, () => ({ heap: 100e6 }))
  t.same(codes(diagnose(report({ heap: 100e6 }), history(flat))), [], 'flat')
  const short = Array.from({ length: 8 }, (_, i) => ({ heap: 100e6 + i * 20e6 }))
  t.same(codes(diagnose(report({ heap: 260e6 }), history(short))), [], 'fewer than 10 points')
  const restarted = Array.from({ length: 30 }, (_, i) => i < 25 ? { heap: 100e6 + i * 4e6, uptime: 600 + i * 60 } : { heap: 60e6 + (i - 25) * 4e6, uptime: (i - 25) * 60 })
  t.same(codes(diagnose(report({ heap: 80e6, uptime: 300 }), history(restarted))), [], 'five points since the restart are too few')
  t.same(codes(diagnose(report({}), history(Array.from({ length: 30 }, (_, i) => ({ heap: 100e6 + i * 2e6 }))))), [], 'no current heap or RSS: nothing said')
})

t.test('leastSquares: exact on a line, R² 1; R² 0 on a flat line', async (t) => {
  const fit = leastSquares([1e12, 1e12 + 1000, 1e12 + 2000], [5, 7, 9])
  t.equal(Math.round(fit.slope * 1e6) / 1e6, 0.002)
  t.equal(Math.round(fit.r2 * 1e6) / 1e6, 1)
  t.equal(leastSquares([1, 2, 3], [4, 4, 4]).r2, 0)
})

t.test('RESTARTED: uptime went backwards against the last point, then for restartShownMs after', async (t) => {
  const r = diagnose(report({ uptime: 30 }), history([{ uptime: 7200 }]))
  t.same(codes(r), ['RESTARTED'])
  t.equal(r.diagnosis[0].since, new Date(NOW - 30_000).toISOString(), 'since the process started')
  const transition: Transition = { at: new Date(NOW - 5 * MIN).toISOString(), kind: 'restart', subject: 'target', from: '7200 s', to: '3 s', detail: 'uptime went from 7200 s back to 3 s' }
  t.same(codes(diagnose(report({ uptime: 303 }), history([{ uptime: 243 }]), [transition])), ['RESTARTED'], 'five minutes later')
  const old = { ...transition, at: new Date(NOW - 11 * MIN).toISOString() }
  t.same(codes(diagnose(report({ uptime: 663 }), history([{ uptime: 603 }]), [old])), [], 'eleven minutes later: over')
  t.same(codes(diagnose(report({}), history([{ uptime: 7200 }]))), [], 'no uptime now: nothing said')
})

t.test('FLAPPING: more than four status changes in ten minutes, since the first', async (t) => {
  const change = (minAgo: number, from: Status, to: Status): Transition => ({ at: new Date(NOW - minAgo * MIN).toISOString(), kind: 'status', subject: 'overall', from, to })
  const four = [change(9, 'ok', 'down'), change(7, 'down', 'ok'), change(5, 'ok', 'down'), change(3, 'down', 'ok')]
  t.same(codes(diagnose(report({}, [], 'ok'), history([{}], ['ok']), four)), [], 'four changes: not yet')
  const r = diagnose(report({}, [], 'down'), history([{}], ['ok']), four)
  t.same(codes(r), ['FLAPPING'], 'this report makes the fifth')
  t.equal(r.diagnosis[0].since, new Date(NOW - 9 * MIN).toISOString())
  const spread = [change(30, 'ok', 'down'), change(25, 'down', 'ok'), ...four.slice(2)]
  t.same(codes(diagnose(report({}, [], 'down'), history([{}], ['ok']), spread)), [], 'older changes are outside the window')
})

t.test('INGEST_STALLED: the last ingest older than the limit; never for an app that never ingested', async (t) => {
  const r = diagnose(report({ lastIngest: new Date(NOW - 15 * MIN).toISOString(), failures: 3 }))
  t.same(codes(r), ['INGEST_STALLED'])
  t.match(r.diagnosis[0].summary, /nothing ingested for 900 s, 3 recent failures/)
  t.same(codes(diagnose(report({ lastIngest: new Date(NOW - 5 * MIN).toISOString() }))), [], 'five minutes: not stalled')
  t.same(codes(diagnose(report({}))), [], 'never ingested')
})

t.test('since is kept while a conclusion holds, and starts again after a break', async (t) => {
  const diagnoser = createDiagnoser()
  const busy = report({ p95: 1500, cpu: 99 })
  const points = history(normal(20))
  t.equal(diagnoser.diagnose(busy, points, [], NOW).diagnosis[0].since, new Date(NOW).toISOString())
  t.equal(diagnoser.diagnose(busy, points, [], NOW + MIN).diagnosis[0].since, new Date(NOW).toISOString(), 'still since the first')
  t.same(diagnoser.diagnose(report({ p95: 80, cpu: 20 }), points, [], NOW + 2 * MIN).diagnosis, [])
  t.equal(diagnoser.diagnose(busy, points, [], NOW + 3 * MIN).diagnosis[0].since, new Date(NOW + 3 * MIN).toISOString(), 'a new episode')
})

t.test('the limits are one frozen table', async (t) => {
  t.ok(Object.isFrozen(DIAGNOSIS_LIMITS))
})

t.test('RESTARTED across a gap: the last uptime known, not the last point\'s null', async (t) => {
  t.same(codes(diagnose(report({ uptime: 4 }), history([{ uptime: 7200 }, {}, {}]))), ['RESTARTED'])
})

t.test('CPU_BOUND for a starved process: CPU far above its own baseline, under 80 % of a core', async (t) => {
  const r = diagnose(report({ p95: 900, cpu: 62 }), history(normal(20, { cpu: 12 })))
  t.same(codes(r), ['CPU_BOUND'])
  t.same(r.diagnosis[0].evidence[1], { path: 'performance.cpu_percent', value: 62, threshold: 50 }, 'the floor, as 2 × 12 is below it')
  t.same(codes(diagnose(report({ p95: 900, cpu: 62 }), history(normal(20, { cpu: 40 })))), [], '62 is not twice an app\'s usual 40')
  t.same(codes(diagnose(report({ p95: 900, cpu: 62 }), history(normal(2, { cpu: 12 })))), [], 'no baseline: 80 % it is')
})
