// Property (issue 5): whatever query string reaches the report route, the answer is 200 or 400,
// never 500. The oracle reads the query the way Fastify does: light-my-request (like any WHATWG
// client) serialises the URL first, then find-my-way splits at the first `?` and fast-querystring
// parses it (`&` pairs, first `=`, `+` as space, percent-decoding that keeps the raw text when the
// escape is malformed, a repeated key as an array). Ajv then accepts exactly `'true'` or `'false'`.
import t from 'tap'
import fc from 'fast-check'
import { buildApp } from '../helpers/build-app.js'

// Run counts are sized for a few seconds per file on a loaded 2-core CI machine; FC_RUNS_SCALE=20
// multiplies them for a longer hunt (a failure prints the seed and path that replay it).
const runs = (n: number): number => Math.max(1, Math.round(n * (Number(process.env.FC_RUNS_SCALE) || 1)))

const path = '/api/v2/diagnostics/reliability'

/** fast-querystring's reading, written out plainly: every value of every key, in order. */
function parseQuery (query: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const decode = (s: string): string => {
    const spaced = s.replaceAll('+', ' ')
    try {
      return decodeURIComponent(spaced) || spaced
    } catch {
      return spaced
    }
  }
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const key = decode(eq === -1 ? pair : pair.slice(0, eq))
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1))
    out.set(key, [...(out.get(key) ?? []), value])
  }
  return out
}

/** The query the server receives for `?<raw>`: what the URL parser keeps of it (no fragment, escapes added). */
const sentQuery = (raw: string): string => new URL(`${path}?${raw}`, 'http://localhost').search.slice(1)

const flagName = fc.constantFrom(
  'include_traces', 'include_traces', 'include_traces',
  '%69nclude_traces', 'include%5Ftraces', 'include%5ftraces', 'INCLUDE_TRACES', 'include_traces ',
  'include+traces', 'include_traces%00', 'include_traces%', 'include-traces', 'include_trace'
)
const flagValue = fc.constantFrom(
  'true', 'false', 'true', 'false', '', 'TRUE', 'False', '1', '0', 'yes', 'maybe', ' true', 'true ',
  '+true', 'true+', '%74rue', 'fals%65', 'true%00', 'true%', '%', '%zz', '%E0%A4%A', '%ED%A0%80',
  'true#x', 'tr#ue', 'true=', 'true&include_traces=false', 'null', '[]', '{}'
)
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('%', '2', '5', 'E', 'F', 'a', '+', '=', '&', '#', '?', ' ', '\t'), maxLength: 12 })
)
const longText = fc.tuple(fc.constantFrom('a', 'true', '%41', '%', 'é', '😀', '+'), fc.integer({ min: 1_000, max: 30_000 }))
  .map(([unit, times]) => unit.repeat(times))
const key = fc.oneof({ weight: 3, arbitrary: flagName }, { weight: 2, arbitrary: anyText })
const value = fc.oneof({ weight: 3, arbitrary: flagValue }, { weight: 3, arbitrary: anyText }, { weight: 1, arbitrary: longText })

/** One `&`-separated piece: `k=v`, a bare `k`, `k=` or `=v`. */
const pair = fc.tuple(key, value, fc.constantFrom('kv', 'kv', 'k', 'k=', '=v'))
  .map(([k, v, form]) => form === 'kv' ? `${k}=${v}` : form === 'k' ? k : form === 'k=' ? `${k}=` : `=${v}`)
const rawQuery = fc.tuple(fc.array(pair, { maxLength: 6 }), fc.constantFrom('&', '&', '&&'))
  .map(([pairs, sep]) => pairs.join(sep))

// One app for every run: no built-in sources and a day-long cache, so each request is the route
// and the query's validation, not a report generation.
const { app } = await buildApp({ builtinSources: false, cacheTtlMs: 86_400_000 })
t.teardown(() => app.close())
await app.ready()

t.test('the report route answers 200 or 400 to any query string, and 200 exactly for a valid include_traces', async (t) => {
  let ok = 0
  let bad = 0
  await fc.assert(fc.asyncProperty(rawQuery, async (raw) => {
    const res = await app.inject({ url: `${path}?${raw}` })
    const flags = parseQuery(sentQuery(raw)).get('include_traces')
    const valid = flags === undefined || (flags.length === 1 && (flags[0] === 'true' || flags[0] === 'false'))
    if (res.statusCode === 200) {
      ok++
      if (!valid) return false
      // The flag is echoed: absent means false (SPEC §8).
      return res.json().include_traces === (flags?.[0] === 'true')
    }
    if (res.statusCode !== 400 || valid) return false
    bad++
    const body = res.json()
    return body.code === 'RELIABILITY_ERR_INVALID_QUERY' && typeof body.message === 'string' && body.message.includes('include_traces')
  }), { numRuns: runs(500) })
  // Both outcomes must have been exercised, or the property says little.
  t.ok(ok > 20 && bad > 20, `both answers exercised (200: ${ok}, 400: ${bad})`)
})

t.test('edge cases the generator may miss, as plain regression cases', async (t) => {
  const cases: Array<[string, number]> = [
    ['', 200],
    ['include_traces=true', 200],
    ['include_traces=false', 200],
    ['include_traces', 400],
    ['include_traces=', 400],
    ['include_traces=true&include_traces=true', 400],
    ['include_traces=%74rue', 200],
    ['%69nclude_traces=false', 200],
    ['include_traces=true%', 400],
    ['include_traces=%', 400],
    ['include_traces=true#fragment', 200],
    ['include_traces=tr#ue', 400],
    ['include_traces=true&include_traces', 400],
    ['include_traces=%E0%A4%A', 400],
    ['__proto__=x&constructor=y&include_traces=false', 200],
    [`x=${'%'.repeat(50_000)}`, 200],
    [`include_traces=${'t'.repeat(100_000)}`, 400]
  ]
  for (const [raw, code] of cases) {
    const res = await app.inject({ url: `${path}?${raw}` })
    t.equal(res.statusCode, code, raw === '' ? '(no query)' : raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)
  }
})
