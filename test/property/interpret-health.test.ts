// Properties of the health-answer reader (issue 5): any JSON, any shape of the four formats with
// any contents, any status code and content type: it never throws, the status is one of three,
// a non-2xx answer is down, the checks are bounded, no secret-looking detail key survives, no
// string passes its cap, and a secret planted where the redaction policy covers it never shows.
import t from 'tap'
import fc from 'fast-check'
import {
  interpretHealth, MAX_ARRAY_ITEMS, MAX_CHECKS, MAX_DETAIL_KEYS, MAX_STRING_LENGTH,
  type HealthAnswer, type HealthReading
} from '../../sidecar/health/interpret-health.js'

// Run counts are sized for a few seconds per file on a loaded 2-core CI machine; FC_RUNS_SCALE=20
// multiplies them for a longer hunt (a failure prints the seed and path that replay it).
const runs = (n: number): number => Math.max(1, Math.round(n * (Number(process.env.FC_RUNS_SCALE) || 1)))

const MAX_OUTPUT = 2 * MAX_STRING_LENGTH
const MAX_KEY = 100
const SECRET = /password|secret|token/i

/** A secret value; the tests look for it verbatim in everything the reading holds. */
const PW = 'S3cr3t-planted-7f3a91'

/**
 * Where a secret may sit in an upstream's text, among the forms the package's redaction policy
 * names (plugin/redact.ts: credentials in URLs, bearer/basic/token schemes, `password=…`,
 * prefixed keys such as `DB_PASSWORD=…`).
 */
const planted = (pw: string): fc.Arbitrary<string> => fc.constantFrom(
  `postgres://admin:${pw}@db.internal:5432/app`,
  `https://${pw}@hooks.example.com/x`,
  `redis://:${pw}@cache:6379`,
  `connect ECONNREFUSED amqp://guest:${pw}@mq:5672`,
  `password=${pw}`,
  `Password: ${pw}`,
  `{"password":"${pw}"}`,
  `token=${pw}`,
  `secret: ${pw}`,
  `api_key=${pw}`,
  `Authorization: Bearer ${pw}`,
  `authorization=${pw}`,
  `Basic ${pw}`,
  `jdbc:mysql://db/app?user=u&password=${pw}`
)

const statusWord = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('pass', 'warn', 'fail', 'UP', 'DOWN', 'OUT_OF_SERVICE', 'UNKNOWN', 'ok', 'error', 'shutting_down', 'healthy', 'up', 'down', 'Degraded', ' ok ', 'GREEN', 'red', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }
)
const key = fc.oneof(
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('db', 'redis', 'diskSpace', 'password', 'db_password', 'Secret', 'clientSecret', 'apiToken',
      'TOKEN', 'passwd', 'pwd', 'authorization', 'api_key', 'cookie', 'privateKey', 'credentials', '__proto__', 'constructor',
      'toString', 'status', 'details', 'components', 'checks', 'info', 'error', 'output', 'instances', 'x'.repeat(150),
      'database:responseTime', 'uptime')
  }
)
const longString = fc.tuple(fc.constantFrom('a', 'é', '😀', 'postgres://u:p@h ', 'password='), fc.integer({ min: 150, max: 1_200 }))
  .map(([unit, times]) => unit.repeat(times))

/** Strings the reading may show: short, long, and with a planted secret somewhere in them. */
const text = (pw: string): fc.Arbitrary<string> => fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: longString },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), planted(pw), fc.string({ maxLength: 8 })).map(([a, s, b]) => `${a} ${s} ${b}`) }
)
const leaf = (pw: string): fc.Arbitrary<unknown> => fc.oneof(
  text(pw), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)
)
/** The secret as a bare value, under a key that says what it is. */
const secretEntry = (pw: string): fc.Arbitrary<[string, unknown]> => fc.tuple(
  fc.constantFrom('password', 'db_password', 'Secret', 'client_secret', 'apiToken', 'TOKEN', 'access_token', 'refreshToken'),
  fc.constantFrom(pw, [pw], { value: pw })
)
const withSecret = (pw: string, obj: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(obj, fc.option(secretEntry(pw), { nil: undefined }))
    .map(([o, entry]) => entry === undefined ? o : { ...o, [entry[0]]: entry[1] })
/** Past MAX_DETAIL_KEYS (or MAX_ARRAY_ITEMS) cheaply: one value under many keys. */
const wide = (pw: string): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(fc.integer({ min: 15, max: 40 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), planted(pw))).map(([n, v]) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, v])))
/** An object of the loose kind found in details: scalars, arrays of anything, one more level of objects. */
const loose = (pw: string): fc.Arbitrary<Record<string, unknown>> => withSecret(pw, fc.oneof(
  {
    weight: 5,
    arbitrary: fc.dictionary(key, fc.oneof(
      { weight: 4, arbitrary: leaf(pw) },
      { weight: 1, arbitrary: fc.array(fc.oneof(leaf(pw), fc.dictionary(key, leaf(pw), { maxKeys: 2 })), { maxLength: 14 }) },
      { weight: 1, arbitrary: withSecret(pw, fc.dictionary(key, fc.oneof(leaf(pw), fc.array(leaf(pw), { maxLength: 3 })), { maxKeys: 4 })) },
      { weight: 1, arbitrary: wide(pw) }
    ), { maxKeys: 6 })
  },
  { weight: 1, arbitrary: wide(pw) }
))

