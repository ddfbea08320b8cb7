// B5: the plugin with user sources that count their calls, a generation counter fed by the
// plugin's own `reliability.report` debug event, and a clock the parent can move past the TTL.
// `node count-server.js <cacheTtlMs>`. GET /bench/counts, POST /bench/expire.
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import { createReliabilityPlugin } from '../../plugin/reliability-plugin.js'
import { announce } from '../lib/announce.js'

const ttlMs = Number(process.argv[2])
const calls: Record<string, number> = { cache: 0, edge_engine: 0, ingestion: 0, websocket: 0, model_registry: 0, 'services:db': 0 }
let generations = 0
let offsetMs = 0

// Only the one event is counted; nothing is written anywhere.
const logger: FastifyBaseLogger = pino({ level: 'debug' }, {
  write (line: string) {
    if (line.includes('"event":"reliability.report"')) generations++
  }
})

// Each source takes a few ms, so requests that arrive during a generation really overlap it.
const counted = <T>(name: string, value: T) => async (): Promise<T> => {
  calls[name]++
  await new Promise((resolve) => setTimeout(resolve, 25))
  return value
}

const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) })
await app.register(createReliabilityPlugin({ clock: () => Date.now() + offsetMs }), {
  cacheTtlMs: ttlMs,
  sources: {
    cache: counted('cache', { hits: 10, misses: 2, operations: 12 }),
    edge_engine: counted('edge_engine', { active_edges: 3 }),
    ingestion: counted('ingestion', { ingest_latency_ms: 12 }),
    websocket: counted('websocket', { active_connections: 4 }),
    model_registry: counted('model_registry', { models: [] }),
    services: [{ name: 'db', check: counted('services:db', { status: 'ok' as const }) }]
  }
})
app.get('/bench/counts', async () => ({ calls, generations }))
// Past the TTL and past maxStaleMs (2 × TTL): the next request finds a cold cache and must wait.
app.post('/bench/expire', async () => {
  offsetMs += 3 * ttlMs + 1
  return { offsetMs }
})
await announce(app)
