import t from 'tap'
import {
  interpretHealth, safeDetails, safeString,
  MAX_ARRAY_ITEMS, MAX_CHECKS, MAX_DETAIL_KEYS, MAX_STRING_LENGTH,
  type HealthAnswer, type HealthReading
} from '../../../sidecar/health/interpret-health.js'

const JSON_TYPE = 'application/json'
const HEALTH_JSON = 'application/health+json'
const json = (statusCode: number, body: unknown, contentType = JSON_TYPE): HealthAnswer =>
  ({ statusCode, contentType, body: JSON.stringify(body) })
const clone = <T>(v: T): T => structuredClone(v)

// The example answer of draft-inadarei-api-health-check-06, section 8.
const IETF_EXAMPLE = {
  status: 'pass',
  version: '1',
  releaseId: '1.2.2',
  notes: [''],
  output: '',
  serviceId: 'f03e522f-1f44-4062-9b55-9587f91c9c41',
  description: 'health of authz service',
  checks: {
    'cassandra:responseTime': [{
      componentId: 'dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2',
      componentType: 'datastore',
      observedValue: 250,
      observedUnit: 'ms',
      status: 'pass',
      affectedEndpoints: ['/users/{userId}', '/customers/{customerId}/status', '/shopping/{anything}'],
      time: '2018-01-17T03:36:48Z',
      output: ''
    }],
    'cassandra:connections': [{
      componentId: 'dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2',
      componentType: 'datastore',
      observedValue: 75,
      status: 'warn',
      time: '2018-01-17T03:36:48Z',
      output: '',
      links: { self: 'http://api.example.com/dbnode/dfd6cf2b/health' }
    }],
    uptime: [{
      componentType: 'system',
      observedValue: 1209600.245,
      observedUnit: 's',
      status: 'pass',
      time: '2018-01-17T03:36:48Z'
    }],
    'cpu:utilization': [{
      componentId: '6fd416e0-8920-410f-9c7b-c479000f7227',
      node: 1,
      componentType: 'system',
      observedValue: 85,
      observedUnit: 'percent',
      status: 'warn',
      time: '2018-01-17T03:36:48Z',
      output: ''
    }, {
      componentId: '6fd416e0-8920-410f-9c7b-c479000f7227',
      node: 2,
      componentType: 'system',
      observedValue: 85,
      observedUnit: 'percent',
      status: 'warn',
      time: '2018-01-17T03:36:48Z',
      output: ''
    }],
    'memory:utilization': [{
      componentId: '6fd416e0-8920-410f-9c7b-c479000f7227',
      node: 1,
      componentType: 'system',
      observedValue: 8.5,
      observedUnit: 'GiB',
      status: 'warn',
      time: '2018-01-17T03:36:48Z',
      output: ''
    }, {
      componentId: '6fd416e0-8920-410f-9c7b-c479000f7227',
      node: 2,
      componentType: 'system',
      observedValue: 5500,
      observedUnit: 'MiB',
      status: 'pass',
      time: '2018-01-17T03:36:48Z',
      output: ''
    }]
  },
  links: {
    about: 'http://api.example.com/about/authz',
    'http://api.x.io/rel/dependencies': 'http://api.example.com/dependencies/authz'
  }
}

// The same service failing: its datastore unreachable, answered with 503 as the draft asks.
const IETF_FAIL = clone(IETF_EXAMPLE)
IETF_FAIL.status = 'fail'
IETF_FAIL.output = 'cassandra unreachable'
IETF_FAIL.checks['cassandra:responseTime'][0].status = 'fail'
IETF_FAIL.checks['cassandra:responseTime'][0].output = 'connect ECONNREFUSED 10.0.0.5:9042'

// GET /actuator/health with show-details=always, from the Spring Boot actuator API documentation.
const SPRING_UP = {
  status: 'UP',
  components: {
    broker: {
      status: 'UP',
      components: {
        us1: { status: 'UP', details: { version: '1.0.2' } },
        us2: { status: 'UP', details: { version: '1.0.4' } }
      }
    },
    db: { status: 'UP', details: { database: 'H2', validationQuery: 'isValid()' } },
    diskSpace: {
      status: 'UP',
      details: { total: 76887154688, free: 46753374208, threshold: 10485760, path: '/home/runner/work/app/.', exists: true }
    }
  }
}