const withStatus = (pw: string, optional: boolean): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(optional ? fc.option(statusWord, { nil: undefined }) : statusWord, loose(pw))
    .map(([status, rest]) => status === undefined ? rest : { ...rest, status })

/** A check with a status and a detail or two, small enough to be repeated thousands of times. */
const small = fc.record({ status: statusWord, note: fc.string({ maxLength: 8 }) }, { requiredKeys: ['status'] })
/** Many keys cheaply: past MAX_CHECKS, and sometimes past the walk's visit budget. */
const many = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> =>
  fc.tuple(fc.integer({ min: 40, max: 6_000 }), value).map(([n, v]) => {
    const out: Record<string, T> = {}
    for (let i = 0; i < n; i++) out[`c${i}`] = v
    return out
  })

const ietf = (pw: string) => fc.record({
  status: statusWord,
  output: text(pw),
  checks: fc.oneof(
    fc.dictionary(key, fc.oneof(fc.array(withStatus(pw, true), { maxLength: 3 }), withStatus(pw, true), leaf(pw)), { maxKeys: 8 }),
    many(fc.array(small, { minLength: 1, maxLength: 2 }))
  )
}, { requiredKeys: [] })

/** Spring Boot composites, nested `depth` levels at most (2.2+ `components`, 2.0 `details`). */
function springNode (pw: string, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const leafNode = fc.record({ status: statusWord, details: loose(pw) }, { requiredKeys: ['status'] })
  if (depth === 0) return leafNode
  return fc.oneof(
    leafNode,
    fc.record({
      status: statusWord,
      components: fc.dictionary(key, springNode(pw, depth - 1), { maxKeys: 3 }),
      details: fc.dictionary(key, springNode(pw, depth - 1), { maxKeys: 2 })
    }, { requiredKeys: ['status'] })
  )
}
/** A composite nested past the reader's depth limit. */
const deepSpring = fc.tuple(fc.integer({ min: 5, max: 40 }), statusWord).map(([depth, word]) => {
  let node: Record<string, unknown> = { status: word, details: { leaf: true } }
  for (let i = 0; i < depth; i++) node = { status: 'UP', components: { [`level${i}`]: node } }
  return node
})
const spring = (pw: string) => fc.oneof(
  fc.record({ status: statusWord, components: fc.dictionary(key, springNode(pw, 2), { maxKeys: 5 }) }, { requiredKeys: [] }),
  fc.record({ status: statusWord, details: fc.dictionary(key, springNode(pw, 2), { maxKeys: 5 }) }, { requiredKeys: [] }),
  fc.tuple(statusWord, fc.dictionary(key, fc.oneof(springNode(pw, 1), leaf(pw)), { maxKeys: 8 })).map(([status, rest]) => ({ ...rest, status })),
  fc.record({ status: statusWord, components: many(small) }),
  deepSpring.map((node) => ({ status: 'UP', components: { root: node } }))
)

const terminusMap = (pw: string) => fc.oneof(fc.dictionary(key, fc.oneof(withStatus(pw, false), leaf(pw)), { maxKeys: 5 }), many(small))
const terminus = (pw: string) => fc.record({
  status: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('ok', 'error', 'shutting_down') }, { weight: 1, arbitrary: statusWord }), info: terminusMap(pw), error: terminusMap(pw), details: terminusMap(pw)
}, { requiredKeys: ['status'] })

const plain = (pw: string) => withStatus(pw, false)

const bodyValue = (pw: string): fc.Arbitrary<unknown> => fc.oneof(
  fc.jsonValue(),
  ietf(pw), spring(pw), terminus(pw), plain(pw)
)

