// Issue 9: the health shapes whose checks are a list or a map, each becoming one service with its
// reason. Bodies written from each ecosystem's documentation (MicroProfile Health 4.0's wire format,
// ASP.NET Core's HealthReport, the `checks` maps hand-written FastAPI/Flask/Express/Go apps answer).
import t from 'tap'
import { interpretHealth } from '../../../sidecar/health/interpret-health.js'
import { healthReadingToServices } from '../../../sidecar/health/health-reading-to-services.js'

const services = (statusCode: number, body: unknown) => {
  const reading = interpretHealth({ statusCode, contentType: 'application/json', body: JSON.stringify(body) })
  return { reading, services: healthReadingToServices(reading, { targetName: 'app', latencyMs: 1 }) }
}
const view = (s: ReturnType<typeof services>['services']) => s.map((x) => [x.name, x.status, x.error ?? null])

const cases: Array<{ name: string, statusCode: number, body: unknown, format: string, status: string, want: Array<[string, string, string | null]> }> = [
  {
    name: 'a plain map of words (FastAPI)',
    statusCode: 200,
    body: { status: 'ok', checks: { database: 'ok', redis: 'ok' } },
    format: 'plain',
    status: 'ok',
    want: [['app:database', 'ok', null], ['app:redis', 'ok', null]]
  },
  {
    name: 'a plain map of objects, one failing, answered 503',
    statusCode: 503,
    body: { status: 'error', checks: { database: { status: 'unhealthy', error: 'connection refused' }, redis: 'ok' } },
    format: 'plain',
    status: 'down',
    want: [['app:database', 'down', 'connection refused'], ['app:redis', 'ok', null]]
  },
  {
    name: 'a plain map with a degraded check and a word nobody knows',
    statusCode: 200,
    body: { status: 'degraded', checks: { cache: { status: 'warning', message: 'evicting' }, queue: 'weird' } },
    format: 'plain',
    status: 'degraded',
    want: [['app:cache', 'degraded', 'evicting'], ['app:queue', 'down', null]]
  },
  {
    name: 'MicroProfile Health, all up',
    statusCode: 200,
    body: { status: 'UP', checks: [{ name: 'ping', status: 'UP' }, { name: 'database', status: 'UP', data: { pool: 10 } }] },
    format: 'microprofile',
    status: 'ok',
    want: [['app:ping', 'ok', null], ['app:database', 'ok', null]]
  },
  {
    name: 'MicroProfile Health, one down with its data',
    statusCode: 503,
    body: { status: 'DOWN', checks: [{ name: 'database', status: 'DOWN', data: { error: 'timeout after 5 s' } }, { name: 'disk', status: 'UP' }] },
    format: 'microprofile',
    status: 'down',
    want: [['app:database', 'down', 'timeout after 5 s'], ['app:disk', 'ok', null]]
  },
  {
    name: 'ASP.NET Core HealthReport entries',
    statusCode: 503,
    body: {
      status: 'Unhealthy',
      totalDuration: '00:00:00.0123',
      entries: {
        sql: { status: 'Unhealthy', description: 'SQL Server is unreachable', duration: '00:00:00.01', exception: 'A network-related error occurred', data: {}, tags: ['db'] },
        self: { status: 'Healthy', duration: '00:00:00.0001', data: {}, tags: [] },
        blob: { status: 'Degraded', description: 'slow answers', data: {} }
      }
    },
    format: 'aspnet',
    status: 'down',
    want: [['app:sql', 'down', 'A network-related error occurred'], ['app:self', 'ok', null], ['app:blob', 'degraded', 'slow answers']]
  },
  {
    name: 'ASP.NET Core with a `results` map',
    statusCode: 200,
    body: { status: 'Healthy', results: { redis: { status: 'Healthy', description: 'PONG' } } },
    format: 'aspnet',
    status: 'ok',
    want: [['app:redis', 'ok', null]]
  }
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    const { reading, services: s } = services(c.statusCode, c.body)
    t.equal(reading.format, c.format)
    t.equal(reading.status, c.status)
    t.same(view(s).slice(1), c.want, 'one service per check, with its reason when not ok')
  })
}

t.test('a secret-named check keeps its name and status, not its details; secrets in reasons are redacted', async (t) => {
  const { services: s } = services(503, { status: 'error', checks: { dbPassword: { status: 'down', error: 'x' }, db: { status: 'down', error: 'postgres://app:s3cret@db/x refused' } } })
  t.same(view(s).slice(1), [['app:dbPassword', 'down', null], ['app:db', 'down', 'postgres://***@db/x refused']])
})

t.test('a huge list is bounded like every other shape', async (t) => {
  const checks = Array.from({ length: 20_000 }, (_, i) => ({ name: `c${i}`, status: i === 19_999 ? 'DOWN' : 'UP' }))
  const { reading } = services(200, { status: 'UP', checks })
  t.ok(reading.checks.length <= 50, `${reading.checks.length} checks kept`)
  t.match(reading.output, /checks, \d+ kept/, 'and it says so')
})