// A Spring Boot 3 app whose PostgreSQL is gone (Spring answers DOWN with 503).
const SPRING_DOWN = {
  status: 'DOWN',
  components: {
    db: {
      status: 'DOWN',
      details: {
        error: 'org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection'
      }
    },
    diskSpace: {
      status: 'UP',
      details: { total: 499963174912, free: 91300069376, threshold: 10485760, path: '/app/.', exists: true }
    },
    ping: { status: 'UP' },
    redis: {
      status: 'UP',
      components: { primary: { status: 'UP', details: { version: '7.2.4' } } }
    }
  }
}

// @nestjs/terminus, from the NestJS "Health checks" documentation (HttpHealthIndicator on docs.nestjs.com).
const TERMINUS_OK = {
  status: 'ok',
  info: { 'nestjs-docs': { status: 'up' } },
  error: {},
  details: { 'nestjs-docs': { status: 'up' } }
}
const TERMINUS_ERROR = {
  status: 'error',
  info: { database: { status: 'up' } },
  error: { 'nestjs-docs': { status: 'down', message: 'getaddrinfo ENOTFOUND docs.nestjs.com' } },
  details: {
    database: { status: 'up' },
    'nestjs-docs': { status: 'down', message: 'getaddrinfo ENOTFOUND docs.nestjs.com' }
  }
}

interface Case {
  name: string
  input: HealthAnswer
  status: HealthReading['status']
  format: HealthReading['format']
  /** name → status of every check, in order. */
  checks?: Array<[string, HealthReading['status']]>
  /** Every pattern must be in `output`; `null` means no output at all. */
  output?: RegExp[] | null
}

