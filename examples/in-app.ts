// The plugin inside an app (SPEC §2 "In-app user sources"), fed by real things the app does: two
// health checks (its data directory, and a TCP connect to its own port), the hit and miss counts of
// the Map cache behind `/items/:id`, an ingestion loop parsing a fixed feed (every tenth batch carries
// a truncated line and really fails to parse), and the models its loader read at startup.
// Run it with `node dist/examples/in-app.js` and open the URLs it logs.
import { constants } from 'node:fs'
import { access, mkdir } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import reliability from '../plugin/index.js'

export interface InAppExampleOptions {
  /** Fastify's logger. Default false. */
  logger?: boolean
  /** Directory the `data-dir` check probes, created if missing. Default `<os tmpdir>/fastify-reliability-example`. */
  dataDir?: string
  /** The plugin's report TTL, ms. Default 5000, short so the report moves while you watch it. */
  cacheTtlMs?: number
  /** Period of the ingestion loop, ms. Default 1000. */
  ingestIntervalMs?: number
}

interface LoadedModel { name: string, version: string, status: string, loaded_at: string, keywords: Map<string, string> }

// A model here is a keyword table; "loading" one builds its index and records when that happened.
const MODEL_SPECS = [
  { name: 'sentiment', version: '1.4.0', table: { great: 'positive', love: 'positive', broken: 'negative', late: 'negative' } },
  { name: 'topic', version: '0.9.2', table: { invoice: 'billing', refund: 'billing', parcel: 'shipping', courier: 'shipping' } }
]
const DEFAULT_MODEL = 'sentiment'
const CACHE_CAPACITY = 100
const SENSORS = ['boiler', 'pump', 'valve']
const BATCH_LINES = 5
const FAILURE_WINDOW_MS = 5 * 60_000

async function loadModel (spec: typeof MODEL_SPECS[number]): Promise<LoadedModel> {
  const keywords = new Map(Object.entries(spec.table))
  return { name: spec.name, version: spec.version, status: 'loaded', loaded_at: new Date().toISOString(), keywords }
}

/** A Map with a size cap (oldest first out) that counts its hits and misses. */
function createCountingCache<V> (capacity: number) {
  const map = new Map<string, V>()
  const counts = { hits: 0, misses: 0 }
  return {
    counts,
    get (key: string): V | undefined {
      const value = map.get(key)
      if (value === undefined) counts.misses++
      else counts.hits++
      return value
    },
    set (key: string, value: V): void {
      map.set(key, value)
      if (map.size > capacity) map.delete(map.keys().next().value as string)
    }
  }
}

/** Parses batch `n` of a fixed feed into a store; batches 9, 19, 29… end with a truncated line. */
function createIngestion () {
  const store: Array<{ sensor: string, value: number }> = []
  const failures: number[] = []
  const state = { batch: 0, lastAt: null as number | null, latencyMs: null as number | null }
  return {
    ingest (now: number): void {
      const n = state.batch++
      const lines = Array.from({ length: BATCH_LINES }, (_, i) => JSON.stringify({ sensor: SENSORS[(n + i) % SENSORS.length], value: (n * BATCH_LINES + i) % 17 }))
      if (n % 10 === 9) lines.push('{"sensor":"pump","val')
      const started = performance.now()
      try {
        const parsed = lines.map((line) => JSON.parse(line) as { sensor: string, value: number })
        store.push(...parsed)
        if (store.length > 10_000) store.splice(0, store.length - 10_000)
        state.latencyMs = performance.now() - started
        state.lastAt = now
      } catch {
        failures.push(now)
      }
    },
    section (now: number) {
      while (failures.length > 0 && now - failures[0] > FAILURE_WINDOW_MS) failures.shift()
      return { last_ingest_ts: state.lastAt, ingest_latency_ms: state.latencyMs, recent_failures: failures.length }
    }
  }
}

/** Resolves once a TCP connection to host:port is established; rejects on error or abort. */
function tcpPing (host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    const onAbort = () => { socket.destroy(); reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => { signal.removeEventListener('abort', onAbort); socket.end(); resolve() })
    socket.once('error', (err) => { signal.removeEventListener('abort', onAbort); reject(err) })
  })
}

export async function buildInAppExample (opts: InAppExampleOptions = {}): Promise<FastifyInstance> {
  const { logger = false, cacheTtlMs = 5000, ingestIntervalMs = 1000 } = opts
  const dataDir = opts.dataDir ?? join(tmpdir(), 'fastify-reliability-example')
  await mkdir(dataDir, { recursive: true })
  const models = await Promise.all(MODEL_SPECS.map(loadModel))
  const cache = createCountingCache<{ id: string, name: string }>(CACHE_CAPACITY)
  const ingestion = createIngestion()
  ingestion.ingest(Date.now()) // the first batch at startup, so the report has figures at once

  const app = Fastify({ logger })
  await app.register(reliability, {
    cacheTtlMs,
    sources: {
      services: [
        { name: 'data-dir', critical: true, check: async () => { await access(dataDir, constants.R_OK | constants.W_OK) } },
        {
          name: 'self-tcp',
          check: async ({ signal }) => {
            const address = app.server.address()
            if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP')
            await tcpPing(address.address, address.port, signal)
          }
        }
      ],
      cache: async () => ({ hits: cache.counts.hits, misses: cache.counts.misses }),
      ingestion: async ({ now }) => ingestion.section(now()),
      model_registry: async () => ({
        models: models.map(({ name, version, status, loaded_at: loadedAt }) => ({ name, version, status, loaded_at: loadedAt })),
        default_model: DEFAULT_MODEL
      })
    }
  })

  app.get<{ Params: { id: string } }>('/items/:id', async (request) => {
    const cached = cache.get(request.params.id)
    if (cached) return cached
    const item = { id: request.params.id, name: `item-${request.params.id}` }
    cache.set(item.id, item)
    return item
  })

  app.get<{ Querystring: { text?: string, model?: string } }>('/classify', async (request, reply) => {
    const model = models.find((m) => m.name === (request.query.model ?? DEFAULT_MODEL))
    if (!model) return reply.code(404).send({ error: 'unknown model' })
    const words = (request.query.text ?? '').toLowerCase().split(/\W+/)
    const label = words.map((w) => model.keywords.get(w)).find((l) => l !== undefined) ?? 'unknown'
    return { model: model.name, version: model.version, label }
  })

  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    timer = setInterval(() => ingestion.ingest(Date.now()), ingestIntervalMs)
    timer.unref()
  })
  app.addHook('onClose', async () => { clearInterval(timer) })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await buildInAppExample({ logger: true })
  const base = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
  app.log.info({ report: `${base}/api/v2/diagnostics/reliability`, health: `${base}/health`, items: `${base}/items/1` }, 'open these URLs')
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { app.close().catch(() => process.exit(1)) })
}
