// B7's target: an app whose /metrics is the ~1 MB prom-client exposition, a little different at
// every scrape (counts move as a live app's do, cheaply: the target shares the machine with the
// sidecar under test), and whose /health passes.
// GET /bench/scrapes says how many scrapes it has served: the sidecar's poll count.
import Fastify from 'fastify'
import { createExpositionFixture, laterScrape, sizes } from '../lib/exposition-fixture.js'
import { announce } from '../lib/announce.js'

const written = await createExpositionFixture(sizes['1 MB'], 7).text()
const bytes = Buffer.byteLength(written)
let scrapes = 0

const app = Fastify({ logger: false })
app.get('/metrics', async (_request, reply) => {
  scrapes++
  return reply.type('text/plain; version=0.0.4; charset=utf-8').send(laterScrape(written, scrapes))
})
app.get('/health', async (_request, reply) => reply.type('application/health+json').send('{"status":"pass"}'))
app.get('/bench/scrapes', async () => ({ scrapes, bytes }))
await announce(app, { bytes })
