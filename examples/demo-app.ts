// The bundled demo app the sidecar watches when no target is given (issue 3, "Demo default"): a real
// Fastify app with prom-client metrics, an IETF health route, a `ws` websocket server and its admin
// route, a small in-process ingestion loop and an LRU cache. It drives itself with a fixed cycle of
// requests, so every figure the sidecar shows comes from something that really happened; nothing
// here is random (the project bans Math.random), which also makes runs comparable.
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import Fastify, { LogController } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { WebSocket, WebSocketServer } from 'ws'
import { trackServerSockets } from '../sidecar/server-sockets.js'

export interface DemoAppOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
  /** Log through Fastify's pino logger (the app's own traffic is not logged). Default false. */
  log?: boolean
  /** Period of the app's own traffic, in ms; 0 for none. Default 200. */
  trafficIntervalMs?: number
}

export interface DemoApp {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string
  /** Stops traffic, timers and websocket clients, then closes the server. */
  close(): Promise<void>
  /** false makes `/health` answer 503 `fail` until set back to true. */
  setHealthy(healthy: boolean): void
}

const INGEST_INTERVAL_MS = 1000
const BROADCAST_INTERVAL_MS = 1000
const BATCH_SIZE = 4
const INGEST_FAIL_EVERY = 7 // every 7th batch fails, so ingest_failures_total moves at a known pace
const EDGE_TTL_MS = 60_000 // edges expire after a minute: edges_active is a level, not a running total
const MAX_RECORDS = 1000
const INGEST_LAG_WARN_S = 5
const CACHE_CAPACITY = 6
// With an LRU of 6 entries this key cycle settles at a hit rate of about 0.58.
const KEY_CYCLE = [1, 2, 3, 1, 4, 2, 5, 1, 6, 3, 2, 7, 1, 8, 4, 2, 1, 9, 3, 10]
const SLOW_PATTERN_MS = [50, 120, 80, 300, 60, 180]
const FLAKY_FAIL_EVERY = 20
const TRAFFIC_CYCLE = ['items', 'items', 'slow', 'items', 'flaky', 'items', 'health', 'items', 'admin/websocket', 'items']
const WS_CYCLE_TICKS = 25 // the traffic's websocket client is open for the first 15 ticks of every 25
const WS_OPEN_TICKS = 15
const MAX_TRAFFIC_IN_FLIGHT = 4
const TRAFFIC_AGENT = 'demo-app-traffic' // its requests are not logged

function createMetrics (register: Registry) {
  collectDefaultMetrics({ register })
  return {
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests in seconds',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [register]
    }),
    cacheHits: new Counter({ name: 'cache_hits_total', help: 'Item cache hits', registers: [register] }),
    cacheMisses: new Counter({ name: 'cache_misses_total', help: 'Item cache misses', registers: [register] }),
    edgesActive: new Gauge({ name: 'edges_active', help: 'Edges created in the last minute', registers: [register] }),
    edgesCreated: new Counter({ name: 'edges_created_total', help: 'Edges created', registers: [register] }),
    edgeLastCreated: new Gauge({ name: 'edge_last_created_timestamp_seconds', help: 'When the last edge was created, Unix seconds', registers: [register] }),
    ingestDuration: new Gauge({ name: 'ingest_duration_seconds', help: 'Duration of the last successful ingest batch', registers: [register] }),
    ingestLast: new Gauge({ name: 'ingest_last_timestamp_seconds', help: 'When the last batch was ingested, Unix seconds', registers: [register] }),
    ingestFailures: new Counter({ name: 'ingest_failures_total', help: 'Ingest batches that failed', registers: [register] })
  }
}
type Metrics = ReturnType<typeof createMetrics>

/** A Map kept in least-recently-used order: a hit moves the key to the end, inserts evict the head. */
function createLruCache<V> (capacity: number, metrics: Metrics) {
  const map = new Map<string, V>()
  return {
    get size () { return map.size },
    get (key: string): V | undefined {
      const value = map.get(key)
      if (value === undefined) { metrics.cacheMisses.inc(); return undefined }
      map.delete(key)
      map.set(key, value)
      metrics.cacheHits.inc()
      return value
    },
    set (key: string, value: V): void {
      map.delete(key)
      map.set(key, value)
      if (map.size > capacity) map.delete(map.keys().next().value as string)
    }
  }
}

