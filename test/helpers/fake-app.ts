// A neighbouring app for the sidecar's tests: a real node:http server on 127.0.0.1:0 whose routes a
// test swaps while it runs (good answers, hangs, trickles, resets, redirects), counting requests and
// connections. close() ends every socket, hanging ones included, so no test waits on its own fault.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { loadConfig } from '../../sidecar/config/load-config.js'
import { createSidecar, type Sidecar } from '../../sidecar/create-sidecar.js'
import { captureLog } from './capture-log.js'
import { HANG_GUARD_MS, waitFor } from './wait-for.js'
import type { ReliabilityReport } from '../../schemas/report.js'

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

export interface SeenRequest {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  /** Date.now() when the request arrived. */
  readonly at: number
}

export interface FakeApp {
  readonly url: string
  readonly port: number
  readonly server: Server
  readonly requests: SeenRequest[]
  /** TCP connections accepted so far. */
  connections(): number
  /** Sets (or replaces) the handler of one path; unknown paths answer 404. */
  route(path: string, handler: Handler): void
  /** Requests seen for one path (query string excluded). */
  hits(path: string): number
  close(): Promise<void>
}

/** `fallback` answers the paths no route has (default: a plain-text 404). */
export async function startFakeApp (routes: Record<string, Handler> = {}, fallback?: Handler): Promise<FakeApp> {
  const table = new Map<string, Handler>(Object.entries(routes))
  const requests: SeenRequest[] = []
  let connections = 0
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    requests.push({ path, headers: req.headers, at: Date.now() })
    const handler = table.get(path) ?? fallback
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(599)
      res.end(String(err))
    })
  })
  server.on('connection', () => { connections++ })
  // Keep-alive sockets must outlive the sidecar's polls, as a real app's do.
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    connections: () => connections,
    route: (path, handler) => { table.set(path, handler) },
    hits: (path) => requests.filter((r) => r.path === path).length,
    async close () {
      // Ends hanging and trickling answers too: their 'close' clears their timers.
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** A body with a status and content type. */
export function answer (status: number, body: string | Buffer, contentType = 'application/json'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body)
  }
}

export function json (value: unknown, status = 200, contentType = 'application/json'): Handler {
  return answer(status, JSON.stringify(value), contentType)
}

/** Never sends the headers. */
export const hang: Handler = () => {}

/** Sends the headers (and optionally a first part of the body), then nothing. */
export function silentAfterHeaders (first = ''): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.flushHeaders()
    if (first !== '') res.write(first)
  }
}

/** Headers at once, then one byte every `everyMs`, forever. */
export function trickle (everyMs: number, contentType = 'text/plain'): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType })
    res.flushHeaders()
    const timer = setInterval(() => res.write('x'), everyMs)
    res.on('close', () => clearInterval(timer))
  }
}

/** Announces a body, sends part of it, then destroys the socket. */
export function resetMidBody (contentType = 'text/plain'): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': 1000 })
    res.write('x'.repeat(100), () => {
      setTimeout(() => res.socket?.destroy(), 10)
    })
  }
}

/** A body of `bytes` bytes, with a content-length or chunked in 512-byte writes. */
export function bigBody (bytes: number, how: 'content-length' | 'chunked'): Handler {
  return (_req, res) => {
    if (how === 'content-length') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': bytes }).end('y'.repeat(bytes))
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain' })
    let left = bytes
    while (left > 0) {
      const n = Math.min(512, left)
      res.write('y'.repeat(n))
      left -= n
    }
    res.end()
  }
}

export function redirect (status: number, location: string): Handler {
  return (_req, res) => {
    res.writeHead(status, { location, 'content-type': 'text/plain', 'content-length': 2 }).end('go')
  }
}

/** A port nothing listens on: one the OS just gave out and took back. */
export async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface Crashes {
  /** Errors that would have ended the process ('uncaughtException'). */
  readonly uncaught: unknown[]
  readonly unhandledRejections: unknown[]
}

