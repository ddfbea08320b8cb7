// The in-app side of the soak: a Fastify app with the plugin and sources that take turns failing
// (hang, throw, garbage, slow), on a fixed cycle. Prints its port on stdout; exits on SIGTERM.
import Fastify from 'fastify'
import reliability from '../plugin/index.js'

const phaseMs = Number(process.env.SOAK_PHASE_MS ?? 30_000)
const started = Date.now()
const phase = () => Math.floor((Date.now() - started) / phaseMs) % 5
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let hits = 0
let misses = 0

const app = Fastify({ logger: false })
await app.register(reliability, {
  cacheTtlMs: 1000,
  sourceTimeoutMs: 300,
  sources: {
    // Each source misbehaves in its own phase; the others stay healthy meanwhile.
    cache: async () => {
      if (phase() === 1) return new Promise(() => {})
      return { hits, misses }
    },
    ingestion: async () => {
      if (phase() === 2) throw new Error('ingest store unreachable at postgres://soak:s3cret@db/x')
      return { last_ingest_ts: Date.now(), ingest_latency_ms: 12 }
    },
    websocket: async () => {
      if (phase() === 3) return 'garbage' as never
      return { active_connections: 3, last_broadcast_ts: Date.now(), connection_rate: 0.1 }
    },
    services: [{
      name: 'db',
      critical: true,
      check: async ({ signal }) => {
        if (phase() === 4) await sleep(250)
        signal.throwIfAborted()
      }
    }]
  }
})
app.get('/items/:id', async (request) => {
  const id = Number((request.params as { id: string }).id)
  if (id % 3 === 0) misses++
  else hits++
  return { id }
})
const address = await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`${new URL(address).port}\n`)
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