const cases: Case[] = [
  // IETF health+json
  {
    name: 'IETF draft example: pass, one check per key, worst node per key',
    input: json(200, IETF_EXAMPLE, HEALTH_JSON),
    status: 'ok',
    format: 'ietf',
    checks: [['cassandra:responseTime', 'ok'], ['cassandra:connections', 'degraded'], ['uptime', 'ok'],
      ['cpu:utilization', 'degraded'], ['memory:utilization', 'degraded']],
    output: null
  },
  {
    name: 'IETF fail with 503: down, output of the upstream kept',
    input: json(503, IETF_FAIL, HEALTH_JSON),
    status: 'down',
    format: 'ietf',
    checks: [['cassandra:responseTime', 'down'], ['cassandra:connections', 'degraded'], ['uptime', 'ok'],
      ['cpu:utilization', 'degraded'], ['memory:utilization', 'degraded']],
    output: [/^HTTP 503/, /reported "fail"/, /cassandra unreachable/, /not ok: cassandra:responseTime/]
  },
  {
    name: 'IETF warn: degraded',
    input: json(200, { status: 'warn', checks: { 'disk:utilization': [{ status: 'warn', observedValue: 91, observedUnit: 'percent' }] } }, HEALTH_JSON),
    status: 'degraded',
    format: 'ietf',
    checks: [['disk:utilization', 'degraded']],
    output: [/reported "warn"/, /not ok: disk:utilization/]
  },
  {
    name: 'IETF recognised by its checks shape under a plain JSON content type',
    input: json(200, { status: 'pass', checks: { 'api:responseTime': [{ status: 'pass', observedValue: 3 }] } }),
    status: 'ok',
    format: 'ietf',
    checks: [['api:responseTime', 'ok']]
  },
  {
    name: 'IETF recognised by its status words alone under a plain JSON content type',
    input: json(503, { status: 'fail', output: 'database unreachable' }),
    status: 'down',
    format: 'ietf',
    checks: [],
    output: [/^HTTP 503; reported "fail"; database unreachable$/]
  },
  {
    name: 'IETF aliases (up/error) under application/health+json',
    input: json(200, { status: 'error', checks: { 'db:connections': [{ status: 'up' }] } }, HEALTH_JSON),
    status: 'down',
    format: 'ietf',
    checks: [['db:connections', 'ok']]
  },
  {
    name: 'IETF tolerates a lone check object, skips non-objects, and a non-string status is down',
    input: json(200, {
      status: 'pass',
      checks: { single: { status: 'pass' }, text: 'pass', empty: [], weird: [{ status: 1 }], mixed: ['x', { status: 'warn' }] }
    }, HEALTH_JSON),
    status: 'ok',
    format: 'ietf',
    checks: [['single', 'ok'], ['weird', 'down'], ['mixed', 'degraded']]
  },
  {
    name: 'IETF by content type alone, with a status word of another format',
    input: json(200, { status: 'ok' }, 'Application/Health+JSON; charset=utf-8'),
    status: 'ok',
    format: 'ietf',
    checks: [],
    output: null
  },
  {
    name: 'IETF check without status reads as no failure (status is optional in check objects)',
    input: json(200, { status: 'pass', checks: { uptime: [{ componentType: 'system', observedValue: 12, observedUnit: 's' }] } }, HEALTH_JSON),
    status: 'ok',
    format: 'ietf',
    checks: [['uptime', 'ok']]
  },
  {
    name: 'IETF content type with no status at all: the HTTP status decides',
    input: json(200, { description: 'authz', checks: { uptime: [{ status: 'pass' }] } }, HEALTH_JSON),
    status: 'ok',
    format: 'ietf',
    checks: [['uptime', 'ok']],
    output: [/no status in body/]
  },
  // Spring Boot Actuator
  {
    name: 'Spring UP (actuator docs): nested components flattened with dotted names',
    input: json(200, SPRING_UP, 'application/vnd.spring-boot.actuator.v3+json'),
    status: 'ok',
    format: 'spring',
    checks: [['broker.us1', 'ok'], ['broker.us2', 'ok'], ['db', 'ok'], ['diskSpace', 'ok']],
    output: null
  },
  {
    name: 'Spring DOWN with 503',
    input: json(503, SPRING_DOWN),
    status: 'down',
    format: 'spring',
    checks: [['db', 'down'], ['diskSpace', 'ok'], ['ping', 'ok'], ['redis.primary', 'ok']],
    output: [/^HTTP 503; reported "DOWN"; not ok: db$/]
  },
  {
    name: 'Spring OUT_OF_SERVICE is down',
    input: json(503, { status: 'OUT_OF_SERVICE', components: { readinessState: { status: 'OUT_OF_SERVICE' } } }),
    status: 'down',
    format: 'spring',
    checks: [['readinessState', 'down']]
  },
  {
    name: 'Spring UNKNOWN is degraded',
    input: json(200, { status: 'UNKNOWN', components: { custom: { status: 'UNKNOWN' }, db: { status: 'UP' } } }),
    status: 'degraded',
    format: 'spring',
    checks: [['custom', 'degraded'], ['db', 'ok']]
  },
  {
    name: 'Spring Boot 2.0/2.1: components under `details`',
    input: json(200, {
      status: 'UP',
      details: {
        diskSpace: { status: 'UP', details: { total: 250685575168, free: 116606525440, threshold: 10485760 } },
        db: { status: 'UP', details: { database: 'PostgreSQL', hello: 1 } }
      }
    }),
    status: 'ok',
    format: 'spring',
    checks: [['diskSpace', 'ok'], ['db', 'ok']]
  },
  {
    name: 'Spring Boot 2.0: a composite\'s contributors under its `details`',
    input: json(200, {
      status: 'UP',
      details: {
        db: {
          status: 'UP',
          details: {
            primary: { status: 'UP', details: { database: 'PostgreSQL' } },
            replica: { status: 'DOWN', details: { error: 'timeout' } }
          }
        },
        mail: { status: 'UP', details: { location: 'smtp.example.com:25' } }
      }
    }),
    status: 'ok',
    format: 'spring',
    checks: [['db.primary', 'ok'], ['db.replica', 'down'], ['mail', 'ok']]
  },
  {
    name: 'Spring: many failing components are listed up to five in the output',
    input: json(503, {
      status: 'DOWN',
      components: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(k => [k, { status: 'DOWN' }]))
    }),
    status: 'down',
    format: 'spring',
    output: [/; not ok: a, b, c, d, e, …$/]
  },
  {
    name: 'Spring Boot 1.x: indicators at the top level',
    input: json(200, { status: 'UP', diskSpace: { status: 'UP', total: 290391584768, free: 209125543936, threshold: 10485760 } }),
    status: 'ok',
    format: 'spring',
    checks: [['diskSpace', 'ok']]
  },
  {
    name: 'Spring with details hidden (show-details=never)',
    input: json(200, { status: 'UP' }),
    status: 'ok',
    format: 'spring',
    checks: [],
    output: null
  },
  {
    name: 'Spring custom status word: not one we know, so not healthy',
    input: json(200, { status: 'FATAL', components: { db: { status: 'FATAL' } } }),
    status: 'down',
    format: 'spring',
    checks: [['db', 'down']],
    output: [/unrecognised status "FATAL"/]
  },
  // terminus / NestJS
  {
    name: 'terminus ok (NestJS docs)',
    input: json(200, TERMINUS_OK),
    status: 'ok',
    format: 'terminus',
    checks: [['nestjs-docs', 'ok']],
    output: null
  },
  {
    name: 'terminus error with 503 (NestJS docs)',
    input: json(503, TERMINUS_ERROR),
    status: 'down',
    format: 'terminus',
    checks: [['database', 'ok'], ['nestjs-docs', 'down']],
    output: [/^HTTP 503; reported "error"; not ok: nestjs-docs$/]
  },
  {
    name: 'terminus without details: error and info merged, a key in both is down',
    input: json(503, {
      status: 'error',
      info: { database: { status: 'up' }, redis: { status: 'up' }, junk: 'x' },
      error: { redis: { status: 'down', message: 'Could not connect' }, nostatus: {} }
    }),
    status: 'down',
    format: 'terminus',
    checks: [['redis', 'down'], ['database', 'ok']]
  },
  {
    name: 'terminus shutting_down is down',
    input: json(503, { status: 'shutting_down', info: {}, error: {}, details: {} }),
    status: 'down',
    format: 'terminus',
    checks: [],
    output: [/^HTTP 503; reported "shutting_down"$/]
  },
  // plain { status }
  ...([
    ['ok', 'ok'], ['OK', 'ok'], ['healthy', 'ok'], ['Up', 'ok'], ['PASS', 'ok'], ['green', 'ok'],
    ['Warning', 'degraded'], ['degraded', 'degraded'], ['YELLOW', 'degraded'],
    ['down', 'down'], ['FAIL', 'down'], ['unhealthy', 'down'], ['red', 'down']
  ] as const).map(([word, status]): Case => ({
    name: `plain "${word}"`,
    input: json(200, { status: word, uptime: 1234 }),
    status,
    format: 'plain',
    checks: [],
    output: status === 'ok' ? null : [new RegExp(`^reported "${word}"$`)]
  })),
  {
    name: 'plain with an unknown status word: down, said in output',
    input: json(200, { status: 'banana' }),
    status: 'down',
    format: 'plain',
    checks: [],
    output: [/^unrecognised status "banana"$/]
  },
  {
    name: 'plain body sniffed without a JSON content type',
    input: { statusCode: 200, contentType: 'text/plain', body: '{"status":"unhealthy"}' },
    status: 'down',
    format: 'plain',
    checks: []
  },
  // HTTP status beats a healthy body
  {
    name: '5xx with a Spring UP body: down, checks still read',
    input: json(503, SPRING_UP),
    status: 'down',
    format: 'spring',
    checks: [['broker.us1', 'ok'], ['broker.us2', 'ok'], ['db', 'ok'], ['diskSpace', 'ok']],
    output: [/^HTTP 503$/]
  },
  {
    name: '500 with a plain ok body: down',
    input: json(500, { status: 'ok' }),
    status: 'down',
    format: 'plain',
    output: [/^HTTP 500$/]
  },
  {
    name: '2xx with a Spring DOWN body: down',
    input: json(200, SPRING_DOWN),
    status: 'down',
    format: 'spring',
    checks: [['db', 'down'], ['diskSpace', 'ok'], ['ping', 'ok'], ['redis.primary', 'ok']],
    output: [/^reported "DOWN"; not ok: db$/]
  },
  {
    name: '2xx with a terminus error body: down',
    input: json(200, TERMINUS_ERROR),
    status: 'down',
    format: 'terminus',
    checks: [['database', 'ok'], ['nestjs-docs', 'down']]
  },
  // bare HTTP
  { name: 'bare 200 text', input: { statusCode: 200, contentType: 'text/plain', body: 'OK' }, status: 'ok', format: 'http', checks: [], output: null },
  { name: 'bare 204 no body', input: { statusCode: 204 }, status: 'ok', format: 'http', checks: [], output: null },
  { name: 'bare 301 redirect', input: { statusCode: 301, body: '' }, status: 'down', format: 'http', checks: [], output: [/^HTTP 301$/] },
  { name: 'bare 404 html', input: { statusCode: 404, contentType: 'text/html', body: '<h1>Not Found</h1>' }, status: 'down', format: 'http', checks: [], output: [/^HTTP 404$/] },
  { name: 'bare 500', input: { statusCode: 500, contentType: 'text/plain', body: 'Internal Server Error' }, status: 'down', format: 'http', checks: [], output: [/^HTTP 500$/] },
  { name: 'bare 503 empty JSON body', input: { statusCode: 503, contentType: JSON_TYPE, body: '' }, status: 'down', format: 'http', checks: [], output: [/^HTTP 503$/] },
  // invalid and unrecognised JSON
  {
    name: 'invalid JSON under a JSON content type, 200',
    input: { statusCode: 200, contentType: 'application/json; charset=utf-8', body: '{"status": "UP",' },
    status: 'ok',
    format: 'http',
    checks: [],
    output: [/^body was not valid JSON$/]
  },
  {
    name: 'invalid JSON under application/health+json, 503',
    input: { statusCode: 503, contentType: HEALTH_JSON, body: 'Service Unavailable' },
    status: 'down',
    format: 'http',
    checks: [],
    output: [/^HTTP 503; body was not valid JSON$/]
  },
  {
    name: 'broken JSON-looking text under text/plain is just text',
    input: { statusCode: 200, contentType: 'text/plain', body: '{not json' },
    status: 'ok',
    format: 'http',
    checks: [],
    output: null
  },
  ...['[]', '[{"status":"DOWN"}]', '42', 'null', '"ok"', 'true', '{}', '{"status":200}', '{"healthy":false}'].map((body): Case => ({
    name: `JSON that is no health object: ${body}`,
    input: { statusCode: 200, contentType: JSON_TYPE, body },
    status: 'ok',
    format: 'http',
    checks: [],
    output: [/^body is not a recognised health format$/]
  })),
  {
    name: 'non-object JSON with 503 is down',
    input: { statusCode: 503, contentType: JSON_TYPE, body: '[]' },
    status: 'down',
    format: 'http',
    checks: [],
    output: [/^HTTP 503; body is not a recognised health format$/]
  },
  {
    name: 'a byte-order mark does not hide the body',
    input: { statusCode: 200, contentType: JSON_TYPE, body: '\uFEFF{"status":"DOWN"}' },
    status: 'down',
    format: 'spring',
    checks: []
  }
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    const reading = interpretHealth(c.input)
    t.equal(reading.status, c.status, 'status')
    t.equal(reading.format, c.format, 'format')
    if (c.checks !== undefined) t.strictSame(reading.checks.map(ch => [ch.name, ch.status]), c.checks, 'checks')
    if (c.output === null) t.equal(reading.output, undefined, 'no output')
    else if (c.output !== undefined) {
      t.type(reading.output, 'string', 'output')
      for (const re of c.output) t.match(reading.output, re)
    }
  })
}