/**
 * Records what would crash the process or go unhandled while a test runs, so the test can assert
 * there was none (and the rest of the file still runs when there was). Removed at teardown.
 */
export function captureCrashes (t: { teardown(fn: () => void): void }): Crashes {
  const crashes: Crashes = { uncaught: [], unhandledRejections: [] }
  const onUncaught = (err: unknown) => { crashes.uncaught.push(err) }
  const onRejection = (reason: unknown) => { crashes.unhandledRejections.push(reason) }
  process.prependListener('uncaughtException', onUncaught)
  process.prependListener('unhandledRejection', onRejection)
  t.teardown(() => {
    process.removeListener('uncaughtException', onUncaught)
    process.removeListener('unhandledRejection', onRejection)
  })
  return crashes
}

// ---------------------------------------------------------------------------------------------
// The sidecar watching a fake app: what the end-to-end tests of create-sidecar share. The app
// serves an IETF health body, prom-client metrics and websocket admin JSON unless a test says
// otherwise; the sidecar polls every 200 ms with a 180 ms deadline (as long as the interval allows:
// a starved process must still see the app's answers in time, issue 10); its routes are read by inject.
export const REPORT = '/api/v2/diagnostics/reliability'
export const INTERVAL = 200
export const TIMEOUT = 180

/**
 * The app's own metrics, from prom-client; the CPU counter is ours so the test decides its pace, and
 * `setMutate` rewrites the exposition text while set (a broken app: issue 8's non-finite values).
 */
export function appMetrics () {
  const registry = new Registry()
  const cpu = new Counter({ name: 'process_cpu_seconds_total', help: 'CPU seconds', registers: [registry] })
  new Gauge({ name: 'process_start_time_seconds', help: 'Start', registers: [registry] }).set(Math.floor(Date.now() / 1000) - 60)
  new Gauge({ name: 'process_resident_memory_bytes', help: 'RSS', registers: [registry] }).set(64_000_000)
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request duration',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1],
    registers: [registry]
  })
  const hits = new Counter({ name: 'cache_hits_total', help: 'Hits', registers: [registry] })
  const misses = new Counter({ name: 'cache_misses_total', help: 'Misses', registers: [registry] })
  // Some traffic of its own at every scrape, so rates have something to show.
  let cpuPerScrape = 0.01
  let mutate: ((text: string) => string) | undefined
  const metrics: Handler = async (_req, res) => {
    cpu.inc(cpuPerScrape)
    duration.observe({ method: 'GET', route: '/', status_code: '200' }, 0.02)
    duration.observe({ method: 'GET', route: '/x', status_code: '500' }, 0.2)
    hits.inc(3)
    misses.inc(1)
    const text = await registry.metrics()
    const body = mutate ? mutate(text) : text
    res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(body) }).end(body)
  }
  return {
    metrics,
    setCpuPerScrape: (s: number) => { cpuPerScrape = s },
    setMutate: (m: ((text: string) => string) | undefined) => { mutate = m }
  }
}

export const ietfPass = json({ status: 'pass', checks: { 'db:responseTime': [{ status: 'pass', observedValue: 3 }] } }, 200, 'application/health+json')
export const websocketAdmin = json({ active_connections: 7, last_broadcast_ts: Date.parse('2026-01-01T00:00:00Z'), connection_rate: 0.5 })

export interface Harness {
  fake: FakeApp
  sidecar: Sidecar
  lines: Array<Record<string, unknown>>
  crashes: Crashes
  setCpuPerScrape: (s: number) => void
  setMutate: (mutate: ((text: string) => string) | undefined) => void
  report: (headers?: Record<string, string>, remoteAddress?: string) => Promise<ReliabilityReport>
  get: (url: string) => Promise<{ statusCode: number, body: string, headers: Record<string, unknown>, ms: number }>
  /** The sidecar's own /metrics value of one sample line, e.g. `reliability_target_up`. */
  ownMetric: (sample: string) => Promise<number | undefined>
  /** The sum of the sample lines starting with `prefix`. */
  ownMetricSum: (prefix: string) => Promise<number>
  waitReport: (what: string, ok: (r: ReliabilityReport) => boolean, timeoutMs?: number) => Promise<ReliabilityReport>
}

