import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { ServiceStatus } from '../../../schemas/report.js'
import { healthReadingToServices } from '../../../sidecar/health/health-reading-to-services.js'
import { interpretHealth, type HealthReading } from '../../../sidecar/health/interpret-health.js'

const json = (statusCode: number, body: unknown, contentType = 'application/json') =>
  interpretHealth({ statusCode, contentType, body: JSON.stringify(body) })

interface Case {
  name: string
  reading: HealthReading
  latencyMs: number | null
  expected: unknown[]
}

const cases: Case[] = [
  {
    name: 'Spring DOWN: the target critical and down, each component its own non-critical service',
    reading: json(503, {
      status: 'DOWN',
      components: {
        db: { status: 'DOWN', details: { error: 'java.net.ConnectException: Connection refused' } },
        diskSpace: { status: 'UP', details: { total: 100, free: 50, threshold: 10, exists: true } },
        redis: { status: 'UP', components: { primary: { status: 'UP', details: { version: '7.2.4' } } } }
      }
    }),
    latencyMs: 12.5,
    expected: [
      {
        name: 'orders-api',
        status: 'down',
        critical: true,
        latency_ms: 12.5,
        details: { format: 'spring', checks: 3, output: 'HTTP 503; reported "DOWN"; not ok: db' },
        error: 'HTTP 503; reported "DOWN"; not ok: db'
      },
      {
        name: 'orders-api:db',
        status: 'down',
        critical: false,
        latency_ms: null,
        details: { error: 'java.net.ConnectException: Connection refused' },
        error: 'java.net.ConnectException: Connection refused'
      },
      { name: 'orders-api:diskSpace', status: 'ok', critical: false, latency_ms: null, details: { total: 100, free: 50, threshold: 10, exists: true } },
      { name: 'orders-api:redis.primary', status: 'ok', critical: false, latency_ms: null, details: { version: '7.2.4' } }
    ]
  },
  {
    name: 'IETF: check names keep the upstream\'s component:measurement keys; the output is the reason',
    reading: json(200, {
      status: 'warn',
      checks: {
        'cassandra:responseTime': [{ status: 'warn', observedValue: 250, observedUnit: 'ms', output: 'over 100 ms target' }],
        uptime: [{ status: 'pass', observedValue: 1209600.245, observedUnit: 's' }]
      }
    }, 'application/health+json'),
    latencyMs: 3,
    expected: [
      {
        name: 'authz',
        status: 'degraded',
        critical: true,
        latency_ms: 3,
        details: { format: 'ietf', checks: 2, output: 'reported "warn"; not ok: cassandra:responseTime' },
        error: 'reported "warn"; not ok: cassandra:responseTime'
      },
      {
        name: 'authz:cassandra:responseTime',
        status: 'degraded',
        critical: false,
        latency_ms: null,
        details: { observedValue: 250, observedUnit: 'ms', output: 'over 100 ms target' },
        error: 'over 100 ms target'
      },
      { name: 'authz:uptime', status: 'ok', critical: false, latency_ms: null, details: { observedValue: 1209600.245, observedUnit: 's' } }
    ]
  },
  {
    name: 'terminus ok: no error anywhere, the check without details has none',
    reading: json(200, { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } }),
    latencyMs: 4,
    expected: [
      { name: 'api', status: 'ok', critical: true, latency_ms: 4, details: { format: 'terminus', checks: 1 } },
      { name: 'api:database', status: 'ok', critical: false, latency_ms: null }
    ]
  },
  {
    name: 'terminus error: the indicator\'s message is its error',
    reading: json(503, {
      status: 'error',
      info: {},
      error: { redis: { status: 'down', message: 'Could not connect' } },
      details: { redis: { status: 'down', message: 'Could not connect' } }
    }),
    latencyMs: 8,
    expected: [
      {
        name: 'api',
        status: 'down',
        critical: true,
        latency_ms: 8,
        details: { format: 'terminus', checks: 1, output: 'HTTP 503; reported "error"; not ok: redis' },
        error: 'HTTP 503; reported "error"; not ok: redis'
      },
      { name: 'api:redis', status: 'down', critical: false, latency_ms: null, details: { message: 'Could not connect' }, error: 'Could not connect' }
    ]
  },
  {
    name: 'bare 503: only the target, with the HTTP status as its error',
    reading: interpretHealth({ statusCode: 503, contentType: 'text/plain', body: 'Service Unavailable' }),
    latencyMs: 1,
    expected: [
      { name: 'app', status: 'down', critical: true, latency_ms: 1, details: { format: 'http', checks: 0, output: 'HTTP 503' }, error: 'HTTP 503' }
    ]
  },
  {
    name: 'ok with a note: the note is in details, never an error on a healthy service',
    reading: interpretHealth({ statusCode: 200, contentType: 'application/json', body: 'not json' }),
    latencyMs: null,
    expected: [
      { name: 'app', status: 'ok', critical: true, latency_ms: null, details: { format: 'http', checks: 0, output: 'body was not valid JSON' } }
    ]
  },
  {
    name: 'a latency that is no number is null, never invented',
    reading: interpretHealth({ statusCode: 204 }),
    latencyMs: Number.NaN,
    expected: [{ name: 'app', status: 'ok', critical: true, latency_ms: null, details: { format: 'http', checks: 0 } }]
  },
  {
    name: 'a down check without any reason gets no error',
    reading: json(200, { status: 'UP', components: { queue: { status: 'DOWN' }, mq: { status: 'DOWN', details: { broker: 'rabbit', error: '' } } } }),
    latencyMs: 2,
    expected: [
      { name: 'app', status: 'ok', critical: true, latency_ms: 2, details: { format: 'spring', checks: 2 } },
      { name: 'app:queue', status: 'down', critical: false, latency_ms: null },
      { name: 'app:mq', status: 'down', critical: false, latency_ms: null, details: { broker: 'rabbit', error: '' } }
    ]
  }
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    const targetName = (c.expected[0] as { name: string }).name
    const services = healthReadingToServices(c.reading, { targetName, latencyMs: c.latencyMs })
    t.strictSame(services, c.expected)
    for (const s of services) t.ok(Value.Check(ServiceStatus, s), `${s.name} matches the report's ServiceStatus schema`)
  })
}

t.test('exactly one critical service, and it is the target', async (t) => {
  const reading = json(503, { status: 'DOWN', components: { a: { status: 'DOWN' }, b: { status: 'UP' } } })
  const services = healthReadingToServices(reading, { targetName: 'app', latencyMs: 1 })
  t.strictSame(services.filter(s => s.critical).map(s => s.name), ['app'])
  t.equal(services.length, 1 + reading.checks.length)
})

t.test('details are copies: changing a service does not change the reading', async (t) => {
  const reading = json(200, { status: 'UP', components: { db: { status: 'UP', details: { database: 'H2' } } } })
  const services = healthReadingToServices(reading, { targetName: 'app', latencyMs: 1 })
  services[1].details!.database = 'changed'
  t.strictSame(reading.checks[0].details, { database: 'H2' })
})
