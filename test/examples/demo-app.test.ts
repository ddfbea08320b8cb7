// The bundled demo app against real HTTP and a real websocket client: the metrics the sidecar reads,
// the health route, the websocket admin route, and a close() that leaves the process free to exit
// (tap fails this file on its timeout if a timer or socket were left behind).
import t from 'tap'
import { WebSocket } from 'ws'
import { startDemoApp, type DemoApp } from '../../examples/demo-app.js'
import { waitFor } from '../helpers/wait-for.js'

const text = async (url: string) => (await fetch(url)).text()

interface HealthBody { status: string, checks: Record<string, Array<{ status: string, observedValue: unknown }>> }
interface WebsocketAdmin { active_connections: number, last_broadcast_ts: string, connection_rate: number }

t.test('with its own traffic: metrics, health, websocket admin', async (t) => {
  const demo: DemoApp = await startDemoApp({ trafficIntervalMs: 10 })
  t.teardown(() => demo.close())
  t.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+$/)

  // Traffic reached every kind of route once /slow (the 3rd step of the cycle) has been observed.
  await waitFor('traffic', async () => /http_request_duration_seconds_count\{[^}]*route="\/slow"/.test(await text(`${demo.url}/metrics`)))

  const res = await fetch(`${demo.url}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const body = await res.text()
  for (const name of [
    'process_cpu_seconds_total', 'process_start_time_seconds', 'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_eventloop_lag_p99_seconds',
    'cache_hits_total', 'cache_misses_total', 'edges_active', 'edges_created_total',
    'edge_last_created_timestamp_seconds', 'ingest_duration_seconds', 'ingest_last_timestamp_seconds',
    'ingest_failures_total'
  ]) {
    t.match(body, new RegExp(`^${name}(\\{[^}]*\\})? \\S+$`, 'm'), `${name} is exposed`)
  }
  t.match(body, /^# TYPE http_request_duration_seconds histogram$/m)
  t.match(body, /^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/items\/:id",status_code="200"\} \d+$/m)
  t.match(body, /^http_request_duration_seconds_bucket\{le="10",method="GET",route="\/slow",status_code="200"\} \d+$/m)
  t.match(body, /^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/slow",status_code="200"\} \d+$/m)
  t.match(body, /^http_request_duration_seconds_sum\{method="GET",route="\/slow",status_code="200"\} [\d.]+$/m)

  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1])
  t.ok(value('cache_hits_total') > 0, 'the key cycle produced hits')
  t.ok(value('cache_misses_total') > 0, 'and misses')
  t.ok(value('edges_active') > 0, 'the first ingest batch at start created edges')
  t.ok(value('ingest_last_timestamp_seconds') > Date.now() / 1000 - 60)

  let health = await fetch(`${demo.url}/health`)
  t.equal(health.status, 200)
  t.match(health.headers.get('content-type'), /^application\/health\+json/)
  const pass = await health.json() as HealthBody
  t.equal(pass.status, 'pass')
  t.equal(pass.checks['cache:size'][0].status, 'pass')
  t.type(pass.checks['cache:size'][0].observedValue, 'number')
  t.type(pass.checks['ingest:lag'][0].observedValue, 'number')

  demo.setHealthy(false)
  health = await fetch(`${demo.url}/health`)
  t.equal(health.status, 503)
  t.equal((await health.json() as HealthBody).status, 'fail')
  demo.setHealthy(true)
  t.equal((await fetch(`${demo.url}/health`)).status, 200, 'and back')

  const ws = new WebSocket(`${demo.url.replace('http', 'ws')}/ws`)
  t.teardown(() => ws.terminate())
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
  const message = await new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))))
  t.equal(JSON.parse(message).type, 'tick', 'the broadcast reaches a client')

  const admin = await (await fetch(`${demo.url}/admin/websocket`)).json() as WebsocketAdmin
  t.ok(admin.active_connections >= 1, `active_connections ${admin.active_connections}`)
  t.match(admin.last_broadcast_ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  t.ok(Date.now() - Date.parse(admin.last_broadcast_ts) < 5000, 'a recent broadcast')
  t.ok(admin.connection_rate > 0, `connection_rate ${admin.connection_rate}`)
  t.same(Object.keys(admin).sort(), ['active_connections', 'connection_rate', 'last_broadcast_ts'])

  const closed = new Promise((resolve) => ws.once('close', resolve))
  await demo.close()
  await closed
  t.pass('close() ends the websocket clients')
  await t.rejects(fetch(`${demo.url}/health`), 'the server is closed')
})

t.test('without traffic the routes behave in their fixed pattern', async (t) => {
  const demo = await startDemoApp({ trafficIntervalMs: 0 })
  t.teardown(() => demo.close())

  const flaky = []
  for (let i = 0; i < 40; i++) flaky.push((await fetch(`${demo.url}/flaky`)).status)
  t.same(flaky.map((s, i) => [i + 1, s]).filter(([, s]) => s !== 200), [[20, 500], [40, 500]], 'every 20th call is a 500')

  const waited = []
  for (let i = 0; i < 3; i++) waited.push((await (await fetch(`${demo.url}/slow`)).json() as { waited_ms: number }).waited_ms)
  t.same(waited, [50, 120, 80])

  for (const id of [1, 2, 1, 1]) await fetch(`${demo.url}/items/${id}`)
  const body = await text(`${demo.url}/metrics`)
  t.match(body, /^cache_hits_total 2$/m)
  t.match(body, /^cache_misses_total 2$/m)
  t.match(body, /^http_request_duration_seconds_count\{method="GET",route="\/flaky",status_code="500"\} 2$/m)
  t.notMatch(body, /route="\/admin\/websocket"/, 'no request the test did not make')
  t.equal((await fetch(`${demo.url}/nope`)).status, 404)
  t.match(await text(`${demo.url}/metrics`), /route="unmatched",status_code="404"/)
})