t.test('IETF details: the worst node\'s safe fields, with the number of nodes', async (t) => {
  const { checks } = interpretHealth(json(200, IETF_EXAMPLE, HEALTH_JSON))
  t.strictSame(checks[0].details, {
    componentId: 'dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2',
    componentType: 'datastore',
    observedValue: 250,
    observedUnit: 'ms',
    affectedEndpoints: ['/users/{userId}', '/customers/{customerId}/status', '/shopping/{anything}'],
    time: '2018-01-17T03:36:48Z',
    output: ''
  })
  t.strictSame(checks[1].details?.links, { self: 'http://api.example.com/dbnode/dfd6cf2b/health' })
  // memory:utilization: node 1 warns, node 2 passes: node 1 speaks for the key.
  t.equal(checks[4].details?.node, 1)
  t.equal(checks[4].details?.observedUnit, 'GiB')
  t.equal(checks[4].details?.instances, 2)
  t.equal(checks[0].details?.instances, undefined)
})

t.test('IETF: a later node that is worse speaks for its key', async (t) => {
  const { checks } = interpretHealth(json(200, {
    status: 'warn',
    checks: { 'db:connections': [{ node: 1, status: 'pass' }, { node: 2, status: 'fail', output: 'refused' }, { node: 3, status: 'warn' }] }
  }, HEALTH_JSON))
  t.strictSame(checks, [{ name: 'db:connections', status: 'down', details: { node: 2, output: 'refused', instances: 3 } }])
})

