import t from 'tap'
import { buildApp } from '../../helpers/build-app.js'
import { healthAnswer } from '../../../plugin/routes/health-route.js'

t.test('status to HTTP mapping, for both failOn settings', async (t) => {
  const table = [
    { status: 'ok', failOn: 'down', code: 200, body: 'pass' },
    { status: 'degraded', failOn: 'down', code: 200, body: 'warn' },
    { status: 'down', failOn: 'down', code: 503, body: 'fail' },
    { status: 'ok', failOn: 'degraded', code: 200, body: 'pass' },
    { status: 'degraded', failOn: 'degraded', code: 503, body: 'fail' },
    { status: 'down', failOn: 'degraded', code: 503, body: 'fail' },
    { status: undefined, failOn: 'down', code: 503, body: 'fail' }
  ] as const
  for (const row of table) {
    const answer = healthAnswer(row.status, row.failOn)
    t.equal(answer.code, row.code, `${row.status} / failOn ${row.failOn}`)
    t.same(JSON.parse(answer.body), { status: row.body })
  }
})

const services = (status: 'ok' | 'degraded' | 'down', critical: boolean) => [{
  name: 'db', critical, check: async () => ({ status })
}]

t.test('/health follows the report: pass, warn, fail', async (t) => {
  const rows = [
    { name: 'all ok', services: services('ok', true), failOn: 'down', code: 200, body: 'pass' },
    { name: 'non-critical down', services: services('down', false), failOn: 'down', code: 200, body: 'warn' },
    { name: 'critical down', services: services('down', true), failOn: 'down', code: 503, body: 'fail' },
    { name: 'degraded with failOn degraded', services: services('degraded', false), failOn: 'degraded', code: 503, body: 'fail' }
  ] as const
  for (const row of rows) {
    const { app } = await buildApp({ builtinSources: false, failOn: row.failOn, sources: { services: [...row.services] } })
    t.teardown(() => app.close())
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await app.inject({ method, url: '/health' })
      t.equal(res.statusCode, row.code, `${row.name} ${method}`)
      t.match(res.headers['content-type'], /^application\/health\+json/, `${row.name} ${method}`)
      t.equal(res.headers['cache-control'], 'no-store')
      if (method === 'GET') t.same(res.json(), { status: row.body }, row.name)
      else t.equal(res.body, '', 'HEAD has no body')
    }
  }
})

t.test('/health never waits on a source', async (t) => {
  let slow = false
  const hung: AbortSignal[] = []
  const { app } = await buildApp({
    builtinSources: false,
    cacheTtlMs: 0,
    // A deadline no busy machine reaches: /health answering before it fired is an order of events.
    sourceTimeoutMs: 60_000,
    sources: {
      cache: (ctx) => {
        if (!slow) return Promise.resolve({ hits: 1, misses: 1 })
        hung.push(ctx.signal)
        return new Promise(() => {})
      }
    }
  })
  t.teardown(() => app.close())
  await app.ready()
  slow = true
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.ok(hung.every((signal) => !signal.aborted), `answered while the source hangs, its deadline not reached (${hung.length} hung calls)`)
})

t.test('healthPath false removes the route; a custom path moves it', async (t) => {
  const off = await buildApp({ healthPath: false })
  t.teardown(() => off.app.close())
  t.equal((await off.app.inject('/health')).statusCode, 404)
  const moved = await buildApp({ healthPath: '/lb/health' })
  t.teardown(() => moved.app.close())
  t.equal((await moved.app.inject('/lb/health')).statusCode, 200)
})

t.test('the plugin headers never touch the host routes', async (t) => {
  const { app } = await buildApp()
  t.teardown(() => app.close())
  app.get('/host', async () => ({ hello: 'world' }))
  const res = await app.inject('/host')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], undefined)
  t.equal(res.headers['x-content-type-options'], undefined)
  t.equal(res.headers['x-reliability-version'], undefined)
})
