import t from 'tap'
import { buildApp } from '../../helpers/build-app.js'
import { bearerMatches, isLoopback } from '../../../plugin/routes/access-check.js'
import { createHash } from 'node:crypto'

const path = '/api/v2/diagnostics/reliability'
const token = 's3cret-token-0123456789'

t.test('with neither token nor authorize, only loopback peers are served', async (t) => {
  const { app } = await buildApp()
  t.teardown(() => app.close())
  const cases = [
    { remoteAddress: '127.0.0.1', code: 200 },
    { remoteAddress: '127.10.0.3', code: 200 },
    { remoteAddress: '::1', code: 200 },
    { remoteAddress: '::ffff:127.0.0.1', code: 200 },
    { remoteAddress: '10.0.0.7', code: 403 },
    { remoteAddress: '192.168.1.2', code: 403 },
    { remoteAddress: '::ffff:10.0.0.7', code: 403 },
    { remoteAddress: '2001:db8::1', code: 403 }
  ]
  for (const { remoteAddress, code } of cases) {
    const res = await app.inject({ url: path, remoteAddress })
    t.equal(res.statusCode, code, remoteAddress)
    if (code === 403) t.equal(res.json().code, 'RELIABILITY_ERR_FORBIDDEN')
  }
})

t.test('a forged X-Forwarded-For does not pass for loopback, with or without trustProxy', async (t) => {
  for (const trustProxy of [false, true]) {
    const { app } = await buildApp({}, { trustProxy })
    t.teardown(() => app.close())
    const res = await app.inject({ url: path, remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': '127.0.0.1' } })
    t.equal(res.statusCode, 403, `trustProxy ${trustProxy}`)
  }
})

t.test('with a token, a matching bearer is required (401 otherwise), from any peer', async (t) => {
  const { app } = await buildApp({ token })
  t.teardown(() => app.close())
  const cases: Array<{ name: string, authorization?: string, code: number }> = [
    { name: 'no header', code: 401 },
    { name: 'wrong token', authorization: 'Bearer nope', code: 401 },
    { name: 'token prefix', authorization: `Bearer ${token.slice(0, -1)}`, code: 401 },
    { name: 'token plus more', authorization: `Bearer ${token}x`, code: 401 },
    { name: 'wrong scheme', authorization: `Basic ${token}`, code: 401 },
    { name: 'bare token', authorization: token, code: 401 },
    { name: 'right token', authorization: `Bearer ${token}`, code: 200 },
    { name: 'scheme is case-insensitive', authorization: `bearer ${token}`, code: 200 }
  ]
  for (const { name, authorization, code } of cases) {
    const headers = authorization === undefined ? {} : { authorization }
    const res = await app.inject({ url: path, remoteAddress: '10.1.2.3', headers })
    t.equal(res.statusCode, code, name)
    if (code === 401) {
      t.equal(res.json().code, 'RELIABILITY_ERR_UNAUTHORIZED', name)
      t.equal(res.headers['www-authenticate'], 'Bearer', name)
      t.notMatch(res.body, token, `${name}: the token is not echoed`)
    }
  }
  t.equal((await app.inject({ url: path })).statusCode, 401, 'loopback needs the token too once one is set')
})

t.test('authorize decides, over token and loopback', async (t) => {
  const seen: string[] = []
  const { app } = await buildApp({
    token,
    authorize: async (request) => {
      seen.push(request.headers['x-team'] as string)
      return request.headers['x-team'] === 'sre'
    }
  })
  t.teardown(() => app.close())
  t.equal((await app.inject({ url: path, headers: { 'x-team': 'sre' }, remoteAddress: '10.0.0.1' })).statusCode, 200)
  const denied = await app.inject({ url: path, headers: { 'x-team': 'web', authorization: `Bearer ${token}` } })
  t.equal(denied.statusCode, 403)
  t.equal(denied.json().code, 'RELIABILITY_ERR_FORBIDDEN')
  t.same(seen, ['sre', 'web'])
})

t.test('an authorize that throws is a 500 without details, not an open door', async (t) => {
  const { app } = await buildApp({ authorize: () => { throw new Error('directory down') } })
  t.teardown(() => app.close())
  const res = await app.inject(path)
  t.equal(res.statusCode, 500)
  t.notMatch(res.body, /directory down/)
  t.equal(res.json().overall_status, 'down')
})

t.test('the health route stays open whatever the access rules', async (t) => {
  // No built-in sources: the test process's own CPU (tap compiling TypeScript) can fire HIGH_CPU.
  const { app } = await buildApp({ token, builtinSources: false })
  t.teardown(() => app.close())
  const res = await app.inject({ url: '/health', remoteAddress: '10.9.9.9' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'pass' })
})

t.test('isLoopback and bearerMatches', async (t) => {
  t.equal(isLoopback(undefined), false)
  t.equal(isLoopback('128.0.0.1'), false)
  t.equal(isLoopback('::2'), false)
  const expected = createHash('sha256').update('abc').digest()
  t.equal(bearerMatches('Bearer abc', expected), true)
  t.equal(bearerMatches('Bearer  abc ', expected), true)
  t.equal(bearerMatches('Bearer abc def', expected), false)
  t.equal(bearerMatches(undefined, expected), false)
  t.equal(bearerMatches('Bearer ', expected), false)
})