t.test('Spring details carried over; a component without details has none', async (t) => {
  const { checks } = interpretHealth(json(503, SPRING_DOWN))
  t.strictSame(checks[0], {
    name: 'db',
    status: 'down',
    details: { error: 'org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection' }
  })
  t.strictSame(checks[1].details, { total: 499963174912, free: 91300069376, threshold: 10485760, path: '/app/.', exists: true })
  t.strictSame(checks[2], { name: 'ping', status: 'ok' })
  t.strictSame(checks[3], { name: 'redis.primary', status: 'ok', details: { version: '7.2.4' } })
})

t.test('Spring 1.x: the indicator\'s own fields are its details', async (t) => {
  const { checks } = interpretHealth(json(200, { status: 'UP', diskSpace: { status: 'UP', total: 10, free: 5, threshold: 1 } }))
  t.strictSame(checks, [{ name: 'diskSpace', status: 'ok', details: { total: 10, free: 5, threshold: 1 } }])
})

t.test('terminus details keep the indicator\'s message, not its status', async (t) => {
  const { checks } = interpretHealth(json(503, TERMINUS_ERROR))
  t.strictSame(checks, [
    { name: 'database', status: 'ok' },
    { name: 'nestjs-docs', status: 'down', details: { message: 'getaddrinfo ENOTFOUND docs.nestjs.com' } }
  ])
})