export interface HarnessOptions {
  routes?: Record<string, Handler>
  /** Serve `routes` only, not the default health, metrics and websocket admin ones. */
  only?: boolean
  /** Answers the paths no route has; default a 404. */
  fallback?: Handler
  argv?: string[]
  target?: (fake: FakeApp) => string
  start?: boolean
  /** The sidecar's clock (default Date.now). */
  now?: () => number
}

export async function startHarness (t: Test, opts: HarnessOptions = {}): Promise<Harness> {
  const crashes = captureCrashes(t)
  const { metrics, setCpuPerScrape, setMutate } = appMetrics()
  const defaults: Record<string, Handler> = opts.only === true ? {} : { '/health': ietfPass, '/metrics': metrics, '/admin/websocket': websocketAdmin }
  const fake = await startFakeApp({ ...defaults, ...opts.routes }, opts.fallback)
  const config = await loadConfig({
    argv: ['--target', opts.target?.(fake) ?? fake.url, '--interval-ms', String(INTERVAL), '--timeout-ms', String(TIMEOUT), '--port', '0', '--host', '127.0.0.1', ...(opts.argv ?? [])],
    env: {}
  })
  const { log, lines } = captureLog('debug')
  const sidecar = await createSidecar(config, opts.now === undefined ? { log } : { log, now: opts.now })
  let closed = false
  const drain = sidecar.drain.bind(sidecar)
  sidecar.drain = async () => {
    if (closed) return
    closed = true
    await drain()
  }
  t.teardown(async () => {
    await sidecar.drain()
    await fake.close()
  })
  if (opts.start !== false) await sidecar.start()

  const get: Harness['get'] = async (url) => {
    const started = performance.now()
    const res = await sidecar.app.inject({ method: 'GET', url })
    return { statusCode: res.statusCode, body: res.body, headers: res.headers, ms: performance.now() - started }
  }
  const report: Harness['report'] = async (headers = {}, remoteAddress) => {
    const res = await sidecar.app.inject({ method: 'GET', url: REPORT, headers, ...(remoteAddress ? { remoteAddress } : {}) })
    if (res.statusCode !== 200) throw new Error(`report route answered ${res.statusCode}`)
    return res.json() as ReliabilityReport
  }
  return {
    fake,
    sidecar,
    lines,
    crashes,
    setCpuPerScrape,
    setMutate,
    report,
    get,
    async ownMetric (sample) {
      const { body } = await get('/metrics')
      for (const line of body.split('\n')) {
        if (line.startsWith(sample + ' ')) return Number(line.slice(sample.length + 1))
      }
      return undefined
    },
    async ownMetricSum (prefix) {
      const { body } = await get('/metrics')
      let sum = 0
      for (const line of body.split('\n')) if (line.startsWith(prefix)) sum += Number(line.slice(line.lastIndexOf(' ') + 1))
      return sum
    },
    waitReport: (what, ok, timeoutMs = HANG_GUARD_MS) => waitFor(what, async () => {
      const r = await report()
      return ok(r) ? r : undefined
    }, timeoutMs)
  }
}

export function noCrash (t: Test, h: Harness): void {
  t.equal(h.crashes.uncaught.length, 0, 'no uncaught exception')
  t.equal(h.crashes.unhandledRejections.length, 0, 'no unhandled rejection')
}

export const allGood = (r: ReliabilityReport) =>
  r.sources.health?.status === 'ok' && r.sources.metrics?.status === 'ok' && r.sources.websocket?.status === 'ok'