/** Ingests a batch of records, linking each to the previous one and every third to the one three back. */
function createIngestion (metrics: Metrics, onFailure: (err: Error, batch: number) => void) {
  const records: number[] = []
  const edges: Array<{ from: number, to: number, createdAt: number }> = []
  let batch = 0
  let nextId = 1
  let lastAt: number | undefined
  return {
    lastAt: () => lastAt,
    ingest (): void {
      const started = performance.now()
      batch++
      try {
        if (batch % INGEST_FAIL_EVERY === 0) throw new Error(`batch ${batch} rejected by the feed`)
        const now = Date.now()
        let created = 0
        for (let i = 0; i < BATCH_SIZE; i++) {
          const id = nextId++
          records.push(id)
          if (id > 1) { edges.push({ from: id - 1, to: id, createdAt: now }); created++ }
          if (id > 3 && id % 3 === 0) { edges.push({ from: id - 3, to: id, createdAt: now }); created++ }
        }
        if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS)
        while (edges.length > 0 && now - edges[0].createdAt > EDGE_TTL_MS) edges.shift()
        metrics.edgesCreated.inc(created)
        metrics.edgeLastCreated.set(now / 1000)
        metrics.edgesActive.set(edges.length)
        metrics.ingestDuration.set((performance.now() - started) / 1000)
        metrics.ingestLast.set(now / 1000)
        lastAt = now
      } catch (err) {
        metrics.ingestFailures.inc()
        onFailure(err as Error, batch)
      }
    }
  }
}

/** Requests to the app's own routes in a fixed cycle, and one websocket client opening and closing. */
function startTraffic (baseUrl: string, intervalMs: number): () => void {
  const abort = new AbortController()
  const wsUrl = baseUrl.replace(/^http/, 'ws') + '/ws'
  let tick = 0
  let itemStep = 0
  let inFlight = 0
  let client: WebSocket | undefined
  const timer = setInterval(() => {
    const step = tick++
    const phase = step % WS_CYCLE_TICKS
    if (phase === 0 && client === undefined) {
      client = new WebSocket(wsUrl)
      client.on('error', () => {}) // a refused connection is the server going away; the cycle goes on
    } else if (phase === WS_OPEN_TICKS && client !== undefined) {
      client.close()
      client = undefined
    }
    if (inFlight >= MAX_TRAFFIC_IN_FLIGHT) return
    const kind = TRAFFIC_CYCLE[step % TRAFFIC_CYCLE.length]
    const path = kind === 'items' ? `items/${KEY_CYCLE[itemStep++ % KEY_CYCLE.length]}` : kind
    inFlight++
    fetch(`${baseUrl}/${path}`, { signal: abort.signal, headers: { 'user-agent': TRAFFIC_AGENT } })
      .then(async (res) => { await res.arrayBuffer() })
      .catch(() => {}) // aborted at close, or the server is closing
      .finally(() => { inFlight-- })
  }, intervalMs)
  timer.unref()
  return () => { clearInterval(timer); abort.abort(); client?.terminate() }
}