/** The body as the wire carries it: JSON (sometimes with a BOM or blanks around), cut short, or not JSON. */
const body = (pw: string): fc.Arbitrary<string | undefined> => fc.oneof(
  { weight: 6, arbitrary: fc.tuple(bodyValue(pw), fc.constantFrom('', '\uFEFF', ' \n', '\t')).map(([v, pad]) => pad + (JSON.stringify(v) ?? '') + pad.trim()) },
  { weight: 1, arbitrary: fc.tuple(bodyValue(pw), fc.nat()).map(([v, cut]) => { const s = JSON.stringify(v) ?? ''; return s.slice(0, cut % (s.length + 1)) }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
  { weight: 1, arbitrary: fc.constant(undefined) }
)
const contentType = fc.oneof(
  fc.constantFrom(undefined, '', 'application/json', 'application/health+json', 'application/vnd.spring-boot.actuator.v3+json',
    'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'text/html', 'application/problem+json', ' application/json'),
  fc.string({ maxLength: 30 })
)
const answer = fc.record({
  statusCode: fc.integer({ min: 100, max: 599 }),
  contentType,
  body: body(PW)
})

/** The first broken promise of the reading, in words; undefined when it keeps them all. */
function problem (reading: HealthReading, input: HealthAnswer, pw: string): string | undefined {
  if (!['ok', 'degraded', 'down'].includes(reading.status)) return `status ${reading.status}`
  if (!['ietf', 'spring', 'terminus', 'plain', 'http'].includes(reading.format)) return `format ${reading.format}`
  if ((input.statusCode < 200 || input.statusCode >= 300) && reading.status !== 'down') return `HTTP ${input.statusCode} read as ${reading.status}`
  if (!Array.isArray(reading.checks) || reading.checks.length > MAX_CHECKS) return `${reading.checks.length} checks`
  if (reading.output !== undefined && (typeof reading.output !== 'string' || reading.output.length > MAX_OUTPUT)) return `output of ${reading.output.length}`
  if (JSON.stringify(reading).includes(pw)) return 'the planted secret shows'
  for (const check of reading.checks) {
    if (typeof check.name !== 'string' || check.name.length > MAX_STRING_LENGTH) return `check name of ${check.name.length}`
    if (!['ok', 'degraded', 'down'].includes(check.status)) return `check status ${check.status}`
    if (check.details !== undefined) {
      const wrong = detailsProblem(check.details, false)
      if (wrong !== undefined) return `${check.name}: ${wrong}`
    }
  }
  return undefined
}

function detailsProblem (details: Record<string, unknown>, nested: boolean): string | undefined {
  const keys = Object.keys(details)
  // IETF adds `instances` to the picked node's details.
  if (keys.filter((k) => k !== 'instances').length > MAX_DETAIL_KEYS) return `${keys.length} detail keys`
  for (const k of keys) {
    if (SECRET.test(k)) return `secret key ${k}`
    if (k.length > MAX_KEY) return `key of ${k.length}`
    const v = details[k]
    if (typeof v === 'string') {
      if (v.length > MAX_STRING_LENGTH) return `${k}: string of ${v.length}`
    } else if (Array.isArray(v)) {
      if (nested || v.length > MAX_ARRAY_ITEMS) return `${k}: array of ${v.length}`
      for (const item of v) {
        if (typeof item === 'object' && item !== null) return `${k}: array of objects`
        if (typeof item === 'string' && item.length > MAX_STRING_LENGTH) return `${k}: item of ${item.length}`
      }
    } else if (typeof v === 'object' && v !== null) {
      if (nested) return `${k}: object two levels down`
      const wrong = detailsProblem(v as Record<string, unknown>, true)
      if (wrong !== undefined) return `${k}.${wrong}`
    } else if (typeof v === 'number' && !Number.isFinite(v)) {
      return `${k}: ${v}`
    }
  }
  return undefined
}

t.test('any answer reads as a bounded, scrubbed reading, and never throws', async (t) => {
  const formats = new Map<string, number>()
  await fc.assert(fc.asyncProperty(answer, async (input) => {
    const reading = interpretHealth(input)
    formats.set(reading.format, (formats.get(reading.format) ?? 0) + 1)
    const wrong = problem(reading, input, PW)
    if (wrong !== undefined) throw new Error(wrong)
  }), { numRuns: runs(400) })
  // Every reader must have been reached, or the property says little about it.
  t.same([...formats.keys()].sort(), ['http', 'ietf', 'plain', 'spring', 'terminus'], JSON.stringify(Object.fromEntries(formats)))
})

t.test('a 5xx is down whatever the body says', async (t) => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 500, max: 599 }), bodyValue(PW), contentType, async (statusCode, value, type) => {
    const healthy = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, status: 'UP' } : value
    return interpretHealth({ statusCode, contentType: type, body: JSON.stringify(healthy) }).status === 'down'
  }), { numRuns: runs(120) })
  t.pass('down')
})

t.test('regression: a secret after a prefixed key name is not redacted (found while choosing what the property plants)', async (t) => {
  for (const value of [`DB_PASSWORD=${PW}`, `PGPASSWORD=${PW}`, `client_secret=${PW}`, `access_token=${PW}`]) {
    const reading = interpretHealth({
      statusCode: 200,
      contentType: 'application/json',
      body: JSON.stringify({ status: 'UP', components: { db: { status: 'DOWN', details: { error: value } } } })
    })
    t.notMatch(JSON.stringify(reading), PW, value)
  }
})

t.test('regression: a check named like a secret keeps the details under it (found by the first property)', async (t) => {
  const bodies = [
    { status: 'pass', checks: { password: { value: PW } } },
    { status: 'UP', components: { vaultToken: { status: 'UP', details: { value: PW } } } },
    { status: 'ok', info: { secret: { status: 'up', value: PW } } }
  ]
  for (const body of bodies) {
    const reading = interpretHealth({ statusCode: 200, contentType: 'application/json', body: JSON.stringify(body) })
    t.notMatch(JSON.stringify(reading), PW, Object.keys(body).join(','))
  }
})
