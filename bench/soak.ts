// npm run soak [-- --minutes N]: issue 5's soak. Runs the built sidecar (a child process) against
// a fake app that cycles through faults, and an in-app server whose sources take turns failing,
// drives mixed traffic at both for N minutes (default 10), and prints RSS and heap at start and
// end. A program, not a test: it prints figures and fails only if a process dies or answers 5xx.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { freePort } from './lib/sidecar-rig.js'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Pool } from 'undici'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

const minutes = Number(process.argv[process.argv.indexOf('--minutes') + 1] ?? 10) || 10
const durationMs = minutes * 60_000
const phaseMs = Math.max(5_000, Math.round(durationMs / 20))
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// The sidecar's target: each phase brings one fault (SPEC §6's list), then health again.
const faults = ['ok', 'health-503', 'metrics-500', 'hang', 'slow-body', 'bad-json', 'reset', 'over-cap', 'redirect', 'ok'] as const
function fakeApp (): { server: Server, fault: () => string } {
  const started = Date.now()
  const fault = () => faults[Math.floor((Date.now() - started) / phaseMs) % faults.length]
  const register = new Registry()
  collectDefaultMetrics({ register })
  const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['route', 'status_code'], registers: [register] })
  const hits = new Counter({ name: 'cache_hits_total', help: 'h', registers: [register] })
  let n = 0
  const server = createServer((req, res) => {
    const f = fault()
    n++
    duration.observe({ route: req.url ?? '/', status_code: n % 50 === 0 ? '500' : '200' }, (n % 10) / 100)
    hits.inc()
    if (f === 'hang') return // never answers
    if (f === 'reset') { req.socket.destroy(); return }
    if (f === 'redirect') { res.writeHead(302, { location: 'http://127.0.0.2:9/' }).end(); return }
    if (req.url === '/health') {
      res.writeHead(f === 'health-503' ? 503 : 200, { 'content-type': 'application/health+json' })
      res.end(JSON.stringify({ status: f === 'health-503' ? 'fail' : 'pass' }))
    } else if (req.url === '/metrics') {
      if (f === 'metrics-500') { res.writeHead(500).end('boom'); return }
      if (f === 'over-cap') { res.writeHead(200).end('x'.repeat(2 * 1024 * 1024)); return }
      register.metrics().then((text) => {
        res.writeHead(200, { 'content-type': register.contentType })
        if (f === 'slow-body') { res.write(text.slice(0, 100)); setTimeout(() => res.end(text.slice(100)), 2_000) } else res.end(text)
      }, () => res.writeHead(500).end())
    } else if (req.url === '/admin/websocket') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(f === 'bad-json' ? '{"active_connections": 3,' : JSON.stringify({ active_connections: 3, last_broadcast_ts: Date.now(), connection_rate: 0.2 }))
    } else res.writeHead(404).end()
  })
  return { server, fault }
}

// NaN once the process is gone: the run then reports the death instead of failing here.
function rssBytes (pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
    return Number(line?.split(/\s+/)[1] ?? NaN) * 1024
  } catch {
    return NaN
  }
}