export async function startDemoApp (opts: DemoAppOptions = {}): Promise<DemoApp> {
  const { port = 0, host = '127.0.0.1', log = false, trafficIntervalMs = 200 } = opts
  const app = Fastify({
    logger: log,
    logController: new LogController({ disableRequestLogging: (request) => request.headers['user-agent'] === TRAFFIC_AGENT })
  })
  const register = new Registry()
  const metrics = createMetrics(register)
  const cache = createLruCache<{ id: number, name: string }>(CACHE_CAPACITY, metrics)
  const ingestion = createIngestion(metrics, (err, batch) => app.log.warn({ err, batch }, 'ingest batch failed'))
  let healthy = true
  let slowCalls = 0
  let flakyCalls = 0

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000)
    done()
  })

  app.get('/metrics', async (_request, reply) => reply.type(register.contentType).send(await register.metrics()))

  app.get('/health', async (_request, reply) => {
    const time = new Date().toISOString()
    const lastAt = ingestion.lastAt()
    const lagS = lastAt === undefined ? null : (Date.now() - lastAt) / 1000
    const lagStatus = lagS !== null && lagS <= INGEST_LAG_WARN_S ? 'pass' : 'warn'
    reply.code(healthy ? 200 : 503).type('application/health+json').header('cache-control', 'no-store')
    return {
      status: healthy ? 'pass' : 'fail',
      ...(healthy ? {} : { output: 'marked unhealthy by setHealthy(false)' }),
      checks: {
        'cache:size': [{ componentType: 'component', observedValue: cache.size, observedUnit: 'entries', status: 'pass', time }],
        'ingest:lag': [{ componentType: 'component', observedValue: lagS, observedUnit: 's', status: lagStatus, time }]
      }
    }
  })

  app.get<{ Params: { id: string } }>('/items/:id', async (request) => {
    const cached = cache.get(request.params.id)
    if (cached) return cached
    const item = { id: Number(request.params.id), name: `item-${request.params.id}` }
    cache.set(request.params.id, item)
    return item
  })

  app.get('/slow', async () => {
    const ms = SLOW_PATTERN_MS[slowCalls++ % SLOW_PATTERN_MS.length]
    await new Promise((resolve) => setTimeout(resolve, ms))
    return { waited_ms: ms }
  })

  app.get('/flaky', async (_request, reply) => {
    if (++flakyCalls % FLAKY_FAIL_EVERY === 0) return reply.code(500).send({ error: 'flaky failure', call: flakyCalls })
    return { ok: true, call: flakyCalls }
  })

  // The websocket server shares Fastify's HTTP server: upgrades on /ws, everything else refused.
  const wss = new WebSocketServer({ noServer: true })
  const openedAt: number[] = []
  let lastBroadcastAt: number | undefined
  wss.on('connection', (ws) => { openedAt.push(Date.now()); ws.on('error', () => {}) })
  app.server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/ws') socket.destroy()
    else wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })

  app.get('/admin/websocket', async () => {
    const now = Date.now()
    while (openedAt.length > 0 && now - openedAt[0] > 60_000) openedAt.shift()
    return {
      active_connections: wss.clients.size,
      last_broadcast_ts: lastBroadcastAt === undefined ? null : new Date(lastBroadcastAt).toISOString(),
      connection_rate: Math.round((openedAt.length / 60) * 1000) / 1000
    }
  })

  const timers: NodeJS.Timeout[] = []
  let stopTraffic = () => {}
  // The sidecar's demo mode closes this app on SIGTERM too: a silent connection to it must not hold
  // shutdown any more than one to the sidecar (issue 8; see sidecar/server-sockets.ts).
  const sockets = trackServerSockets(app.server)
  // Before the server closes: upgraded sockets are no longer the HTTP server's to close.
  app.addHook('preClose', (done) => {
    sockets.closeWhenQuiet()
    stopTraffic()
    for (const timer of timers) clearInterval(timer)
    for (const ws of wss.clients) ws.terminate()
    wss.close()
    done()
  })

  ingestion.ingest() // the first batch at start, so the figures exist from the first scrape
  const url = await app.listen({ port, host })
  let seq = 0
  timers.push(
    setInterval(() => ingestion.ingest(), INGEST_INTERVAL_MS).unref(),
    setInterval(() => {
      const message = JSON.stringify({ type: 'tick', seq: ++seq, ts: new Date().toISOString() })
      for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(message)
      lastBroadcastAt = Date.now()
    }, BROADCAST_INTERVAL_MS).unref()
  )
  if (trafficIntervalMs > 0) {
    const { port: bound } = app.server.address() as { port: number }
    const selfHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
    stopTraffic = startTraffic(`http://${selfHost}:${bound}`, trafficIntervalMs)
  }

  let closing: Promise<void> | undefined
  return {
    url,
    setHealthy (value) { healthy = value },
    close: () => (closing ??= app.close().then(() => register.clear()))
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const demo = await startDemoApp({ port: Number(process.env.PORT ?? 3000), log: true })
  console.log(`demo app listening at ${demo.url} (metrics ${demo.url}/metrics, health ${demo.url}/health, websocket admin ${demo.url}/admin/websocket)`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { demo.close().catch(() => process.exit(1)) })
}
