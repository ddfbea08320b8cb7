// B2: the plugin's cached report route, or a bare route replying given bytes pre-serialised, or
// that bare route in a child context with @fastify/caching (no-store), as SPEC §5 puts the
// plugin's routes: what the required context costs on its own.
// `node report-server.js plugin` | `node report-server.js bytes <file>` | `… bytes-caching <file>`.
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import caching from '@fastify/caching'
import reliability from '../../plugin/index.js'
import { announce } from '../lib/announce.js'

const app = Fastify({ logger: false })
const variant = process.argv[2]
if (variant === 'plugin') {
  // An hour's TTL: every request in the run is a cache hit. Loopback, so no token is needed.
  await app.register(reliability, { cacheTtlMs: 3_600_000 })
} else if (variant === 'bytes') {
  const bytes = readFileSync(process.argv[3], 'utf8')
  app.get('/api/v2/diagnostics/reliability', async (_request, reply) => reply.type('application/json').send(bytes))
} else if (variant === 'bytes-caching') {
  const bytes = readFileSync(process.argv[3], 'utf8')
  await app.register(async (child) => {
    await child.register(caching, { privacy: 'no-store' as 'no-cache' })
    child.get('/api/v2/diagnostics/reliability', async (_request, reply) => reply.type('application/json').send(bytes))
  })
} else {
  process.stderr.write('report-server: plugin | bytes <file> | bytes-caching <file>\n')
  process.exit(2)
}
await announce(app)