t.test('huge answers are capped', async (t) => {
  t.test('IETF with 2000 checks keeps MAX_CHECKS, the failing ones first, in upstream order', async (t) => {
    const checks: Record<string, unknown> = {}
    for (let i = 0; i < 2000; i++) checks[`node${i}:uptime`] = [{ status: i === 1500 || i === 1999 ? 'fail' : 'pass' }]
    const reading = interpretHealth(json(200, { status: 'fail', checks }, HEALTH_JSON))
    t.equal(reading.checks.length, MAX_CHECKS)
    t.strictSame(reading.checks.slice(0, 2).map(c => c.name), ['node0:uptime', 'node1:uptime'])
    t.strictSame(reading.checks.slice(-2), [{ name: 'node1500:uptime', status: 'down' }, { name: 'node1999:uptime', status: 'down' }])
    t.match(reading.output, /; 2000 checks, 50 kept; /)
  })

  const many = (n: number, make: (i: number) => unknown) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, make(i)]))
  const endless: Array<[string, unknown]> = [
    ['ietf', { status: 'pass', checks: many(20_000, () => [{ status: 'pass' }]) }],
    ['spring', { status: 'UP', components: many(20_000, () => ({ status: 'UP' })) }],
    ['terminus', { status: 'ok', details: many(20_000, () => ({ status: 'up' })) }]
  ]
  for (const [format, body] of endless) {
    t.test(`${format}: past the visit bound the walk stops and says there was more`, async (t) => {
      const reading = interpretHealth(json(200, body))
      t.equal(reading.format, format)
      t.equal(reading.checks.length, MAX_CHECKS)
      t.match(reading.output, /^\d+\+ checks, 50 kept$/)
    })
  }

  t.test('Spring with 300 components keeps MAX_CHECKS and says so', async (t) => {
    const components: Record<string, unknown> = {}
    for (let i = 0; i < 300; i++) components[`c${i}`] = { status: 'UP' }
    const reading = interpretHealth(json(200, { status: 'UP', components }))
    t.equal(reading.status, 'ok')
    t.equal(reading.checks.length, MAX_CHECKS)
    t.equal(reading.checks[MAX_CHECKS - 1].name, `c${MAX_CHECKS - 1}`)
    t.equal(reading.output, '300 checks, 50 kept')
  })

  t.test('deeply nested Spring composites end at a bounded depth', async (t) => {
    // Built as text: the object is too deep for JSON.stringify, not for JSON.parse.
    const depth = 10_000
    const body = '{"status":"UP","components":{"root":' + '{"status":"UP","components":{"n":'.repeat(depth) +
      '{"status":"DOWN"}' + '}}'.repeat(depth) + '}}'
    const reading = interpretHealth({ statusCode: 200, contentType: JSON_TYPE, body })
    t.equal(reading.checks.length, 1)
    t.equal(reading.checks[0].name, 'root' + '.n'.repeat(8), 'eight levels below the top, then a leaf')
  })

  t.test('strings, keys, arrays and nesting in details are capped', async (t) => {
    const many: Record<string, number> = {}
    for (let i = 0; i < 100; i++) many[`k${i}`] = i
    const reading = interpretHealth(json(200, {
      status: 'UP',
      components: {
        big: { status: 'UP', details: { text: 'x'.repeat(100_000), list: Array.from({ length: 100 }, (_, i) => i), deep: { a: { b: 1 }, c: 2 } } },
        wide: { status: 'UP', details: many },
        ['n'.repeat(5000)]: { status: 'UP' }
      }
    }))
    const [big, wide, long] = reading.checks
    t.equal((big.details?.text as string).length, MAX_STRING_LENGTH)
    t.match(big.details?.text, /^x+…$/)
    t.strictSame(big.details?.list, Array.from({ length: MAX_ARRAY_ITEMS }, (_, i) => i))
    t.strictSame(big.details?.deep, { c: 2 }, 'objects are kept one level deep')
    t.equal(Object.keys(wide.details ?? {}).length, MAX_DETAIL_KEYS)
    t.equal(long.name.length, MAX_STRING_LENGTH)
  })

  t.test('a long upstream output is capped', async (t) => {
    const reading = interpretHealth(json(503, { status: 'fail', output: 'e'.repeat(50_000) }, HEALTH_JSON))
    t.ok((reading.output ?? '').length <= 2 * MAX_STRING_LENGTH)
    t.match(reading.output, /^HTTP 503; reported "fail"; e+…$/)
  })
})

