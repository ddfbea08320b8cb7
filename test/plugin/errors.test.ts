// The error table (fastify's own style for @fastify/error tables): every error is constructed, its
// code is the stable one callers and tests match on, its status and message are what the routes
// and logs rely on. A renamed or removed code fails here first.
import t from 'tap'
import { ReliabilityErrors, reliabilityCode } from '../../plugin/errors.js'

// name → [arguments, status code (@fastify/error's 500 for those that are not a route's answer), message]
const table: Record<keyof typeof ReliabilityErrors, [unknown[], number, string]> = {
  INVALID_OPTION: [['cacheTtlMs', 'must be >= 0'], 500, 'invalid option "cacheTtlMs": must be >= 0'],
  INVALID_RULE: [['rules.0.code', 'expected a code'], 500, 'invalid rule at "rules.0.code": expected a code'],
  UNKNOWN_SOURCE: [['nope', 'cache, ingestion'], 500, 'unknown source "nope": expected one of cache, ingestion'],
  INVALID_CONFIG: [['intervalMs', 'expected an integer'], 500, 'invalid setting "intervalMs": expected an integer'],
  INVALID_QUERY: [['include_traces', 'expected true or false'], 400, 'invalid query parameter "include_traces": expected true or false'],
  UNAUTHORIZED: [[], 401, 'a valid bearer token is required'],
  FORBIDDEN: [[], 403, 'the diagnostics route is internal'],
  SOURCE_TIMEOUT: [['cache', 1000], 500, 'source "cache" did not answer within 1000 ms'],
  SOURCE_FAILED: [['cache', 'boom'], 500, 'source "cache" failed: boom'],
  SOURCE_INVALID: [['cache', 'hits: expected a number'], 500, 'source "cache" returned a value of the wrong shape: hits: expected a number'],
  UPSTREAM_TIMEOUT: [['/metrics', 2000], 500, 'GET /metrics did not complete within 2000 ms'],
  UPSTREAM_UNREACHABLE: [['/health', 'ECONNREFUSED'], 500, 'GET /health failed: ECONNREFUSED'],
  UPSTREAM_STATUS: [['/metrics', 500], 500, 'GET /metrics answered HTTP 500'],
  UPSTREAM_REDIRECT: [['/health', 302], 500, 'GET /health answered a redirect (HTTP 302), which is not followed'],
  BODY_TOO_LARGE: [['/metrics', 1024], 500, 'GET /metrics sent a body over the 1024 byte cap'],
  INVALID_BODY: [['/admin/websocket', 'not valid JSON'], 500, 'GET /admin/websocket sent a body that could not be read: not valid JSON'],
  SERIES_CAP: [[50000], 500, 'the metrics exposition has more than 50000 series'],
  METRICS_PARSE: [[3, 'expected a value'], 500, 'metrics exposition line 3: expected a value']
}

t.test('every error of the table: its stable code, status and message', async (t) => {
  t.same(Object.keys(table).sort(), Object.keys(ReliabilityErrors).sort(), 'the test covers the whole table')
  for (const [name, [args, statusCode, message]] of Object.entries(table)) {
    const E = ReliabilityErrors[name as keyof typeof ReliabilityErrors] as unknown as new (...a: unknown[]) => Error & { code: string, statusCode?: number }
    const err = new E(...args)
    t.ok(err instanceof Error, `${name} is an Error`)
    t.equal(err.code, `RELIABILITY_ERR_${name}`, `${name}: code`)
    t.equal(err.statusCode, statusCode, `${name}: status`)
    t.equal(err.message, message, `${name}: message`)
    t.equal(reliabilityCode(err), err.code, `${name}: recognised as ours`)
  }
})

t.test('reliabilityCode: only codes of the table', async (t) => {
  t.equal(reliabilityCode(Object.assign(new Error('x'), { code: 'RELIABILITY_ERR_MADE_UP' })), undefined, 'a look-alike code is not ours')
  t.equal(reliabilityCode(Object.assign(new Error('x'), { code: 'FST_ERR_VALIDATION' })), undefined)
  for (const value of [null, undefined, 'RELIABILITY_ERR_SERIES_CAP', 42, {}]) t.equal(reliabilityCode(value), undefined)
})
