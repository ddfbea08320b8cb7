// Issue 11, end to end: the built sidecar watches our real FastAPI app through an incident told in
// three acts: the app becomes CPU-bound, then slow on a dependency (a failing `database` check, the
// process idle), then it restarts. The report must name each in turn (CPU_BOUND,
// WAITING_ON_DEPENDENCY, RESTARTED), each with its evidence, and /history must hold the transitions.
import t from 'tap'
import { binBuilt, get, startSidecar } from '../helpers/spawn-sidecar.js'
import { waitFor } from '../helpers/wait-for.js'
import { missingFastApi, startFastApiApp, type EcosystemApp } from '../helpers/ecosystem-apps.js'

const skip = (binBuilt ? undefined : 'dist/sidecar/bin.js is missing: run npm run build') ?? missingFastApi()
const REPORT = '/api/v2/diagnostics/reliability'
// Hang guards, not measurements: each act ends when the report says so.
const GUARD_MS = 90_000

interface Diagnosis { code: string, summary: string, evidence: Array<{ path: string, value: unknown }>, since: string }
interface Report { timestamp: string, overall_status: string, diagnosis: Diagnosis[], performance: { cpu_percent: number | null, request_latency_ms: { p95: number | null } } }

async function report (base: string): Promise<Report> {
  return JSON.parse((await get(`${base}${REPORT}`)).body) as Report
}

async function control (app: EcosystemApp, body: unknown): Promise<void> {
  const res = await fetch(`${app.url}/control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 200) throw new Error(`control answered ${res.status}`)
}

/** Four lanes of requests to `/work?<query>`, the query switchable; every request awaited. */
function load (base: string, query: string) {
  const state = { running: true, query }
  const lane = async () => {
    // A request the starved app drops is load that did not land, not a failure of the story: the
    // report is what is tested. (Traffic stops before the app is restarted, so this never spins.)
    while (state.running) await fetch(`${base}/work?${state.query}`).then((r) => r.arrayBuffer(), () => undefined)
  }
  const lanes = Promise.all([1, 2, 3, 4].map(lane))
  return { set: (q: string) => { state.query = q }, stop: async () => { state.running = false; await lanes } }
}

t.test('CPU-bound, then waiting on a dependency, then restarted: the report names each in turn', { skip }, async (t) => {
  let app = await startFastApiApp(t)
  const port = Number(new URL(app.url).port)
  const sidecar = await startSidecar(t, ['--target', app.url, '--interval-ms', '1000', '--window-ms', '5000'], { readyTimeoutMs: 60_000 })
  const seen: string[] = []
  let last: Report | undefined
  const until = async (what: string, code: string) => {
    await waitFor(what, async () => {
      last = await report(sidecar.base)
      for (const d of last.diagnosis) if (!seen.includes(d.code)) seen.push(d.code)
      return last.diagnosis.some((d) => d.code === code)
    }, GUARD_MS)
    return (last as Report).diagnosis.find((d) => d.code === code) as Diagnosis
  }

  // Act 0: healthy, fast requests, long enough for a baseline of history points.
  let traffic = load(app.url, 'ms=5')
  t.teardown(() => traffic.stop())
  await waitFor('a healthy window with p95', async () => {
    const r = await report(sidecar.base)
    const history = JSON.parse((await get(`${sidecar.base}${REPORT}/history`)).body) as { points: { timestamp: number[] } }
    return r.performance.request_latency_ms.p95 !== null && history.points.timestamp.length >= 10
  }, GUARD_MS)
  t.same((await report(sidecar.base)).diagnosis, [], 'healthy: no conclusion')

  // Act 1: every request burns 100 ms of CPU on the event loop; the others queue behind it. More
  // would hold the app's own /metrics past the poll's deadline (800 ms), as a CPU-bound app does.
  // The app can only be as busy as the machine lets it: beside other test files on two cores it may
  // get under half a core, and then its CPU figure does not show the work as CPU (nothing does, from
  // outside). The report must then conclude nothing rather than guess; CPU_BOUND is asserted
  // whenever the app got the CPU to show it.
  traffic.set('cpu_ms=100')
  let busiest = 0
  const reports = new Set<string>()
  await waitFor('CPU_BOUND, or ten reports of the act', async () => {
    last = await report(sidecar.base)
    for (const d of last.diagnosis) if (!seen.includes(d.code)) seen.push(d.code)
    if (last.performance.request_latency_ms.p95 !== null && last.performance.request_latency_ms.p95 > 250) reports.add(last.timestamp)
    busiest = Math.max(busiest, last.performance.cpu_percent ?? 0)
    return last.diagnosis.some((d) => d.code === 'CPU_BOUND') || reports.size >= 10
  }, GUARD_MS)
  const cpu = last?.diagnosis.find((d) => d.code === 'CPU_BOUND')
  // 80 % of a core is busy whatever the app's past; below it, busy depends on the app's own
  // baseline (twice its median, at least 50 %), which a crowded machine also moves.
  if (cpu !== undefined || busiest >= 80) {
    t.ok(cpu !== undefined, `CPU_BOUND named (the app reached ${busiest} % of a core)`)
    t.ok(cpu?.evidence.some((e) => e.path === 'performance.cpu_percent'), `CPU_BOUND cites the CPU: ${cpu?.summary}`)
  } else {
    t.notOk(seen.includes('WAITING_ON_DEPENDENCY'), `no wrong conclusion while the starved app read at most ${busiest} % of a core`)
    t.pass('CPU_BOUND named', { skip: `the machine gave the app at most ${busiest} % of a core: not enough to tell its work is CPU` })
  }

  // Act 2: requests wait 1.5 s on a dependency whose check fails; the process is idle.
  await control(app, { health: { status_code: 503, body: { status: 'error', checks: { database: { status: 'unhealthy', error: 'query timed out' }, redis: 'ok' } } } })
  traffic.set('ms=1500')
  const waiting = await until('WAITING_ON_DEPENDENCY', 'WAITING_ON_DEPENDENCY')
  t.match(waiting.summary, /app:database/, `the dependency is named: ${waiting.summary}`)
  t.notOk(last?.diagnosis.some((d) => d.code === 'CPU_BOUND'), 'not CPU-bound')

  // Act 3: healthy again, then the app restarts on the same port.
  await traffic.stop()
  await control(app, { health: { status_code: 200, body: { status: 'ok', checks: { database: 'ok', redis: 'ok' } } } })
  const exited = new Promise((resolve) => app.child.once('exit', resolve))
  app.child.kill('SIGTERM')
  await exited
  app = await startFastApiApp(t, port)
  traffic = load(app.url, 'ms=5')
  const restarted = await until('RESTARTED', 'RESTARTED')
  t.match(restarted.summary, /restarted/)

  const story = seen.includes('CPU_BOUND') ? ['CPU_BOUND', 'WAITING_ON_DEPENDENCY', 'RESTARTED'] : ['WAITING_ON_DEPENDENCY', 'RESTARTED']
  t.same(seen.filter((c) => ['CPU_BOUND', 'WAITING_ON_DEPENDENCY', 'RESTARTED'].includes(c)), story, 'named in the order they happened')
  const history = JSON.parse((await get(`${sidecar.base}${REPORT}/history`)).body) as { transitions: Array<{ kind: string, subject: string, to: string }> }
  t.ok(history.transitions.some((x) => x.kind === 'restart'), 'the restart is a transition')
  t.ok(history.transitions.some((x) => x.kind === 'service' && x.subject === 'app:database' && x.to === 'down'), 'so is the failing check')
})