t.test('secrets never reach the reading', async (t) => {
  const reading = interpretHealth(json(503, {
    status: 'DOWN',
    components: {
      db: {
        status: 'DOWN',
        details: {
          url: 'postgres://app:hunter2@db.internal:5432/orders',
          jdbc: 'jdbc:postgresql://db:5432/orders?user=app&password=hunter2&ssl=true',
          password: 'hunter2',
          dbPassword: 'hunter2',
          clientSecret: 'hunter2',
          apiKey: 'hunter2',
          api_key: 'hunter2',
          'X-Api-Key': 'hunter2',
          Authorization: 'Bearer hunter2',
          accessToken: 'hunter2',
          Cookie: 'sid=hunter2',
          credentials: { user: 'app', pass: 'hunter2' },
          connection: { host: 'db.internal', password: 'hunter2', dsn: 'redis://:hunter2@cache:6379/0' },
          error: 'FATAL: auth failed for mongodb+srv://app:hunter2@cluster0.example.net/orders, header Bearer hunter2',
          database: 'PostgreSQL'
        }
      }
    }
  }))
  const text = JSON.stringify(reading)
  t.notMatch(text, /hunter2/, 'no secret anywhere in the reading')
  t.strictSame(reading.checks[0].details, {
    url: 'postgres://***@db.internal:5432/orders',
    jdbc: 'jdbc:postgresql://db:5432/orders?user=app&password=***&ssl=true',
    connection: { host: 'db.internal' },
    error: 'FATAL: auth failed for mongodb+srv://***@cluster0.example.net/orders, header Bearer ***',
    database: 'PostgreSQL'
  })
})