async function heapOf (pool: Pool, path: string, pick: (text: string) => number): Promise<number> {
  const res = await pool.request({ method: 'GET', path })
  return pick(await res.body.text())
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`

async function main (): Promise<void> {
  const { server, fault } = fakeApp()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const target = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const sidecarPort = await freePort()
  const sidecar = spawn(process.execPath, [here('../sidecar/bin.js'), '--target', target, '--port', String(sidecarPort), '--host', '127.0.0.1',
    '--interval-ms', '500', '--timeout-ms', '300', '--log-level', 'error'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const inApp = spawn(process.execPath, [here('./soak-in-app-server.js')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SOAK_PHASE_MS: String(phaseMs) } })
  const inAppPort = await new Promise<number>((resolve) => inApp.stdout?.once('data', (d) => resolve(Number(String(d).trim()))))
  const children: ChildProcess[] = [sidecar, inApp]
  // However this program ends (a signal, an error), it takes its children with it.
  process.once('exit', () => { for (const c of children) c.kill('SIGKILL') })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
  const state = { died: '' }
  for (const c of children) c.once('exit', (code) => { state.died ||= `pid ${c.pid} exited with ${code}` })

  const sc = new Pool(`http://127.0.0.1:${sidecarPort}`, { connections: 8 })
  const ia = new Pool(`http://127.0.0.1:${inAppPort}`, { connections: 8 })
  const sidecarHeap = () => heapOf(sc, '/metrics', (t) => Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(t)?.[1]))
  const inAppHeap = () => heapOf(ia, '/api/v2/diagnostics/reliability', (t) => JSON.parse(t).infrastructure.memory.heap_used_bytes)
  for (let i = 0; i < 100; i++) {
    const ok = await sc.request({ method: 'GET', path: '/readyz' }).then(async (r) => { await r.body.dump(); return r.statusCode === 200 }, () => false)
    if (ok) break
    await sleep(100)
  }
  await sleep(5_000) // warm-up before the first sample
  const start = { sidecarRss: rssBytes(sidecar.pid as number), sidecarHeap: await sidecarHeap(), inAppRss: rssBytes(inApp.pid as number), inAppHeap: await inAppHeap() }

  const counts = { requests: 0, serverErrors: 0, failures: 0 }
  const routes: Array<[Pool, string]> = [[sc, '/api/v2/diagnostics/reliability'], [sc, '/health'], [sc, '/metrics'], [sc, '/livez'],
    [ia, '/api/v2/diagnostics/reliability'], [ia, '/health'], [ia, '/items/1'], [ia, '/items/3']]
  const until = Date.now() + durationMs
  let peakSidecar = start.sidecarRss
  let lastReport = Date.now()
  // The sidecar's heap, sampled every 5 s: each minute's lowest sample is its floor, the live heap
  // just after a collection. Garbage moves the peaks; only a leak raises the floor.
  let lastHeapSample = 0
  let minuteFloor = Infinity
  const minutesSeen: Array<{ rss: number, heapFloor: number, fault: string }> = []
  while (Date.now() < until && state.died === '') {
    // About 160 requests a second, 8 at a time.
    await Promise.all(routes.map(([pool, path]) => pool.request({ method: 'GET', path }).then(async (res) => {
      counts.requests++
      // /health may say 503 (the fault is the app's); a 5xx anywhere else is a defect.
      if (res.statusCode >= 500 && !(path === '/health' && res.statusCode === 503)) counts.serverErrors++
      await res.body.dump()
    }, () => { counts.failures++ })))
    await sleep(50)
    peakSidecar = Math.max(peakSidecar, rssBytes(sidecar.pid as number))
    if (Date.now() - lastHeapSample > 5_000) {
      lastHeapSample = Date.now()
      minuteFloor = Math.min(minuteFloor, await sidecarHeap().catch(() => Infinity))
    }
    if (Date.now() - lastReport > 60_000) {
      lastReport = Date.now()
      const rss = rssBytes(sidecar.pid as number)
      minutesSeen.push({ rss, heapFloor: minuteFloor, fault: fault() })
      process.stdout.write(`${new Date().toISOString()} fault=${fault()} requests=${counts.requests} sidecar rss=${mib(rss)} heap floor=${mib(minuteFloor)}\n`)
      minuteFloor = Infinity
    }
  }
  const end = { sidecarRss: rssBytes(sidecar.pid as number), sidecarHeap: await sidecarHeap(), inAppRss: rssBytes(inApp.pid as number), inAppHeap: await inAppHeap() }

  process.stdout.write([
    '',
    `soak: ${minutes} min, faults cycled every ${phaseMs / 1000} s (${faults.join(', ')})`,
    `requests ${counts.requests}, unexpected 5xx ${counts.serverErrors}, transport failures ${counts.failures}${state.died ? `, DIED: ${state.died}` : ''}`,
    '| process | RSS start | RSS end | RSS peak | heap start | heap end |',
    '|---|---|---|---|---|---|',
    `| sidecar | ${mib(start.sidecarRss)} | ${mib(end.sidecarRss)} | ${mib(peakSidecar)} | ${mib(start.sidecarHeap)} | ${mib(end.sidecarHeap)} |`,
    `| in-app | ${mib(start.inAppRss)} | ${mib(end.inAppRss)} | — | ${mib(start.inAppHeap)} | ${mib(end.inAppHeap)} |`,
    '',
    `sidecar per minute, RSS: ${minutesSeen.map((m) => (m.rss / 1024 / 1024).toFixed(0)).join(', ')} MiB`,
    `sidecar per minute, heap floor (lowest of 12 samples): ${minutesSeen.map((m) => (m.heapFloor / 1024 / 1024).toFixed(1)).join(', ')} MiB`,
    floorTrend(minutesSeen.map((m) => m.heapFloor)),
    ''
  ].join('\n'))
  for (const c of children) c.removeAllListeners('exit').kill('SIGTERM')
  await Promise.all([sc.close(), ia.close()])
  server.closeAllConnections()
  server.close()
  process.exitCode = state.died !== '' || counts.serverErrors > 0 ? 1 : 0
}

/** The heap floor's first third against its last third: a leak shows as a rise. */
function floorTrend (floors: number[]): string {
  const third = Math.floor(floors.length / 3)
  if (third === 0) return 'heap floor trend: too few minutes to tell'
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const first = mean(floors.slice(0, third))
  const last = mean(floors.slice(-third))
  return `heap floor trend: first third ${mib(first)}, last third ${mib(last)} (${((last - first) / 1024 / 1024).toFixed(1)} MiB over ${floors.length - third} minutes)`
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${(err as Error).stack}\n`)
  process.exit(1)
})