t.test('IETF upstream output is scrubbed too', async (t) => {
  const reading = interpretHealth(json(503, { status: 'fail', output: 'cannot reach amqp://guest:guest@mq:5672/' }, HEALTH_JSON))
  t.equal(reading.output, 'HTTP 503; reported "fail"; cannot reach amqp://***@mq:5672/')
})

t.test('a __proto__ key in a hostile body is dropped, not assigned', async (t) => {
  const reading = interpretHealth({
    statusCode: 200,
    contentType: JSON_TYPE,
    body: '{"status":"UP","components":{"db":{"status":"UP","details":{"__proto__":{"polluted":true},"ok":1}}}}'
  })
  const details = reading.checks[0].details ?? {}
  t.strictSame(details, { ok: 1 })
  t.equal(Object.getPrototypeOf(details), Object.prototype)
  t.equal((details as { polluted?: boolean }).polluted, undefined)
  t.equal(({} as { polluted?: boolean }).polluted, undefined)
})

t.test('safeString redacts credentials, then caps', async (t) => {
  const table: Array<[string, string]> = [
    ['https://user:pa55@example.com/x', 'https://***@example.com/x'],
    ['https://ghp_abc123@github.com/org/repo.git', 'https://***@github.com/org/repo.git'],
    ['mail me at ops@example.com', 'mail me at ops@example.com'],
    ['https://example.com/health?token=abc&verbose=1', 'https://example.com/health?token=***&verbose=1'],
    ['https://example.com/a?page=2&sort=asc', 'https://example.com/a?page=2&sort=asc'],
    ['Authorization: Bearer eyJhbGciOi.J9.x-y_z', 'Authorization: *** ***'],
    ['upstream said: Bearer eyJhbGciOi.J9.x-y_z', 'upstream said: Bearer ***'],
    ['plain text', 'plain text'],
    ['y'.repeat(300) + ' postgres://u:hunter2@db/x', 'y'.repeat(MAX_STRING_LENGTH - 1) + '…']
  ]
  for (const [input, expected] of table) t.equal(safeString(input), expected, input.slice(0, 60))
  t.equal(safeString('x'.repeat(20) + 'postgres://u:hunter2@db/x', 30), 'x'.repeat(20) + 'postgres:…', 'cut after redaction')
})

t.test('safeString stays fast on hostile strings', async (t) => {
  // Strings that make URL-shaped regexes backtrack: every position a word boundary before a scheme-ish run.
  const hostile = ['a.'.repeat(500_000), 'a+'.repeat(500_000), ('a'.repeat(30) + ' ').repeat(30_000) + ':/', 'Bearer '.repeat(100_000)]
  const started = performance.now()
  for (const s of hostile) t.equal(safeString(s).length, MAX_STRING_LENGTH)
  t.ok(performance.now() - started < 1000, 'well under a poll interval')
})

t.test('safeDetails returns undefined when nothing is left', async (t) => {
  t.equal(safeDetails({ password: 'x', nested: { deeper: { a: 1 } }, list: [{ a: 1 }] }), undefined)
  t.strictSame(safeDetails({ status: 'UP', n: 1 }, ['status']), { n: 1 })
})
